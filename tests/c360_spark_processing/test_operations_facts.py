"""Operations facts on the hand-made world (analytics_world): fulfilment, status events, bookings,
product views and the profile's service columns, with exact values worked out by hand."""

from __future__ import annotations

from datetime import date, datetime
from math import pi
from typing import Any

import pytest
from pyspark.sql import functions as F

from c360_spark_processing.columns import band, haversine_km
from c360_spark_processing.facts.operations import (
    FACT_BOOKING_COLUMNS,
    FACT_FULFILMENT_COLUMNS,
)
from tests.c360_spark_processing.analytics_world import built_world

pytestmark = pytest.mark.spark

KM_PER_DEGREE = 6371.0 * pi / 180
NO_EVENTS = dict.fromkeys(
    (
        "placed_at", "paid_at", "packed_at", "shipped_at", "delivered_at", "cancelled_at",
        "payment_failed_at", "refunded_at",
    )
)  # fmt: skip


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def built(spark):
    return built_world(spark)


@pytest.fixture(scope="module")
def fulfilment(built) -> dict[str, dict[str, Any]]:
    _, facts, _ = built
    return {r.order_id: r.asDict() for r in facts.fact_order_fulfilment.collect()}


def test_fulfilment_columns_and_orders_up_to_as_of(built, fulfilment) -> None:
    _, facts, _ = built
    assert tuple(facts.fact_order_fulfilment.columns) == FACT_FULFILMENT_COLUMNS
    assert sorted(fulfilment) == ["O1", "O2", "O3", "O4", "O5", "O6", "O8"]


def test_scheduled_order_from_another_city(fulfilment) -> None:
    o1 = fulfilment["O1"]
    assert {k: o1[k] for k in NO_EVENTS} == {
        **NO_EVENTS,
        "placed_at": _ts("2025-12-01 10:00:00"),
        "paid_at": _ts("2025-12-01 10:05:00"),
        "packed_at": _ts("2025-12-02 09:00:00"),
        "shipped_at": _ts("2025-12-02 12:00:00"),
        "delivered_at": _ts("2025-12-03 16:00:00"),
        # its refund (2026-01-03) is after as-of
    }
    assert (o1["delivery_hours"], o1["lead_time_hours"]) == (54.0, 53.0)
    # Slot 15:00 plus the 2 h slot: delivered at 16:00 is on time.
    assert (o1["promised_at"], o1["on_time"]) == (_ts("2025-12-03 17:00:00"), True)
    assert (o1["city"], o1["postal_code"], o1["lat"], o1["lon"]) == ("Austin", "73301", 30.0, -97.0)
    # One degree of latitude: 6371 * pi / 180 = 111.19493 km.
    assert (o1["store_id"], o1["distance_km"], o1["distance_band"]) == ("ST2", 111.195, "30+")
    assert (o1["payment_status"], o1["fulfilment"]) == ("captured", "scheduled")


def test_immediate_order_one_hour_past_the_promise(fulfilment) -> None:
    o3 = fulfilment["O3"]
    assert (o3["delivery_hours"], o3["lead_time_hours"]) == (73.0, None)
    assert (o3["promised_at"], o3["on_time"]) == (_ts("2025-11-04 08:00:00"), False)
    assert o3["refunded_at"] == _ts("2025-11-10 10:00:00")
    assert (o3["distance_km"], o3["distance_band"]) == (11.119, "5-15")
    assert (o3["gross_amount"], o3["net_amount"], o3["units"]) == (50.0, 0.0, 1)


def test_store_orders_are_delivered_at_once_at_the_store(fulfilment) -> None:
    o2 = fulfilment["O2"]
    assert (o2["delivery_hours"], o2["on_time"], o2["promised_at"]) == (
        0.0,
        True,
        _ts("2025-06-15 09:00:00"),
    )
    assert (o2["postal_code"], o2["lat"], o2["distance_km"], o2["distance_band"]) == (
        "73302",
        30.1,
        None,
        "in_store",
    )
    o8 = fulfilment["O8"]
    assert (o8["payment_failed_at"], o8["delivered_at"], o8["on_time"]) == (
        _ts("2025-10-01 12:00:00"),
        None,
        None,
    )


