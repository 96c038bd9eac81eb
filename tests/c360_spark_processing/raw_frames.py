"""Tiny raw frames in the exact raw schemas, for ingest/identity tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from c360_spark_processing.schemas import RAW_SCHEMAS

VALID: dict[str, dict[str, Any]] = {
    "crm_customers": {
        "first_name": "Ann",
        "last_name": "Lee",
        "email": "ann@example.com",
        "phone": "2125550134",
        "birth_date": "1990-05-01",
        "gender": "F",
        "city": "Austin",
        "state": "TX",
        "country": "US",
        "postal_code": "73301",
        "signup_date": "2024-01-02",
        "acquisition_channel": "referral",
        "customer_segment": "Premium",
    },
    "ecommerce_accounts": {
        "email": "acc@example.com",
        "phone": None,
        "created_at": "2024-01-05T10:00:00Z",
        "platform": "web",
    },
    "loyalty_members": {
        "email": "loy@example.com",
        "phone": None,
        "tier": "Gold",
        "points_balance": "10",
        "lifetime_points": "20",
        "enrolled_at": "2024-02-01",
    },
    "products": {
        "name": "Mug",
        "category": "home",
        "subcategory": "kitchen",
        "brand": "Acme",
        "list_price": "12.50",
        "unit_cost": "5.00",
        "stock_on_hand": "3",
        "reorder_point": "1",
    },
    "orders": {
        "account_id": None,
        "member_id": None,
        "channel": "online",
        "order_ts": datetime(2024, 3, 1, 12, 0, 0),
        "status": "completed",
        "payment_method": "card",
        "traffic_source": "direct",
        "ship_city": "Austin",
        "ship_state": "TX",
        "ship_postal_code": "73301",
        "store_id": "ST-1",
        "fulfilment": "immediate",
        "scheduled_for": None,
        "payment_status": "captured",
    },
    "order_lines": {"quantity": 2, "unit_price": 10.0, "discount": 1.0},
    "app_events": {
        "account_id": "ACC-1",
        "session_id": "S-1",
        "ts": "2024-03-01T12:00:00Z",
        "platform": "ios",
        "event_type": "session_start",
        "product_id": None,
        "traffic_source": None,
    },
    "support_tickets": {
        "email": "ann@example.com",
        "created_at": "2024-03-01 09:00:00",
        "first_response_at": "2024-03-01 10:00:00",
        "resolved_at": None,
        "channel": "chat",
        "category": "billing",
        "priority": "low",
        "status": "open",
        "csat": "5",
    },
    "postal_codes": {"city": "Austin", "state": "TX", "lat": "30.267200", "lon": "-97.743100"},
    "stores": {
        "name": "C360 Austin Downtown",
        "city": "Austin",
        "state": "TX",
        "postal_code": "73301",
        "lat": "30.267200",
        "lon": "-97.743100",
        "opened_at": "2020-01-01",
    },
    "services": {
        "name": "Appliance Installation",
        "category": "Installation",
        "base_price": "159.00",
        "duration_minutes": "240",
    },
    "providers": {
        "name": "Lee Services",
        "city": "Austin",
        "state": "TX",
        "lat": "30.300000",
        "lon": "-97.700000",
        "joined_at": "2021-05-01",
    },
    "order_status_events": {"status": "placed", "ts": datetime(2024, 3, 1, 12, 0, 0)},
    "service_bookings": {
        "account_id": "ACC-1",
        "member_id": None,
        "service_id": "SV-1",
        "provider_id": "PR-1",
        "booked_at": datetime(2024, 3, 1, 12, 0, 0),
        "scheduled_for": datetime(2024, 3, 3, 9, 0, 0),
        "status": "completed",
        "price": 150.0,
        "city": "Austin",
        "state": "TX",
        "postal_code": "73301",
        "rating": 5,
    },
}

ID_COLUMNS: dict[str, str] = {
    "crm_customers": "crm_id",
    "ecommerce_accounts": "account_id",
    "loyalty_members": "member_id",
    "products": "product_id",
    "orders": "order_id",
    "order_lines": "line_id",
    "app_events": "event_id",
    "support_tickets": "ticket_id",
    "postal_codes": "postal_code",
    "stores": "store_id",
    "services": "service_id",
    "providers": "provider_id",
    "order_status_events": "order_id",
    "service_bookings": "booking_id",
}


def raw_frame(spark: SparkSession, source: str, rows: list[dict[str, Any]]) -> DataFrame:
    """Rows as VALID[source] overridden by each dict (`id` sets the id column)."""
    schema = RAW_SCHEMAS[source]
    records = []
    for row in rows:
        values = {**VALID[source], **row}
        if "id" in values:
            values[ID_COLUMNS[source]] = values.pop("id")
        records.append(tuple(values.get(f.name) for f in schema.fields))
    return spark.createDataFrame(records, schema)
