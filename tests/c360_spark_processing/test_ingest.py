from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from pyspark.sql import DataFrame

from c360_spark_processing.ingest import (
    IngestResult,
    ReconciliationError,
    SourceCounts,
    ingest_sources,
    reconcile,
)
from c360_spark_processing.schemas import LOADED_SCHEMAS, RAW_SCHEMAS
from tests.c360_spark_processing.raw_frames import ID_COLUMNS, raw_frame

pytestmark = pytest.mark.spark

DUP_CRM = {"id": "CRM-4", "first_name": "Dup"}
DUP_LINE = {"id": "LN-8", "order_id": "ORD-1", "product_id": "P-1"}
SLOT = datetime(2024, 3, 2, 9, 0, 0)

# source -> list of (raw row overrides, expected quarantine reason or None when loaded)
CASES: dict[str, list[tuple[dict[str, Any], str | None]]] = {
    "crm_customers": [
        ({"id": "CRM-1", "email": " Ann@Example.COM ", "phone": "(212) 555-0134"}, None),
        ({"id": "CRM-2", "email": "bad@", "phone": "123", "birth_date": "1990-02-30"}, None),
        ({"id": "CRM-3", "signup_date": "2024/01/02"}, "invalid_signup_date"),
        ({"id": "CRM-3b", "signup_date": None}, "invalid_signup_date"),
        (DUP_CRM, None),
        (DUP_CRM, "duplicate_record"),
        ({"id": "CRM-5", "_corrupt_record": "CRM-5,broken"}, "schema_mismatch"),
        ({"id": None}, "missing_id"),
        ({"id": "  "}, "missing_id"),
        ({"id": "CRM-6", "gender": "Q"}, "invalid_gender"),
        ({"id": "CRM-6b", "gender": None}, None),
        ({"id": "CRM-7", "acquisition_channel": "tv"}, "invalid_acquisition_channel"),
        ({"id": "CRM-8", "customer_segment": "Gold"}, "invalid_customer_segment"),
        # same id, different content: the copy whose raw values sort first is kept
        ({"id": "CRM-9", "first_name": "Bea"}, "duplicate_record"),
        ({"id": "CRM-9", "first_name": "Abe"}, None),
    ],
    "ecommerce_accounts": [
        ({"id": "ACC-1"}, None),
        ({"id": "ACC-2", "created_at": "2024-01-05 10:00:00", "email": "nope"}, None),
        ({"id": "ACC-3", "created_at": "yesterday"}, "invalid_created_at"),
        ({"id": "ACC-3b", "created_at": "2024-02-30T10:00:00Z"}, "invalid_created_at"),
        ({"id": "ACC-4", "platform": "tv"}, "invalid_platform"),
        ({"id": "ACC-5", "phone": "+1 (415) 555-2671"}, None),
        ({"id": "ACC-5", "phone": "+1 (415) 555-2671"}, "duplicate_record"),
        ({"id": "ACC-6", "_corrupt_record": "{not json"}, "schema_mismatch"),
    ],
    "loyalty_members": [
        ({"id": "LOY-1"}, None),
        ({"id": "LOY-2", "email": "x@y", "phone": "4155552671"}, None),
        ({"id": "LOY-3", "email": "x@y", "phone": None}, "no_contact"),
        ({"id": "LOY-3b", "email": None, "phone": "555"}, "no_contact"),
        ({"id": "LOY-4", "points_balance": "ten"}, "schema_mismatch"),
        ({"id": "LOY-4b", "lifetime_points": None}, "schema_mismatch"),
        ({"id": "LOY-5", "tier": "Diamond"}, "invalid_tier"),
        ({"id": "LOY-6", "enrolled_at": "2024-13-01"}, "invalid_enrolled_at"),
    ],
    "products": [
        ({"id": "P-1"}, None),
        ({"id": "P-2", "list_price": "NaN"}, "schema_mismatch"),
        ({"id": "P-3", "stock_on_hand": "1.5"}, "schema_mismatch"),
        ({"id": "P-4"}, None),
    ],
    "orders": [
        ({"id": "ORD-1", "account_id": "ACC-1"}, None),
        ({"id": "ORD-2", "member_id": "LOY-1", "channel": "store", "traffic_source": None}, None),
        ({"id": "ORD-2b", "account_id": "ACC-2", "member_id": "LOY-2"}, None),
        ({"id": "ORD-3"}, "missing_buyer"),
        ({"id": "ORD-4", "account_id": "ACC-999"}, "unknown_buyer"),
        ({"id": "ORD-5", "account_id": "ACC-3"}, "unknown_buyer"),
        ({"id": "ORD-5b", "account_id": "ACC-1", "member_id": "LOY-999"}, "unknown_buyer"),
        ({"id": "ORD-6", "account_id": "ACC-1", "order_ts": None}, "invalid_order_ts"),
        ({"id": "ORD-7", "account_id": "ACC-1", "status": "lost"}, "invalid_status"),
        ({"id": "ORD-7b", "account_id": "ACC-1", "channel": None}, "invalid_channel"),
        (
            {"id": "ORD-7c", "account_id": "ACC-1", "payment_method": "iou"},
            "invalid_payment_method",
        ),
        ({"id": "ORD-7d", "account_id": "ACC-1", "traffic_source": "tv"}, "invalid_traffic_source"),
        ({"id": "ORD-9", "account_id": "ACC-1"}, None),
        ({"id": "ORD-9", "account_id": "ACC-1"}, "duplicate_record"),
        ({"id": None, "account_id": "ACC-1"}, "missing_id"),
        ({"id": "ORD-10", "account_id": "ACC-1", "store_id": "ST-404"}, "unknown_store"),
        ({"id": "ORD-10b", "account_id": "ACC-1", "store_id": None}, "unknown_store"),
        # ST-3 was quarantined: its orders cascade.
        ({"id": "ORD-10c", "account_id": "ACC-1", "store_id": "ST-3"}, "unknown_store"),
        ({"id": "ORD-11", "account_id": "ACC-1", "fulfilment": "later"}, "invalid_fulfilment"),
        ({"id": "ORD-11b", "account_id": "ACC-1", "fulfilment": None}, "invalid_fulfilment"),
        (
            {"id": "ORD-12", "account_id": "ACC-1", "fulfilment": "scheduled"},
            "invalid_scheduled_for",
        ),
        (
            {
                "id": "ORD-12b",
                "account_id": "ACC-1",
                "fulfilment": "scheduled",
                "scheduled_for": SLOT,
            },
            None,
        ),
        ({"id": "ORD-12c", "account_id": "ACC-1", "scheduled_for": SLOT}, "invalid_scheduled_for"),
        (
            {"id": "ORD-13", "account_id": "ACC-1", "payment_status": "paid"},
            "invalid_payment_status",
        ),
        ({"id": "ORD-13b", "account_id": "ACC-1", "payment_status": "pending"}, None),
    ],
    "order_lines": [
        ({"id": "LN-1", "order_id": "ORD-1", "product_id": "P-1"}, None),
        (
            {"id": "LN-2", "order_id": "ORD-1", "product_id": "P-1", "quantity": 0},
            "non_positive_quantity",
        ),
        (
            {"id": "LN-3", "order_id": "ORD-1", "product_id": "P-1", "quantity": -1},
            "non_positive_quantity",
        ),
        ({"id": "LN-3b", "order_id": "ORD-1", "product_id": "P-1", "quantity": 1}, None),
        ({"id": "LN-4", "order_id": "ORD-1", "product_id": "P-404"}, "unknown_product"),
        ({"id": "LN-5", "order_id": "ORD-1", "product_id": "P-2"}, "unknown_product"),
        ({"id": "LN-6", "order_id": "ORD-404", "product_id": "P-1"}, "orphan_line"),
        ({"id": "LN-7", "order_id": "ORD-3", "product_id": "P-1"}, "orphan_line"),
        ({"id": "LN-7b", "order_id": None, "product_id": "P-1"}, "orphan_line"),
        (DUP_LINE, None),
        (DUP_LINE, "duplicate_line"),
        (
            {"id": "LN-9", "order_id": "ORD-1", "product_id": "P-1", "discount": -1.0},
            "invalid_discount",
        ),
        ({"id": "LN-9b", "order_id": "ORD-1", "product_id": "P-1", "discount": 0.0}, None),
        (
            {"id": "LN-10", "order_id": "ORD-1", "product_id": "P-1", "quantity": None},
            "schema_mismatch",
        ),
    ],
    "app_events": [
        ({"id": "EV-1"}, None),
        ({"id": "EV-2", "ts": "2024-03-01"}, "invalid_ts"),
        ({"id": "EV-3", "event_type": "scroll"}, "invalid_event_type"),
        ({"id": "EV-4", "platform": "tv"}, "invalid_platform"),
        ({"id": "EV-5", "_corrupt_record": "oops"}, "schema_mismatch"),
        ({"id": "EV-1", "ts": "2024-03-02T12:00:00Z"}, "duplicate_record"),
    ],
    "support_tickets": [
        ({"id": "TCK-1"}, None),
        ({"id": "TCK-2", "email": "ann at example.com"}, "invalid_email"),
        ({"id": "TCK-2b", "email": None}, "invalid_email"),
        ({"id": "TCK-3", "created_at": "2024-03-01T09:00"}, "invalid_created_at"),
        ({"id": "TCK-4", "csat": "6"}, "invalid_csat"),
        ({"id": "TCK-4b", "csat": "0"}, "invalid_csat"),
        ({"id": "TCK-4c", "csat": "1"}, None),
        ({"id": "TCK-5", "csat": "five"}, "schema_mismatch"),
        ({"id": "TCK-6", "first_response_at": "soon"}, "invalid_first_response_at"),
        ({"id": "TCK-6b", "resolved_at": "2024-03-01 25:00:00"}, "invalid_resolved_at"),
        ({"id": "TCK-7", "csat": ""}, None),
        ({"id": "TCK-8", "priority": "p1"}, "invalid_priority"),
        ({"id": "TCK-8b", "category": "other"}, "invalid_category"),
        ({"id": "TCK-8c", "channel": "fax"}, "invalid_channel"),
        ({"id": "TCK-8d", "status": "done"}, "invalid_status"),
    ],
    "postal_codes": [
        ({"id": "73301"}, None),
        ({"id": "73301"}, "duplicate_record"),
        ({"id": "7330"}, "invalid_postal_code"),
        ({"id": "7330A"}, "invalid_postal_code"),
        ({"id": "73302", "lat": "90.000001"}, "invalid_coordinates"),
        ({"id": "73303", "lat": "90.0"}, None),
        ({"id": "73304", "lon": "-180.000001"}, "invalid_coordinates"),
        ({"id": "73305", "lon": "-180.000000"}, None),
        ({"id": "73306", "lat": "north"}, "schema_mismatch"),
        ({"id": "73307", "lon": None}, "schema_mismatch"),
    ],
    "stores": [
        ({"id": "ST-1"}, None),
        ({"id": "ST-2", "opened_at": "2024-13-01"}, None),
        ({"id": "ST-3", "lat": "-90.5"}, "invalid_coordinates"),
        ({"id": "ST-4", "lon": None}, "schema_mismatch"),
    ],
    "services": [
        ({"id": "SV-1"}, None),
        ({"id": "SV-2", "category": "Gardening"}, "invalid_category"),
        ({"id": "SV-3", "base_price": "-0.01"}, "invalid_base_price"),
        ({"id": "SV-3b", "base_price": "0.00"}, None),
        ({"id": "SV-4", "duration_minutes": "0"}, "invalid_duration_minutes"),
        ({"id": "SV-4b", "duration_minutes": "1"}, None),
        ({"id": "SV-5", "duration_minutes": "1.5"}, "schema_mismatch"),
    ],
    "providers": [
        ({"id": "PR-1"}, None),
        ({"id": "PR-2", "joined_at": "N/A"}, None),
        ({"id": "PR-3", "lon": "181"}, "invalid_coordinates"),
    ],
    "order_status_events": [
        ({"order_id": "ORD-1", "status": "placed"}, None),
        ({"order_id": "ORD-1", "status": "paid"}, None),
        ({"order_id": "ORD-1", "status": "paid"}, "duplicate_record"),
        ({"order_id": "ORD-1", "status": "returned"}, "invalid_status"),
        ({"order_id": "ORD-1", "status": "delivered", "ts": None}, "invalid_ts"),
        ({"order_id": "ORD-404", "status": "placed"}, "orphan_event"),
        # ORD-3 was quarantined (missing_buyer): its history cascades.
        ({"order_id": "ORD-3", "status": "placed"}, "orphan_event"),
        ({"order_id": None, "status": "placed"}, "missing_id"),
        ({"order_id": "ORD-2", "status": None}, "missing_id"),
        ({"order_id": "ORD-2", "status": "placed"}, None),
    ],
    "service_bookings": [
        ({"id": "BK-1"}, None),
        ({"id": "BK-2", "rating": None}, None),
        ({"id": "BK-3", "account_id": None}, "missing_buyer"),
        ({"id": "BK-4", "account_id": "ACC-999"}, "unknown_buyer"),
        ({"id": "BK-4b", "account_id": None, "member_id": "LOY-1"}, None),
        ({"id": "BK-5", "booked_at": None}, "invalid_booked_at"),
        ({"id": "BK-6", "scheduled_for": None}, "invalid_scheduled_for"),
        ({"id": "BK-7", "service_id": "SV-2"}, "unknown_service"),
        ({"id": "BK-8", "provider_id": "PR-404"}, "unknown_provider"),
        ({"id": "BK-8b", "provider_id": None}, "unknown_provider"),
        ({"id": "BK-9", "status": "done"}, "invalid_status"),
        ({"id": "BK-10", "price": -0.01}, "invalid_price"),
        ({"id": "BK-10b", "price": 0.0}, None),
        ({"id": "BK-11", "rating": 0}, "invalid_rating"),
        ({"id": "BK-11b", "rating": 6}, "invalid_rating"),
        ({"id": "BK-11c", "rating": 1}, None),
        ({"id": "BK-12", "price": None}, "schema_mismatch"),
        # A copy that failed its schema does not make the other a duplicate.
        ({"id": "BK-12", "price": 1.0}, None),
    ],
}

