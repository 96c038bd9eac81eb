"""Business days and hours: UTC instants read on the business timezone's clock, at every boundary
(local midnight, daylight-saving changes, the as-of cut). Expected values are written by hand and
checked against zoneinfo, never against the code under test."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from chispa import assert_df_equality
from pydantic import ValidationError
from pyspark.sql import functions as F

from c360_spark_processing.columns import business_date, business_time
from c360_spark_processing.facts.orders import attribute_orders
from c360_spark_processing.facts.support import customer_support_facts, ticket_facts
from c360_spark_processing.pipeline import default_as_of
from c360_spark_processing.settings import PipelineSettings

NEW_YORK = "America/New_York"
AS_OF = date(2025, 12, 31)


def _utc(text: str) -> datetime:
    """A naive datetime holding the UTC wall clock (Spark's session timezone is UTC)."""
    return datetime.fromisoformat(text)


# (UTC instant, New York wall clock): midnight, both daylight-saving changes of 2025, summer.
CLOCK_CASES = [
    ("2025-01-02 03:30:00", "2025-01-01 22:30:00"),  # the example: hour 22, 1 January
    ("2025-01-02 04:59:59", "2025-01-01 23:59:59"),  # last second of the local day (EST, -5)
    ("2025-01-02 05:00:00", "2025-01-02 00:00:00"),  # local midnight
    ("2025-03-09 06:59:59", "2025-03-09 01:59:59"),  # spring forward: last EST second
    ("2025-03-09 07:00:00", "2025-03-09 03:00:00"),  # ... first EDT second (02:xx never shows)
    ("2025-07-01 03:59:59", "2025-06-30 23:59:59"),  # summer midnight is 04:00Z (EDT, -4)
    ("2025-07-01 04:00:00", "2025-07-01 00:00:00"),
    ("2025-11-02 05:30:00", "2025-11-02 01:30:00"),  # fall back: 01:30 EDT ...
    ("2025-11-02 06:30:00", "2025-11-02 01:30:00"),  # ... and 01:30 EST, an hour later
    ("2025-11-03 04:59:59", "2025-11-02 23:59:59"),  # the 25-hour day ends at 05:00Z
    ("2026-01-01 02:00:00", "2025-12-31 21:00:00"),  # a UTC new year still in the old local one
]


def test_expected_clocks_agree_with_zoneinfo() -> None:
    zone = ZoneInfo(NEW_YORK)
    for instant, wall in CLOCK_CASES:
        local = _utc(instant).replace(tzinfo=UTC).astimezone(zone)
        assert local.replace(tzinfo=None) == datetime.fromisoformat(wall), instant


def test_business_time_and_date(spark) -> None:
    df = spark.createDataFrame([(_utc(i),) for i, _ in CLOCK_CASES], "ts timestamp")
    got = df.select(
        "ts",
        business_time(F.col("ts"), NEW_YORK).alias("local"),
        business_date(F.col("ts"), NEW_YORK).alias("day"),
    )
    expected = spark.createDataFrame(
        [
            (_utc(i), datetime.fromisoformat(w), datetime.fromisoformat(w).date())
            for i, w in CLOCK_CASES
        ],
        "ts timestamp, local timestamp_ntz, day date",
    )
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_the_setting_picks_the_clock(spark) -> None:
    df = spark.createDataFrame([(_utc("2025-01-02 03:30:00"),)], "ts timestamp")
    row = df.select(
        business_date(F.col("ts"), "UTC").alias("utc"),
        business_date(F.col("ts"), "Asia/Tokyo").alias("tokyo"),
        F.hour(business_time(F.col("ts"), "America/Los_Angeles")).alias("la_hour"),
    ).first()
    assert row is not None
    assert (row.utc, row.tokyo, row.la_hour) == (date(2025, 1, 2), date(2025, 1, 2), 19)


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Paris", "UTC", "Asia/Kolkata"])
def test_settings_take_an_iana_zone(zone: str) -> None:
    assert PipelineSettings(business_timezone=zone).business_timezone == zone


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "+05:00", "", "New York"])
def test_settings_refuse_anything_else(zone: str) -> None:
    with pytest.raises(ValidationError, match="business_timezone must be an IANA zone name"):
        PipelineSettings(business_timezone=zone)


