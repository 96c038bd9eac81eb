"""Every export parses with the columns and formats of docs/data_model.md section 1."""

from __future__ import annotations

import json
import re

import pandas as pd
import pyarrow.parquet as pq
import pytest

from c360_mock_data.generator import GenerationReport
from tests.c360_mock_data.conftest import (
    normal_email,
    normal_phone,
    read_accounts,
    read_csv,
    read_events,
)


def _all_match(values: pd.Series, pattern: str) -> bool:
    return bool(values.dropna().astype(str).str.fullmatch(pattern).all())


def _parses(values: pd.Series, fmt: str) -> bool:
    present = values.dropna()
    return bool(pd.to_datetime(present, format=fmt, errors="coerce").notna().all())


def test_crm_columns_and_formats(clean_export: GenerationReport) -> None:
    crm = read_csv(clean_export.out, "crm_customers.csv")
    assert list(crm.columns) == [
        "crm_id", "first_name", "last_name", "email", "phone", "birth_date", "gender", "city",
        "state", "country", "postal_code", "signup_date", "acquisition_channel", "customer_segment",
    ]  # fmt: skip
    assert _all_match(crm.crm_id, r"CRM-\d{7}")
    assert crm.crm_id.is_unique
    assert _parses(crm.birth_date, "%Y-%m-%d")
    assert _parses(crm.signup_date, "%Y-%m-%d")
    assert set(crm.gender.dropna()) <= {"F", "M", "X"}
    assert crm.gender.isna().any()
    assert _all_match(crm.state, r"[A-Z]{2}")
    assert set(crm.country) == {"US"}
    assert _all_match(crm.postal_code, r"\d{5}")
    assert set(crm.acquisition_channel) <= {
        "organic_search", "paid_search", "social", "referral", "email", "store", "affiliate",
    }  # fmt: skip
    assert set(crm.customer_segment) == {"Premium", "Standard", "Basic"}
    assert crm.email.map(normal_email).notna().all()
    assert crm.phone.map(normal_phone).notna().all()
    assert (crm.email != crm.email.str.lower()).any(), "CRM emails keep their typed case"


def test_accounts_columns_and_formats(clean_export: GenerationReport) -> None:
    accounts = read_accounts(clean_export.out)
    assert _all_match(accounts.account_id, r"ACC-\d{7}")
    assert accounts.account_id.is_unique
    assert _parses(accounts.created_at, "%Y-%m-%dT%H:%M:%SZ")
    assert set(accounts.platform) == {"web", "ios", "android"}
    assert accounts.email.map(normal_email).notna().all()
    assert accounts.phone.isna().any()
    assert accounts.phone.dropna().map(normal_phone).notna().all()
    assert (accounts.email != accounts.email.str.strip()).any(), "some emails carry stray spaces"


def test_loyalty_columns_and_contact_mix(clean_export: GenerationReport) -> None:
    loyalty = read_csv(clean_export.out, "loyalty_members.csv")
    assert list(loyalty.columns) == [
        "member_id",
        "email",
        "phone",
        "tier",
        "points_balance",
        "lifetime_points",
        "enrolled_at",
    ]
    assert _all_match(loyalty.member_id, r"LOY-\d{7}")
    assert loyalty.member_id.is_unique
    assert set(loyalty.tier) == {"Bronze", "Silver", "Gold", "Platinum"}
    balance = loyalty.points_balance.astype(int)
    lifetime = loyalty.lifetime_points.astype(int)
    assert ((balance >= 0) & (balance <= lifetime)).all()
    assert _parses(loyalty.enrolled_at, "%Y-%m-%d")
    both = (loyalty.email.notna() & loyalty.phone.notna()).mean()
    email_only = (loyalty.email.notna() & loyalty.phone.isna()).mean()
    phone_only = (loyalty.email.isna() & loyalty.phone.notna()).mean()
    assert both == pytest.approx(0.7, abs=0.05)
    assert email_only == pytest.approx(0.2, abs=0.04)
    assert phone_only == pytest.approx(0.1, abs=0.03)


def test_products_catalogue(clean_export: GenerationReport) -> None:
    products = read_csv(clean_export.out, "products.csv")
    assert 300 <= len(products) <= 600
    assert _all_match(products.product_id, r"P-\d{5}")
    assert products.product_id.is_unique
    assert products.category.nunique() == 8
    assert products.groupby("category").subcategory.nunique().min() >= 3
    assert _all_match(products.list_price, r"\d+\.\d{2}")
    assert _all_match(products.unit_cost, r"\d+\.\d{2}")
    margin = 1 - products.unit_cost.astype(float) / products.list_price.astype(float)
    assert margin.between(0.195, 0.605).all()
    below = products.stock_on_hand.astype(int) < products.reorder_point.astype(int)
    assert 0 < below.mean() < 0.3


