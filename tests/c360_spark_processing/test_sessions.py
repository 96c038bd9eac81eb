"""fact_sessions and the sessions the customer facts share with it, on hand-made events."""

from __future__ import annotations

from datetime import date, datetime

from chispa import assert_df_equality

from c360_spark_processing.facts.digital import (
    customer_digital_facts,
    event_sessions,
    session_facts,
)
from c360_spark_processing.settings import PipelineSettings

AS_OF = date(2025, 12, 31)


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)  # UTC wall clock (the session timezone)


EVENTS = [
    # S1 starts at 23:30 on 31 Dec in New York (04:30Z on 1 Jan): inside as-of, dated 31 Dec;
    # its purchase at 00:10 local on 1 Jan is after as-of and ignored, so it did not convert.
    ("ACC1", "S1", "2026-01-01 04:30:00", "ios", "session_start", "email"),
    ("ACC1", "S1", "2026-01-01 04:31:00", "ios", "product_view", None),
    ("ACC1", "S1", "2026-01-01 04:32:00", "ios", "add_to_cart", None),
    ("ACC1", "S1", "2026-01-01 05:10:00", "ios", "purchase", None),
    # S2: no session_start; counted for the customer, absent from fact_sessions.
    ("ACC1", "S2", "2025-10-01 12:00:00", "web", "product_view", "direct"),
    ("ACC1", "S2", "2025-10-01 12:05:00", "web", "purchase", None),
    # S3 starts at 00:00 on 1 Jan in New York: after as-of.
    ("ACC1", "S3", "2026-01-01 05:00:00", "web", "session_start", "social"),
    # S4: an account the crosswalk does not know; converted twice, once per session.
    ("ACC9", "S4", "2025-06-01 15:00:00", "web", "session_start", None),
    ("ACC9", "S4", "2025-06-01 15:01:00", "web", "checkout_start", None),
    ("ACC9", "S4", "2025-06-01 15:02:00", "web", "purchase", None),
    ("ACC9", "S4", "2025-06-01 15:03:00", "web", "purchase", None),
    # S5: two session_start events; the earliest one dates and places the session.
    ("ACC1", "S5", "2025-09-01 13:00:00", "android", "session_start", "paid_search"),
    ("ACC1", "S5", "2025-09-01 12:00:00", "android", "session_start", "referral"),
]


def _sessions(spark):
    events = spark.createDataFrame(
        [(a, s, _ts(t), p, e, src) for a, s, t, p, e, src in EVENTS],
        "account_id string, session_id string, ts timestamp, platform string, "
        "event_type string, traffic_source string",
    )
    crosswalk = spark.createDataFrame(
        [("ecommerce", "ACC1", "C1"), ("crm", "ACC9", "C9")],
        "source string, source_record_id string, customer_id string",
    )
    return event_sessions(events, crosswalk, AS_OF, PipelineSettings())


FACT_SESSIONS = [
    ("S1", "C1", _ts("2026-01-01 04:30:00"), date(2025, 12, 31), "ios", "email", 3, 1, 1, 0, False),
    ("S4", None, _ts("2025-06-01 15:00:00"), date(2025, 6, 1), "web", None, 4, 0, 0, 1, True),
    ("S5", "C1", _ts("2025-09-01 12:00:00"), date(2025, 9, 1), "android", "referral",
     2, 0, 0, 0, False),
]  # fmt: skip


def test_fact_sessions(spark):
    got = session_facts(_sessions(spark), PipelineSettings())
    expected = spark.createDataFrame(
        FACT_SESSIONS,
        "session_id string, customer_id string, started_at timestamp, session_date date, "
        "platform string, traffic_source string, events int, product_views int, "
        "add_to_carts int, checkout_starts int, converted boolean",
    )
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_every_session_up_to_as_of_is_kept_for_the_count(spark):
    sessions = _sessions(spark)
    assert sorted(r.session_id for r in sessions.collect()) == ["S1", "S2", "S4", "S5"]
    assert sessions.filter("start IS NULL").count() == 1  # S2: left out of fact_sessions


def test_customer_facts_count_sessions_without_a_start(spark):
    """C1: S1 (app, 31 Dec), S2 (web, converted) and S5 (app): S4 belongs to nobody."""
    (row,) = customer_digital_facts(_sessions(spark), AS_OF, PipelineSettings()).collect()
    assert row.asDict() == {
        "customer_id": "C1", "total_sessions": 3, "app_sessions": 2, "web_sessions": 1,
        "sessions_last_90d": 1, "product_views": 2, "add_to_carts": 1, "checkout_starts": 0,
        "app_purchases": 1, "converting_sessions": 1, "last_session_date": date(2025, 12, 31),
        "uses_app": True, "digital_conversion_rate": 0.3333,
    }  # fmt: skip


def test_a_session_without_an_account_id_keeps_its_start(spark):
    """Null keys group together, and the start event is matched to them null-safely."""
    events = spark.createDataFrame(
        [
            (None, "S6", _ts("2025-05-01 10:00:00"), "web", "session_start", "social"),
            (None, "S6", _ts("2025-05-01 10:01:00"), "web", "product_view", None),
            (None, None, _ts("2025-05-01 11:00:00"), "ios", "session_start", "email"),
        ],
        "account_id string, session_id string, ts timestamp, platform string, "
        "event_type string, traffic_source string",
    )
    crosswalk = spark.createDataFrame(
        [], "source string, source_record_id string, customer_id string"
    )
    rows = {
        r.session_id: r
        for r in event_sessions(events, crosswalk, AS_OF, PipelineSettings()).collect()
    }
    assert set(rows) == {"S6", None}
    assert (rows["S6"].events, rows["S6"].product_views) == (2, 1)
    assert (rows["S6"].start.platform, rows["S6"].start.traffic_source) == ("web", "social")
    assert (rows[None].events, rows[None].start.platform) == (1, "ios")