EXPECTED_WARNINGS = {
    "crm_customers": {
        ("CRM-2", "invalid_email"),
        ("CRM-2", "invalid_phone"),
        ("CRM-2", "invalid_birth_date"),
    },
    "ecommerce_accounts": {("ACC-2", "invalid_email")},
    "loyalty_members": {("LOY-2", "invalid_email")},
    "stores": {("ST-2", "invalid_opened_at")},
    "providers": {("PR-2", "invalid_joined_at")},
}


@dataclass
class Collected:
    raw: DataFrame
    result: IngestResult
    loaded: list[Any]
    quarantine: list[Any]
    warnings: list[Any]


def _id(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


@pytest.fixture(scope="module")
def ingested(spark) -> dict[str, Collected]:
    raw = {s: raw_frame(spark, s, [row for row, _ in cases]) for s, cases in CASES.items()}
    results = ingest_sources(raw)
    return {
        s: Collected(
            raw[s],
            r,
            r.loaded.collect(),
            r.quarantine.collect(),
            r.warnings.collect(),
        )
        for s, r in results.items()
    }


@pytest.mark.parametrize("source", list(CASES))
def test_quarantine_reasons(ingested, source):
    id_column = ID_COLUMNS[source]
    expected = Counter(
        (_id(row[id_column] if id_column in row else row.get("id")), reason)
        for row, reason in CASES[source]
        if reason is not None
    )
    got = Counter((_id(r[id_column]), r["reason"]) for r in ingested[source].quarantine)
    assert got == expected


@pytest.mark.parametrize("source", list(CASES))
def test_loaded_ids_and_schema(ingested, source):
    id_column = ID_COLUMNS[source]
    expected = Counter(
        row.get("id", row.get(id_column)) for row, reason in CASES[source] if reason is None
    )
    got = Counter(r[id_column] for r in ingested[source].loaded)
    assert got == expected
    assert (
        ingested[source].result.loaded.schema.simpleString()
        == LOADED_SCHEMAS[source].simpleString()
    )


@pytest.mark.parametrize("source", list(CASES))
def test_quarantine_keeps_raw_columns_as_strings(ingested, source):
    schema = ingested[source].result.quarantine.schema
    assert schema.names == [*RAW_SCHEMAS[source].names, "reason"]
    assert {f.dataType.simpleString() for f in schema.fields} == {"string"}


@pytest.mark.parametrize("source", list(CASES))
def test_warnings(ingested, source):
    got = {(r.record_id, r.warning) for r in ingested[source].warnings}
    assert got == EXPECTED_WARNINGS.get(source, set())
    assert len(ingested[source].warnings) == len(got)


@pytest.mark.parametrize("source", list(CASES))
def test_reconcile(ingested, source):
    cases = CASES[source]
    reasons = Counter(reason for _, reason in cases if reason is not None)
    warnings = Counter(w for _, w in EXPECTED_WARNINGS.get(source, set()))
    counts = reconcile(ingested[source].raw, ingested[source].result)
    assert counts == SourceCounts(
        rows_read=len(cases),
        rows_loaded=len(cases) - sum(reasons.values()),
        rows_quarantined=sum(reasons.values()),
        quarantine_reasons=dict(reasons),
        warnings=dict(warnings),
    )
    assert counts.to_dict()["rows_read"] == len(cases)


def test_reconcile_raises_when_a_row_is_lost(ingested):
    collected = ingested["products"]
    lossy = IngestResult(
        loaded=collected.result.loaded.limit(1),
        quarantine=collected.result.quarantine,
        warnings=collected.result.warnings,
    )
    with pytest.raises(ReconciliationError):
        reconcile(collected.raw, lossy)


def _by_id(rows: list[Any], id_column: str) -> dict[str, Any]:
    return {r[id_column]: r for r in rows}


def test_loaded_values_are_cast_and_normalised(ingested):
    crm = _by_id(ingested["crm_customers"].loaded, "crm_id")
    assert crm["CRM-1"].email == "ann@example.com"
    assert crm["CRM-1"].phone == "+12125550134"
    assert crm["CRM-1"].signup_date == date(2024, 1, 2)
    assert crm["CRM-1"].birth_date == date(1990, 5, 1)
    assert (crm["CRM-2"].email, crm["CRM-2"].phone, crm["CRM-2"].birth_date) == (None, None, None)
    assert crm["CRM-9"].first_name == "Abe"
    accounts = _by_id(ingested["ecommerce_accounts"].loaded, "account_id")
    assert accounts["ACC-1"].created_at == datetime(2024, 1, 5, 10, 0, 0)
    assert accounts["ACC-2"].created_at == datetime(2024, 1, 5, 10, 0, 0)
    assert accounts["ACC-5"].phone == "+14155552671"
    members = _by_id(ingested["loyalty_members"].loaded, "member_id")
    assert (members["LOY-1"].points_balance, members["LOY-1"].lifetime_points) == (10, 20)
    assert members["LOY-2"].phone == "+14155552671"
    products = _by_id(ingested["products"].loaded, "product_id")
    assert (products["P-1"].list_price, products["P-1"].stock_on_hand) == (12.5, 3)
    tickets = _by_id(ingested["support_tickets"].loaded, "ticket_id")
    assert tickets["TCK-1"].csat == 5
    assert tickets["TCK-7"].csat is None
    assert tickets["TCK-1"].created_at == datetime(2024, 3, 1, 9, 0, 0)
    events = _by_id(ingested["app_events"].loaded, "event_id")
    assert events["EV-1"].ts == datetime(2024, 3, 1, 12, 0, 0)


def test_duplicate_choice_ignores_input_order(spark):
    rows = [row for row, _ in CASES["crm_customers"] if row.get("id") == "CRM-9"]
    forward = raw_frame(spark, "crm_customers", rows)
    backward = raw_frame(spark, "crm_customers", rows[::-1]).repartition(2)
    names = set()
    for raw in (forward, backward):
        result = ingest_sources({**_empty_raw(spark), "crm_customers": raw})["crm_customers"]
        names.add(tuple(r.first_name for r in result.loaded.collect()))
    assert names == {("Abe",)}


def _empty_raw(spark) -> dict[str, DataFrame]:
    return {s: spark.createDataFrame([], RAW_SCHEMAS[s]) for s in RAW_SCHEMAS}
