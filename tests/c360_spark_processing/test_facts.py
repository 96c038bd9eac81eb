"""Facts on the tiny world: order money against pandas, per-customer facts by hand."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from c360_spark_processing.facts.digital import customer_digital_facts, event_sessions
from c360_spark_processing.settings import PipelineSettings
from tests.c360_spark_processing.analytics_world import AS_OF, built_world, contract_columns


@pytest.fixture(scope="module")
def facts_and_world(spark):
    frames, facts, _ = built_world(spark)
    return facts, frames


def _expected_fact_orders(frames) -> pd.DataFrame:
    """fact_orders recomputed with pandas from the raw frames."""
    orders = frames["orders"].toPandas()
    lines = (
        frames["order_lines"]
        .toPandas()
        .merge(frames["products"].toPandas()[["product_id", "unit_cost"]], on="product_id")
    )
    xw = frames["crosswalk"].toPandas()
    ids = dict(zip(zip(xw.source, xw.source_record_id, strict=True), xw.customer_id, strict=True))
    local = orders.order_ts.dt.tz_localize("UTC").dt.tz_convert("America/New_York")
    orders["order_date"] = local.dt.date
    orders = orders[orders.order_date <= AS_OF].copy()
    orders["customer_id"] = [
        ids[("ecommerce", a)] if isinstance(a, str) else ids[("loyalty", m)]
        for a, m in zip(orders.account_id, orders.member_id, strict=True)
    ]
    lines["amount"] = lines.quantity * lines.unit_price - lines.discount
    lines["cost"] = lines.quantity * lines.unit_cost
    totals = lines.groupby("order_id").agg(
        items=("line_id", "count"), units=("quantity", "sum"), gross_amount=("amount", "sum"),
        discount_amount=("discount", "sum"), cost_amount=("cost", "sum"),
    )  # fmt: skip
    out = orders.merge(totals, on="order_id")
    out["net_amount"] = out.gross_amount.where(out.status == "completed", 0.0)
    return out


def test_fact_orders_match_pandas(facts_and_world):
    facts, frames = facts_and_world
    got = facts.fact_orders.toPandas()
    assert list(got.columns) == contract_columns_fact_orders()
    exp = _expected_fact_orders(frames)
    cols = ["order_id", "customer_id", "order_date", "status", "items", "units", "gross_amount",
            "discount_amount", "cost_amount", "net_amount"]  # fmt: skip
    got_rows = sorted(map(tuple, got[cols].to_numpy().tolist()))
    exp_rows = sorted(map(tuple, exp[cols].to_numpy().tolist()))
    assert got_rows == exp_rows
    assert "O7" not in set(got.order_id)  # after as-of


def contract_columns_fact_orders() -> list[str]:
    return [
        "order_id", "customer_id", "channel", "order_ts", "order_local_ts", "order_date", "status",
        "payment_method", "traffic_source", "items", "units", "gross_amount", "discount_amount",
        "cost_amount", "net_amount",
    ]  # fmt: skip


def test_lines_and_tickets(facts_and_world):
    facts, _ = facts_and_world
    lines = {r.line_id: r for r in facts.fact_order_lines.collect()}
    assert set(lines) == {"L1", "L2", "L3", "L4", "L5", "L6", "L7", "L9"}
    assert (lines["L1"].line_amount, lines["L1"].line_cost, lines["L1"].category) == (
        19.0,
        8.0,
        "Alpha",
    )
    tickets = {r.ticket_id: r for r in facts.fact_support_tickets.collect()}
    assert set(tickets) == {"T1", "T2", "T3"}  # T4 is after as-of
    assert (tickets["T1"].first_response_hours, tickets["T1"].resolution_hours) == (2.5, 24.0)
    assert tickets["T2"].first_response_hours is None


def test_customer_facts_by_hand(facts_and_world):
    facts, _ = facts_and_world
    c1 = facts.customer_orders.filter("customer_id = 'C1'").first().asDict()
    assert {k: c1[k] for k in ("total_orders", "refunded_orders", "cancelled_orders")} == {
        "total_orders": 2,
        "refunded_orders": 1,
        "cancelled_orders": 0,
    }
    # completed O1 (19 + 50) and O2 (10); refunded O3 (50); costs 8 + 10 + 4
    assert (c1["net_revenue"], c1["gross_revenue"], c1["refunded_amount"]) == (79.0, 129.0, 50.0)
    assert (c1["total_cost"], c1["net_margin"], c1["avg_order_value"]) == (22.0, 57.0, 39.5)
    assert (c1["first_order_date"], c1["last_order_date"]) == (date(2025, 6, 15), date(2025, 12, 1))
    assert (c1["channels_used"], c1["preferred_channel"]) == (["online", "store"], "online")
    assert (c1["favorite_category"], c1["categories_purchased"]) == ("Beta", ["Alpha", "Beta"])
    assert (c1["total_units"], c1["spend_last_365d"]) == (4, 79.0)

    digital = facts.customer_digital.first().asDict()  # only C1 has events
    assert digital == {
        "customer_id": "C1", "total_sessions": 2, "app_sessions": 1, "web_sessions": 1,
        "sessions_last_90d": 1, "product_views": 3, "add_to_carts": 1, "checkout_starts": 0,
        "app_purchases": 1, "converting_sessions": 1, "last_session_date": date(2025, 12, 30),
        "uses_app": True, "digital_conversion_rate": 0.5,
    }  # fmt: skip

    support = {r.customer_id: r.asDict() for r in facts.customer_support.collect()}
    assert support["C1"] == {
        "customer_id": "C1", "total_tickets": 2, "open_tickets": 0, "tickets_last_365d": 1,
        "avg_csat": 2.5, "avg_csat_last_365d": 4.0, "low_csat_tickets": 1,
        "avg_first_response_hours": 1.75, "avg_resolution_hours": 24.0,
        "last_ticket_date": date(2025, 12, 10),
    }  # fmt: skip
    assert (support["C2"]["open_tickets"], support["C2"]["avg_csat"]) == (1, None)


def test_published_fact_columns_follow_contract(facts_and_world):
    facts, _ = facts_and_world
    assert facts.fact_order_lines.columns == [
        "line_id", "order_id", "customer_id", "product_id", "category", "quantity", "unit_price",
        "discount", "line_amount", "line_cost", "status", "channel", "order_date",
    ]  # fmt: skip
    assert facts.fact_support_tickets.columns[-2:] == ["first_response_hours", "resolution_hours"]
    assert contract_columns("customer_profile")[0] == "birth_year"


def test_conversion_counts_sessions_not_purchase_events(spark):
    """Two purchases in one session convert it once: 1 of 2 sessions, a rate of 0.5 (not 1.0)."""
    events = spark.createDataFrame(
        [
            ("ACC1", "S1", datetime(2025, 12, 1, 10, 0), "web", "session_start"),
            ("ACC1", "S1", datetime(2025, 12, 1, 10, 5), "web", "purchase"),
            ("ACC1", "S1", datetime(2025, 12, 1, 10, 9), "web", "purchase"),
            ("ACC1", "S2", datetime(2025, 12, 2, 10, 0), "ios", "session_start"),
        ],
        "account_id string, session_id string, ts timestamp, platform string, event_type string",
    ).selectExpr("*", "CAST(NULL AS string) AS traffic_source")
    crosswalk = spark.createDataFrame(
        [("ecommerce", "ACC1", "C1")], "source string, source_record_id string, customer_id string"
    )
    settings = PipelineSettings()
    sessions = event_sessions(events, crosswalk, AS_OF, settings)
    (row,) = customer_digital_facts(sessions, AS_OF, settings).collect()
    assert (row.total_sessions, row.app_purchases, row.converting_sessions) == (2, 2, 1)
    assert row.digital_conversion_rate == 0.5