def test_default_business_timezone_is_new_york() -> None:
    assert PipelineSettings().business_timezone == NEW_YORK


def _orders(spark, rows: list[tuple[str, str]]):
    return spark.createDataFrame(
        [(order_id, "ACC1", None, "online", _utc(ts), "completed") for order_id, ts in rows],
        "order_id string, account_id string, member_id string, channel string, "
        "order_ts timestamp, status string",
    )


def test_orders_are_cut_at_the_business_as_of_day(spark) -> None:
    """As-of 2025-12-31 in New York ends at 2026-01-01T05:00Z (exclusive)."""
    orders = _orders(
        spark,
        [
            ("O1", "2026-01-01 02:00:00"),  # 21:00 on 31 Dec: inside
            ("O2", "2026-01-01 04:59:59"),  # 23:59:59 on 31 Dec: inside
            ("O3", "2026-01-01 05:00:00"),  # 00:00 on 1 Jan: outside
            ("O4", "2025-12-31 04:59:59"),  # 23:59:59 on 30 Dec
        ],
    )
    crosswalk = spark.createDataFrame(
        [("ecommerce", "ACC1", "C1")], "source string, source_record_id string, customer_id string"
    )
    got = attribute_orders(orders, crosswalk, AS_OF, PipelineSettings()).select(
        "order_id", "order_local_ts", "order_date"
    )
    expected = spark.createDataFrame(
        [
            ("O1", datetime(2025, 12, 31, 21, 0, 0), date(2025, 12, 31)),
            ("O2", datetime(2025, 12, 31, 23, 59, 59), date(2025, 12, 31)),
            ("O4", datetime(2025, 12, 30, 23, 59, 59), date(2025, 12, 30)),
        ],
        "order_id string, order_local_ts timestamp_ntz, order_date date",
    )
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)
    in_utc = attribute_orders(orders, crosswalk, AS_OF, PipelineSettings(business_timezone="UTC"))
    assert sorted(r.order_id for r in in_utc.collect()) == ["O4"]


def test_default_as_of_is_the_business_day_of_the_latest_order(spark) -> None:
    orders = _orders(spark, [("O1", "2025-12-30 12:00:00"), ("O2", "2026-01-01 04:59:59")])
    assert default_as_of(orders, PipelineSettings()) == date(2025, 12, 31)
    assert default_as_of(orders, PipelineSettings(business_timezone="UTC")) == date(2026, 1, 1)


def test_tickets_are_dated_on_the_business_clock(spark) -> None:
    """Created at 02:00Z on 1 January 2026 is 31 December in New York: inside as-of, and the
    customer's last ticket day; 05:00Z is 1 January and ignored. A ticket at 03:30Z on
    2025-01-01 is 31 December 2024: exactly 365 days before as-of, outside the 365-day window."""
    tickets = spark.createDataFrame(
        [
            ("T1", _utc("2026-01-01 02:00:00"), 5),
            ("T2", _utc("2026-01-01 05:00:00"), 1),
            ("T3", _utc("2025-01-01 03:30:00"), 1),
            ("T4", _utc("2025-01-01 05:00:00"), 3),
        ],
        "ticket_id string, created_at timestamp, csat int",
    ).selectExpr(
        "ticket_id", "'a@x.com' AS email", "created_at",
        "CAST(NULL AS timestamp) AS first_response_at", "CAST(NULL AS timestamp) AS resolved_at",
        "'email' AS channel", "'billing' AS category", "'low' AS priority",
        "'closed' AS status", "csat",
    )  # fmt: skip
    crosswalk = spark.createDataFrame(
        [("support", t, "C1") for t in ("T1", "T2", "T3", "T4")],
        "source string, source_record_id string, customer_id string",
    )
    settings = PipelineSettings()
    facts = ticket_facts(tickets, crosswalk, AS_OF, settings)
    assert sorted(r.ticket_id for r in facts.collect()) == ["T1", "T3", "T4"]
    row = customer_support_facts(facts, AS_OF, settings).first()
    assert row is not None
    assert (row.total_tickets, row.tickets_last_365d, row.avg_csat_last_365d) == (3, 2, 4.0)
    assert row.last_ticket_date == date(2025, 12, 31)