def test_orders_and_lines_schema(clean_export: GenerationReport) -> None:
    orders = pq.read_table(clean_export.out / "orders.parquet")
    assert str(orders.schema.field("order_ts").type) == "timestamp[us, tz=UTC]"
    lines = pq.read_table(clean_export.out / "order_lines.parquet")
    assert [str(t) for t in lines.schema.types] == [
        "string",
        "string",
        "string",
        "int32",
        "double",
        "double",
    ]
    o = orders.to_pandas()
    assert _all_match(o.order_id, r"ORD-\d{9}")
    assert o.order_id.is_unique
    assert set(o.channel) == {"online", "app", "store"}
    assert set(o.payment_method) <= {"card", "cash", "wallet", "cash_on_delivery"}
    store = o.channel == "store"
    assert o.loc[store, "account_id"].isna().all()
    assert o.loc[store, "member_id"].notna().all()
    assert o.loc[~store, "account_id"].notna().all()
    assert o.loc[~store, "member_id"].notna().any()
    assert o.loc[store, ["traffic_source", "ship_city", "ship_state"]].isna().all().all()
    assert set(o.loc[~store, "traffic_source"]) <= {
        "direct", "organic_search", "paid_search", "social", "email", "referral",
    }  # fmt: skip
    assert o.order_ts.min() >= pd.Timestamp("2023-01-01", tz="UTC")
    assert o.order_ts.max() <= pd.Timestamp("2025-12-31 23:59:59", tz="UTC")
    ln = lines.to_pandas()
    assert _all_match(ln.line_id, r"LN-\d{10}")
    assert ln.line_id.is_unique
    assert set(ln.order_id) == set(o.order_id)
    assert ln.groupby("order_id").size().between(1, 5).all()
    assert (ln.quantity >= 1).all()
    assert (ln.discount >= 0).all()
    assert (ln.discount > 0).any()
    assert (ln.unit_price.round(2) == ln.unit_price).all()
    prices = (
        read_csv(clean_export.out, "products.csv").set_index("product_id").list_price.astype(float)
    )
    ratio = ln.unit_price / ln.product_id.map(prices)
    assert ratio.between(0.79, 1.0).all()
    assert (ratio == 1.0).mean() > 0.8


def test_events_layout_and_funnels(clean_export: GenerationReport) -> None:
    events = read_events(clean_export.out)
    days = sorted(p.name for p in (clean_export.out / "app_events").iterdir())
    assert all(re.fullmatch(r"dt=\d{4}-\d{2}-\d{2}", d) for d in days)
    assert all(len(list((clean_export.out / "app_events" / d).iterdir())) == 1 for d in days)
    assert (events.filename.str.extract(r"dt=([\d-]+)")[0] == events.ts.str[:10]).all()
    assert _parses(events.ts, "%Y-%m-%dT%H:%M:%SZ")
    assert "2023-01-01T00:00:00Z" <= events.ts.min() <= events.ts.max() <= "2025-12-31T23:59:59Z"
    assert _all_match(events.event_id, r"EV-\d{12}")
    assert events.event_id.is_unique
    assert set(events.event_type) == {
        "session_start",
        "product_view",
        "add_to_cart",
        "checkout_start",
        "purchase",
    }
    assert set(events.platform) == {"ios", "android", "web"}
    accounts = set(read_accounts(clean_export.out).account_id)
    assert set(events.account_id) <= accounts
    with_product = events.event_type.isin(["product_view", "add_to_cart"])
    assert events.product_id[with_product].notna().all()
    assert events.product_id[~with_product].isna().all()
    first = (
        events.sort_values(["session_id", "ts", "event_id"])
        .groupby("session_id")
        .event_type.first()
    )
    assert (first == "session_start").all()
    per_session = events.groupby("session_id").event_type.agg(set)
    assert per_session.map(lambda s: "purchase" not in s or "checkout_start" in s).all()


def test_tickets_columns_and_formats(clean_export: GenerationReport) -> None:
    tickets = read_csv(clean_export.out, "support_tickets.csv")
    assert _all_match(tickets.ticket_id, r"TCK-\d{7}")
    assert tickets.ticket_id.is_unique
    created = tickets.created_at
    assert "2023-01-01 00:00:00" <= created.min() <= created.max() <= "2025-12-31 23:59:59"
    for column in ("created_at", "first_response_at", "resolved_at"):
        assert _parses(tickets[column], "%Y-%m-%d %H:%M:%S")
    assert set(tickets.status) <= {"open", "pending", "resolved", "closed"}
    assert set(tickets.priority) <= {"low", "medium", "high", "urgent"}
    assert set(tickets.channel) <= {"email", "chat", "phone"}
    assert set(tickets.category) == {
        "delivery",
        "returns",
        "billing",
        "product_quality",
        "account",
        "app_issue",
    }
    assert set(tickets.csat.dropna().astype(int)) <= {1, 2, 3, 4, 5}
    resolved = tickets.status.isin(["resolved", "closed"])
    assert tickets.resolved_at[resolved].notna().all()
    assert tickets.resolved_at[~resolved].isna().all()
    assert tickets.csat[~resolved].isna().all()
    assert (tickets.email.map(normal_email).notna()).all()


def test_defects_json_shape(clean_export: GenerationReport) -> None:
    payload = json.loads((clean_export.out / "_truth" / "defects.json").read_text())
    assert payload["dirty_rate"] == 0.0
    assert payload["seed"] == 11
    assert payload["customers"] == 3000
    assert payload["injected"] == clean_export.defects
    assert all(count == 0 for kinds in payload["injected"].values() for count in kinds.values())
