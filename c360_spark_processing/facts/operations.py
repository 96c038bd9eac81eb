"""Operations facts: each order's status history and fulfilment, service bookings, product views,
and the per-customer service facts.

Everything is cut at as-of like the other facts: an event, a booking or a view dated (business
day) after it does not exist yet, and an order's history only counts for orders that do.
"""

from __future__ import annotations

from datetime import date

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from c360_contract.vocabulary import ORDER_EVENT_STATUSES
from c360_spark_processing.columns import (
    band,
    business_date,
    business_time,
    count_where,
    haversine_km,
    hours_between,
    sum_where,
)
from c360_spark_processing.facts.orders import COMPLETED, with_buyer
from c360_spark_processing.settings import PipelineSettings

IN_STORE = "in_store"
"""distance_band of a store order: sold and handed over at the store, never delivered."""

FACT_ORDER_EVENT_COLUMNS: tuple[str, ...] = (
    "order_id",
    "customer_id",
    "channel",
    "status",
    "ts",
    "event_local_ts",
    "event_date",
)
FACT_FULFILMENT_COLUMNS: tuple[str, ...] = (
    "order_id",
    "customer_id",
    "channel",
    "status",
    "payment_method",
    "payment_status",
    "fulfilment",
    "store_id",
    "order_ts",
    "order_local_ts",
    "order_date",
    "scheduled_for",
    *(f"{s}_at" for s in ORDER_EVENT_STATUSES),
    "delivery_hours",
    "lead_time_hours",
    "promised_at",
    "on_time",
    "city",
    "state",
    "postal_code",
    "lat",
    "lon",
    "distance_km",
    "distance_band",
    "units",
    "gross_amount",
    "net_amount",
)
FACT_BOOKING_COLUMNS: tuple[str, ...] = (
    "booking_id",
    "customer_id",
    "service_id",
    "category",
    "provider_id",
    "booked_at",
    "booked_local_ts",
    "booking_date",
    "scheduled_for",
    "service_date",
    "status",
    "price",
    "revenue",
    "city",
    "state",
    "postal_code",
    "lat",
    "lon",
    "distance_km",
    "distance_band",
    "rating",
)


def order_event_facts(
    events: DataFrame, attributed_orders: DataFrame, as_of: date, settings: PipelineSettings
) -> DataFrame:
    """Status events of the orders up to as-of, themselves dated on or before as-of."""
    timezone = settings.business_timezone
    orders = attributed_orders.select("order_id", "customer_id", "channel")
    return (
        events.withColumn("event_date", business_date(F.col("ts"), timezone))
        .filter(F.col("event_date") <= F.lit(as_of))
        .join(orders, "order_id")
        .withColumn("event_local_ts", business_time(F.col("ts"), timezone))
        .select(*FACT_ORDER_EVENT_COLUMNS)
    )


def _located(
    frame: DataFrame, postal_codes: DataFrame, postal_code: Column, with_city: bool
) -> DataFrame:
    """`frame` with the centroid of a postal code (`_place_lat`, `_place_lon`), and with its
    city and state (`_place_city`, `_place_state`) when asked."""
    places = [
        F.col("postal_code").alias("_place_postal_code"),
        F.col("lat").alias("_place_lat"),
        F.col("lon").alias("_place_lon"),
    ]
    if with_city:
        places += [F.col("city").alias("_place_city"), F.col("state").alias("_place_state")]
    lookup = F.broadcast(postal_codes.select(*places))
    return frame.join(lookup, postal_code == F.col("_place_postal_code"), "left")


def _plus_hours(ts: Column, hours: float) -> Column:
    return F.timestamp_micros(F.unix_micros(ts) + F.lit(round(hours * 3_600_000_000)))