def test_orders_without_delivery_have_no_on_time(fulfilment) -> None:
    assert fulfilment["O4"]["cancelled_at"] == _ts("2025-12-20 09:00:00")
    for order in ("O4", "O5", "O6"):
        row = fulfilment[order]
        assert (row["delivered_at"], row["delivery_hours"], row["on_time"]) == (None, None, None)
    assert {k: fulfilment["O5"][k] for k in NO_EVENTS} == NO_EVENTS


def test_order_events_up_to_as_of(built) -> None:
    _, facts, _ = built
    events = facts.fact_order_events
    rows = {(r.order_id, r.status): r for r in events.collect()}
    assert len(rows) == 19
    assert ("O1", "refunded") not in rows
    assert not any(o == "O7" for o, _ in rows)
    o4 = rows[("O4", "cancelled")]
    assert (o4.customer_id, o4.channel, o4.event_date, o4.event_local_ts) == (
        "C2",
        "app",
        date(2025, 12, 20),
        datetime(2025, 12, 20, 4, 0, 0),
    )


@pytest.mark.parametrize(
    ("km", "label"),
    [
        (0.0, "0-5"),
        (4.999, "0-5"),
        (5.0, "5-15"),
        (14.999, "5-15"),
        (15.0, "15-30"),
        (29.999, "15-30"),
        (30.0, "30+"),
        (30.001, "30+"),
    ],
)
def test_distance_bands_at_their_edges(spark, km: float, label: str) -> None:
    """A point `km` north along a meridian, at the 6 decimals the exports carry: its distance
    reads `km` to the metre and falls in the band that value starts."""
    lat = round(km / KM_PER_DEGREE, 6)
    frame = spark.createDataFrame(
        [(0.0, 10.0, lat, 10.0)], "a double, b double, c double, d double"
    )
    distance = haversine_km(F.col("a"), F.col("b"), F.col("c"), F.col("d"), 6371.0)
    row = (
        frame.select(distance.alias("km"))
        .select("km", band(F.col("km"), [5.0, 15.0, 30.0]))
        .first()
    )
    assert row is not None
    assert (row[0], row[1]) == (km, label)


def test_bookings(built) -> None:
    _, facts, _ = built
    assert tuple(facts.fact_service_bookings.columns) == FACT_BOOKING_COLUMNS
    rows = {r.booking_id: r.asDict() for r in facts.fact_service_bookings.collect()}
    assert sorted(rows) == ["B1", "B2", "B4"], "B3 is booked after as-of"
    b1, b2, b4 = rows["B1"], rows["B2"], rows["B4"]
    assert (b1["customer_id"], b1["category"], b1["revenue"], b1["rating"]) == (
        "C1",
        "Installation",
        100.0,
        5,
    )
    assert (b1["booking_date"], b1["service_date"]) == (date(2025, 12, 5), date(2025, 12, 7))
    assert (b1["distance_km"], b1["distance_band"]) == (0.0, "0-5")
    # A booking by loyalty card only, cancelled and never rated.
    assert (b2["customer_id"], b2["revenue"], b2["rating"], b2["distance_band"]) == (
        "C4",
        0.0,
        None,
        "5-15",
    )
    assert (b4["customer_id"], b4["status"], b4["revenue"], b4["distance_km"]) == (
        "C2",
        "no_show",
        0.0,
        111.195,
    )


def test_product_views(built) -> None:
    _, facts, _ = built
    rows = sorted(tuple(r) for r in facts.fact_product_views.collect())
    assert rows == [
        # S2 viewed P2 twice and did not buy; S1 viewed, carted and bought P1; S3 is after as-of.
        (date(2025, 9, 1), "P2", 2, 1, 0, 0),
        (date(2025, 12, 30), "P1", 1, 1, 1, 1),
    ]


def test_profile_service_columns(built) -> None:
    _, _, profile = built
    got = {
        r.customer_id: (r.service_bookings, r.completed_bookings, r.service_spend)
        for r in profile.collect()
    }
    assert got == {
        "C1": (1, 1, 100.0),
        "C2": (1, 0, 0.0),
        "C3": (0, 0, 0.0),
        "C4": (1, 0, 0.0),
    }
