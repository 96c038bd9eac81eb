"""Injected defect counts in _truth/defects.json equal what the files show."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from c360_mock_data.defects import DEFECTS
from c360_mock_data.generator import GenerationReport
from tests.c360_mock_data.conftest import normal_email, read_accounts, read_csv, read_events

EVENT_TYPES = {"session_start", "product_view", "add_to_cart", "checkout_start", "purchase"}
ORDER_EVENT_STATUSES = {
    "placed", "paid", "packed", "shipped", "delivered", "cancelled", "payment_failed", "refunded",
}  # fmt: skip


def _unparseable(values: pd.Series, fmt: str) -> int:
    present = values.dropna()
    return int(pd.to_datetime(present, format=fmt, errors="coerce").isna().sum())


def _malformed(values: pd.Series) -> int:
    present = values.dropna()
    return int(present.map(normal_email).isna().sum())


def _observed(report: GenerationReport) -> dict[str, dict[str, int]]:
    out = report.out
    crm = read_csv(out, "crm_customers.csv")
    unique_crm = crm.drop_duplicates()
    assert unique_crm.crm_id.is_unique, "duplicated CRM rows are exact copies"
    accounts = read_accounts(out)
    loyalty = read_csv(out, "loyalty_members.csv")
    products = set(read_csv(out, "products.csv").product_id)
    orders = pq.read_table(out / "orders.parquet").to_pandas()
    lines = pq.read_table(out / "order_lines.parquet").to_pandas()
    events = read_events(out)
    tickets = read_csv(out, "support_tickets.csv")
    known_account = orders.account_id.isna() | orders.account_id.isin(set(accounts.account_id))
    known_member = orders.member_id.isna() | orders.member_id.isin(set(loyalty.member_id))
    postal = read_csv(out, "postal_codes.csv")
    services = read_csv(out, "services.csv")
    status_events = pq.read_table(out / "order_status_events.parquet").to_pandas()
    bookings = pq.read_table(out / "service_bookings.parquet").to_pandas()
    booked_by_account = bookings.account_id.isna() | bookings.account_id.isin(
        set(accounts.account_id)
    )
    booked_by_member = bookings.member_id.isna() | bookings.member_id.isin(set(loyalty.member_id))
    return {
        "crm_customers": {
            "invalid_birth_date": _unparseable(unique_crm.birth_date, "%Y-%m-%d"),
            "invalid_signup_date": _unparseable(unique_crm.signup_date, "%Y-%m-%d"),
            "invalid_email": _malformed(unique_crm.email),
            "duplicate_record": len(crm) - len(unique_crm),
        },
        "ecommerce_accounts": {
            "invalid_created_at": _unparseable(accounts.created_at, "%Y-%m-%dT%H:%M:%SZ"),
            "invalid_email": _malformed(accounts.email),
        },
        "loyalty_members": {"invalid_email": _malformed(loyalty.email)},
        "orders": {
            "missing_buyer": int((orders.account_id.isna() & orders.member_id.isna()).sum()),
            "unknown_buyer": int((~known_account | ~known_member).sum()),
            "invalid_order_ts": int(orders.order_ts.isna().sum()),
        },
        "order_lines": {
            "non_positive_quantity": int((lines.quantity <= 0).sum()),
            "unknown_product": int((~lines.product_id.isin(products)).sum()),
            "duplicate_line": int(lines.line_id.duplicated().sum()),
        },
        "app_events": {
            "invalid_ts": _unparseable(events.ts, "%Y-%m-%dT%H:%M:%SZ"),
            "invalid_event_type": int((~events.event_type.isin(EVENT_TYPES)).sum()),
        },
        "support_tickets": {
            "invalid_email": _malformed(tickets.email),
            "invalid_created_at": _unparseable(tickets.created_at, "%Y-%m-%d %H:%M:%S"),
        },
        "postal_codes": {"duplicate_record": int(postal.duplicated().sum())},
        "stores": {
            "invalid_opened_at": _unparseable(read_csv(out, "stores.csv").opened_at, "%Y-%m-%d")
        },
        "services": {"duplicate_record": int(services.duplicated().sum())},
        "providers": {
            "invalid_joined_at": _unparseable(read_csv(out, "providers.csv").joined_at, "%Y-%m-%d")
        },
        "order_status_events": {
            "invalid_ts": int(status_events.ts.isna().sum()),
            "invalid_status": int((~status_events.status.isin(ORDER_EVENT_STATUSES)).sum()),
            "duplicate_record": int(status_events.duplicated().sum()),
        },
        "service_bookings": {
            "missing_buyer": int((bookings.account_id.isna() & bookings.member_id.isna()).sum()),
            "unknown_buyer": int((~booked_by_account | ~booked_by_member).sum()),
            "invalid_booked_at": int(bookings.booked_at.isna().sum()),
            "invalid_rating": int(
                bookings.rating.notna().sum() - bookings.rating.between(1, 5).sum()
            ),
        },
    }


def test_injected_counts_match_the_files(dirty_export: GenerationReport) -> None:
    injected = json.loads((dirty_export.out / "_truth" / "defects.json").read_text())["injected"]
    assert injected == dirty_export.defects
    assert _observed(dirty_export) == injected
    # Every defect is drawn where its expected count is not tiny (the services table has 24
    # rows: at 2% it expects half a defect).
    expected = {
        source: dirty_export.rows[source] * 0.02 / len(kinds) for source, kinds in DEFECTS.items()
    }
    drawn = {
        (source, defect): count
        for source, kinds in injected.items()
        for defect, count in kinds.items()
        if expected[source] >= 1
    }
    assert all(count > 0 for count in drawn.values()), drawn
    assert {source for source, _ in drawn} == set(DEFECTS) - {"services"}


def test_defect_rate_is_about_the_requested_rate(dirty_export: GenerationReport) -> None:
    for source in ("orders", "order_lines", "app_events"):
        rows = dirty_export.rows[source]
        assert sum(dirty_export.defects[source].values()) / rows == pytest.approx(0.02, rel=0.25)


def test_clean_export_has_no_defects(clean_export: GenerationReport) -> None:
    observed = _observed(clean_export)
    assert observed == {source: dict.fromkeys(kinds, 0) for source, kinds in DEFECTS.items()}
    assert observed == clean_export.defects
