"""Explicit schemas of the raw exports and of the loaded (clean) sources — `docs/data_model.md` §1, §3.

Text formats (CSV, JSON lines) are read all-string plus `_corrupt_record`, so a bad value never fails
the read: ingest parses and casts each column itself and quarantines what does not fit. Parquet is
read with its typed contract schema. Nothing is ever inferred.
"""

from __future__ import annotations

from pyspark.sql.types import (
    DataType,
    DateType,
    DoubleType,
    IntegerType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

CORRUPT_RECORD = "_corrupt_record"

TEXT_FORMATS: dict[str, str] = {
    "crm_customers": "csv",
    "ecommerce_accounts": "json",
    "loyalty_members": "csv",
    "products": "csv",
    "app_events": "json",
    "support_tickets": "csv",
    "postal_codes": "csv",
    "stores": "csv",
    "services": "csv",
    "providers": "csv",
}

_STR, _DATE, _TS, _INT, _DBL = (
    StringType(),
    DateType(),
    TimestampType(),
    IntegerType(),
    DoubleType(),
)

_LOADED_COLUMNS: dict[str, list[tuple[str, DataType]]] = {
    "crm_customers": [
        ("crm_id", _STR),
        ("first_name", _STR),
        ("last_name", _STR),
        ("email", _STR),
        ("phone", _STR),
        ("birth_date", _DATE),
        ("gender", _STR),
        ("city", _STR),
        ("state", _STR),
        ("country", _STR),
        ("postal_code", _STR),
        ("signup_date", _DATE),
        ("acquisition_channel", _STR),
        ("customer_segment", _STR),
    ],
    "ecommerce_accounts": [
        ("account_id", _STR),
        ("email", _STR),
        ("phone", _STR),
        ("created_at", _TS),
        ("platform", _STR),
    ],
    "loyalty_members": [
        ("member_id", _STR),
        ("email", _STR),
        ("phone", _STR),
        ("tier", _STR),
        ("points_balance", _INT),
        ("lifetime_points", _INT),
        ("enrolled_at", _DATE),
    ],
    "products": [
        ("product_id", _STR),
        ("name", _STR),
        ("category", _STR),
        ("subcategory", _STR),
        ("brand", _STR),
        ("list_price", _DBL),
        ("unit_cost", _DBL),
        ("stock_on_hand", _INT),
        ("reorder_point", _INT),
    ],
    "orders": [
        ("order_id", _STR),
        ("account_id", _STR),
        ("member_id", _STR),
        ("channel", _STR),
        ("order_ts", _TS),
        ("status", _STR),
        ("payment_method", _STR),
        ("traffic_source", _STR),
        ("ship_city", _STR),
        ("ship_state", _STR),
        ("ship_postal_code", _STR),
        ("store_id", _STR),
        ("fulfilment", _STR),
        ("scheduled_for", _TS),
        ("payment_status", _STR),
    ],
    "order_lines": [
        ("line_id", _STR),
        ("order_id", _STR),
        ("product_id", _STR),
        ("quantity", _INT),
        ("unit_price", _DBL),
        ("discount", _DBL),
    ],
    "app_events": [
        ("event_id", _STR),
        ("account_id", _STR),
        ("session_id", _STR),
        ("ts", _TS),
        ("platform", _STR),
        ("event_type", _STR),
        ("product_id", _STR),
        ("traffic_source", _STR),
    ],
    "support_tickets": [
        ("ticket_id", _STR),
        ("email", _STR),
        ("created_at", _TS),
        ("first_response_at", _TS),
        ("resolved_at", _TS),
        ("channel", _STR),
        ("category", _STR),
        ("priority", _STR),
        ("status", _STR),
        ("csat", _INT),
    ],
    "postal_codes": [
        ("postal_code", _STR),
        ("city", _STR),
        ("state", _STR),
        ("lat", _DBL),
        ("lon", _DBL),
    ],
    "stores": [
        ("store_id", _STR),
        ("name", _STR),
        ("city", _STR),
        ("state", _STR),
        ("postal_code", _STR),
        ("lat", _DBL),
        ("lon", _DBL),
        ("opened_at", _DATE),
    ],
    "services": [
        ("service_id", _STR),
        ("name", _STR),
        ("category", _STR),
        ("base_price", _DBL),
        ("duration_minutes", _INT),
    ],
    "providers": [
        ("provider_id", _STR),
        ("name", _STR),
        ("city", _STR),
        ("state", _STR),
        ("lat", _DBL),
        ("lon", _DBL),
        ("joined_at", _DATE),
    ],
    "order_status_events": [
        ("order_id", _STR),
        ("status", _STR),
        ("ts", _TS),
    ],
    "service_bookings": [
        ("booking_id", _STR),
        ("account_id", _STR),
        ("member_id", _STR),
        ("service_id", _STR),
        ("provider_id", _STR),
        ("booked_at", _TS),
        ("scheduled_for", _TS),
        ("status", _STR),
        ("price", _DBL),
        ("city", _STR),
        ("state", _STR),
        ("postal_code", _STR),
        ("rating", _INT),
    ],
}

LOADED_SCHEMAS: dict[str, StructType] = {
    source: StructType([StructField(name, dtype, nullable=True) for name, dtype in columns])
    for source, columns in _LOADED_COLUMNS.items()
}


def _raw_schema(source: str) -> StructType:
    """All-string + `_corrupt_record` for text formats; the typed contract for Parquet."""
    if source in TEXT_FORMATS:
        fields = [StructField(name, _STR) for name, _ in _LOADED_COLUMNS[source]]
        return StructType([*fields, StructField(CORRUPT_RECORD, _STR)])
    return LOADED_SCHEMAS[source]


RAW_SCHEMAS: dict[str, StructType] = {source: _raw_schema(source) for source in _LOADED_COLUMNS}