def promised_at(
    order_ts: Column,
    fulfilment: Column,
    scheduled_for: Column,
    channel: Column,
    settings: PipelineSettings,
) -> Column:
    """When an order was promised: a store order at once, a scheduled one by the end of its slot,
    an immediate shipped one within the delivery promise."""
    return (
        F.when(channel == "store", order_ts)
        .when(fulfilment == "scheduled", _plus_hours(scheduled_for, settings.delivery_slot_hours))
        .otherwise(_plus_hours(order_ts, settings.delivery_promise_hours))
    )


def fulfilment_facts(
    attributed_orders: DataFrame,
    order_totals: DataFrame,
    event_facts: DataFrame,
    stores: DataFrame,
    postal_codes: DataFrame,
    settings: PipelineSettings,
) -> DataFrame:
    """One row per order up to as-of: its payment and fulfilment, when it reached each status
    (up to as-of), how long delivery took, whether it was on time, where it went and how far.

    A shipped order's place is its ship-to postal code's centroid and its distance the one from
    the fulfilling store; a store order's place is its store and it has no distance (band
    `in_store`). `on_time` is null until the order is delivered.
    """
    status_at = event_facts.groupBy("order_id").agg(
        *[
            F.min(F.when(F.col("status") == s, F.col("ts"))).alias(f"{s}_at")
            for s in ORDER_EVENT_STATUSES
        ]
    )
    store_places = F.broadcast(
        stores.select(
            "store_id",
            F.col("postal_code").alias("_store_postal_code"),
            F.col("lat").alias("_store_lat"),
            F.col("lon").alias("_store_lon"),
        )
    )
    in_store = F.col("channel") == "store"
    frame = (
        attributed_orders.join(
            order_totals.select("order_id", "units", "gross_amount", "net_amount"), "order_id"
        )
        .join(status_at, "order_id", "left")
        .join(store_places, "store_id", "left")
    )
    place = F.when(in_store, F.col("_store_postal_code")).otherwise(F.col("ship_postal_code"))
    frame = _located(frame, postal_codes, place, with_city=True)
    distance = F.when(
        ~in_store,
        haversine_km(
            F.col("_store_lat"),
            F.col("_store_lon"),
            F.col("_place_lat"),
            F.col("_place_lon"),
            settings.earth_radius_km,
        ),
    )
    promised = promised_at(
        F.col("order_ts"), F.col("fulfilment"), F.col("scheduled_for"), F.col("channel"), settings
    )
    return (
        frame.withColumn("promised_at", promised)
        .withColumn("delivery_hours", hours_between(F.col("order_ts"), F.col("delivered_at")))
        .withColumn(
            "lead_time_hours",
            F.when(
                F.col("fulfilment") == "scheduled",
                hours_between(F.col("order_ts"), F.col("scheduled_for")),
            ),
        )
        .withColumn(
            "on_time",
            F.when(
                F.col("delivered_at").isNotNull(), F.col("delivered_at") <= F.col("promised_at")
            ),
        )
        .withColumn("city", F.col("_place_city"))
        .withColumn("state", F.col("_place_state"))
        .withColumn("postal_code", F.col("_place_postal_code"))
        .withColumn("lat", F.col("_place_lat"))
        .withColumn("lon", F.col("_place_lon"))
        .withColumn("distance_km", distance)
        .withColumn(
            "distance_band",
            F.when(in_store, F.lit(IN_STORE)).otherwise(
                band(F.col("distance_km"), settings.distance_band_edges_km)
            ),
        )
        .select(*FACT_FULFILMENT_COLUMNS)
    )


def booking_facts(
    bookings: DataFrame,
    crosswalk: DataFrame,
    services: DataFrame,
    providers: DataFrame,
    postal_codes: DataFrame,
    as_of: date,
    settings: PipelineSettings,
) -> DataFrame:
    """Bookings made on or before as-of, with their customer (by account, else loyalty card),
    service category, place (the booking postal code's centroid) and distance from the
    provider; revenue is the price of a completed booking."""
    timezone = settings.business_timezone
    catalogue = F.broadcast(services.select("service_id", "category"))
    provider_places = F.broadcast(
        providers.select(
            "provider_id", F.col("lat").alias("_provider_lat"), F.col("lon").alias("_provider_lon")
        )
    )
    dated = bookings.withColumn("booking_date", business_date(F.col("booked_at"), timezone)).filter(
        F.col("booking_date") <= F.lit(as_of)
    )
    frame = _located(
        with_buyer(dated, crosswalk)
        .join(catalogue, "service_id", "left")
        .join(provider_places, "provider_id", "left"),
        postal_codes,
        F.col("postal_code"),
        with_city=False,
    )
    distance = haversine_km(
        F.col("_provider_lat"),
        F.col("_provider_lon"),
        F.col("_place_lat"),
        F.col("_place_lon"),
        settings.earth_radius_km,
    )
    return (
        frame.withColumn("booked_local_ts", business_time(F.col("booked_at"), timezone))
        .withColumn("service_date", business_date(F.col("scheduled_for"), timezone))
        .withColumn(
            "revenue", F.when(F.col("status") == COMPLETED, F.col("price")).otherwise(F.lit(0.0))
        )
        .withColumn("lat", F.col("_place_lat"))
        .withColumn("lon", F.col("_place_lon"))
        .withColumn("distance_km", distance)
        .withColumn("distance_band", band(F.col("distance_km"), settings.distance_band_edges_km))
        .select(*FACT_BOOKING_COLUMNS)
    )


def customer_service_facts(booking_facts: DataFrame) -> DataFrame:
    """Bookings, completed bookings and service spend (completed bookings' price) per customer."""
    completed = F.col("status") == COMPLETED
    return (
        booking_facts.filter(F.col("customer_id").isNotNull())
        .groupBy("customer_id")
        .agg(
            F.count("*").cast("int").alias("service_bookings"),
            count_where(completed).alias("completed_bookings"),
            sum_where(completed, F.col("price")).alias("service_spend"),
        )
    )


def product_view_facts(
    app_events: DataFrame, sessions: DataFrame, as_of: date, settings: PipelineSettings
) -> DataFrame:
    """Per business day and product: product-view events, the sessions that viewed it (dated by
    their first view of it), those that added it to the cart and those that ended in a purchase.

    Whether a session bought comes from `sessions` (`event_sessions`: its purchases up to as-of),
    by session id, so only the product events are shuffled, once: flagging the purchase over a
    window by session id sorted every event (18M at 1M customers).
    """
    event = F.col("event_type")
    viewed = event == "product_view"
    # The join key: events without a session id are one session, as a window over them was, and
    # no id can be taken for it ("s:" + id, else "-").
    session = F.coalesce(F.concat(F.lit("s:"), F.col("session_id")), F.lit("-"))
    converted = sessions.groupBy(session.alias("_session")).agg(
        F.max(F.col("purchases") > 0).alias("_converted")
    )
    per_session = (
        app_events.withColumn("_day", business_date(F.col("ts"), settings.business_timezone))
        .filter(F.col("_day") <= F.lit(as_of))
        .filter(F.col("product_id").isNotNull() & event.isin("product_view", "add_to_cart"))
        # Partitioned by session alone, the aggregation below and the join share one shuffle.
        .withColumn("_session", session)
        .repartition("_session")
        .groupBy("_session", "product_id")
        .agg(
            F.min(F.when(viewed, F.col("_day"))).alias("view_date"),
            count_where(viewed).alias("_views"),
            F.max(event == "add_to_cart").alias("_carted"),
        )
        .filter(F.col("_views") > 0)
    )
    return (
        per_session.join(converted, "_session", "left")
        .groupBy("view_date", "product_id")
        .agg(
            F.sum("_views").cast("int").alias("views"),
            F.count("*").cast("int").alias("viewing_sessions"),
            count_where(F.col("_carted")).alias("cart_sessions"),
            count_where(F.col("_converted")).alias("converting_sessions"),
        )
    )
