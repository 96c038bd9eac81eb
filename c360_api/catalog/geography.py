"""Geography (any data scope): where orders go, how far they travel from the fulfilling store,
how each state is served, and how far orders and bookings are from the store or provider.

An order's place is its ship-to postal code (a store order's: its store's), with that postal
code's centroid; a city's coordinates are the mean of its postal codes' centroids. Distances are
haversine kilometres (docs/metrics.md, Operations). Postal codes here count orders, never one
order or customer, so they place no person.
"""

from __future__ import annotations

from c360_api.catalog.order_operations import BAND_ORDER, SHIPPED
from c360_api.catalog.sql import bands, by_months_and_days
from c360_contract.catalog import Chart, Metric, Param, RowModel, Sql, Table, example
from c360_contract.scopes import DATA_SCOPES

AREA = "geography"
DISTANCE_BINS = bands((0, 5, 15, 30, 50, 100), "100+")
_IN_WINDOW = "order_date BETWEEN $start AND $end"


class CityPointRow(RowModel):
    model_config = example(
        city="Austin", state="TX", lat=30.27, lon=-97.74, orders=1_240, completed_orders=1_090,
        revenue=101_000.0,
    )  # fmt: skip
    city: str | None
    state: str | None
    lat: float | None
    lon: float | None
    orders: int
    completed_orders: int
    revenue: float


class PostalPointRow(RowModel):
    model_config = example(
        postal_code="78745", city="Austin", state="TX", lat=30.208, lon=-97.79, orders=31,
        completed_orders=27, revenue=2_480.0,
    )  # fmt: skip
    postal_code: str | None
    city: str | None
    state: str | None
    lat: float | None
    lon: float | None
    orders: int
    completed_orders: int
    revenue: float


class DeliveryZoneRow(RowModel):
    model_config = example(
        distance_band="5-15",
        orders=3_200,
        delivered=3_050,
        avg_delivery_hours=32.2,
        on_time_rate_pct=98.9,
        pct_of_orders=38.7,
    )
    distance_band: str
    orders: int
    delivered: int
    avg_delivery_hours: float | None
    on_time_rate_pct: float | None
    pct_of_orders: float | None


class StatePerformanceRow(RowModel):
    model_config = example(
        state="TX",
        orders=2_900,
        completed_orders=2_550,
        revenue=238_000.0,
        shipped_orders=1_700,
        delivered=1_620,
        avg_delivery_hours=35.1,
        on_time_rate_pct=96.4,
    )
    state: str | None
    orders: int
    completed_orders: int
    revenue: float
    shipped_orders: int
    delivered: int
    avg_delivery_hours: float | None
    on_time_rate_pct: float | None


class DistanceBinRow(RowModel):
    model_config = example(kind="orders", distance_band="5-15", count=3_200, pct=38.7)
    kind: str
    distance_band: str
    count: int
    pct: float | None


class RadiusRow(RowModel):
    model_config = example(
        kind="bookings",
        service_radius_km=25,
        count=1_632,
        beyond_radius=240,
        beyond_radius_pct=14.71,
        avg_distance_km=14.2,
    )
    kind: str
    service_radius_km: int
    count: int
    beyond_radius: int
    beyond_radius_pct: float | None
    avg_distance_km: float | None


_PLACES = (
    "sum(l.orders)::BIGINT AS orders, sum(l.completed_orders)::BIGINT AS completed_orders, "
    "round(sum(l.revenue), 2) AS revenue"
)
# Each place's rows of the window, whole months from `location_months`.
_LOCATIONS = by_months_and_days("location_daily", "location_months", "order_date")
# Each place's sums over the window: a few thousand rows, which the queries below join and group.
_PLACES_IN_WINDOW = f"""SELECT postal_code, city, state, sum(orders) AS orders,
    sum(completed_orders) AS completed_orders, sum(revenue) AS revenue FROM ({_LOCATIONS})
    GROUP BY ALL"""

CITY_POINTS = Sql(f"""
WITH c AS (SELECT city, state, avg(lat) AS lat, avg(lon) AS lon FROM dim_postal_codes GROUP BY ALL)
SELECT l.city, l.state, round(any_value(c.lat), 6) AS lat, round(any_value(c.lon), 6) AS lon,
       {_PLACES}
FROM ({_PLACES_IN_WINDOW}) l LEFT JOIN c USING (city, state)
GROUP BY l.city, l.state ORDER BY orders DESC, revenue DESC, l.city, l.state
""")

POSTAL_POINTS = Sql(f"""
SELECT l.postal_code, l.city, l.state, any_value(p.lat) AS lat, any_value(p.lon) AS lon, {_PLACES}
FROM ({_PLACES_IN_WINDOW}) l LEFT JOIN dim_postal_codes p USING (postal_code)
GROUP BY l.postal_code, l.city, l.state
ORDER BY orders DESC, revenue DESC, l.postal_code LIMIT $limit
""")

DELIVERY_ZONES = Sql(f"""
SELECT distance_band, sum(orders)::BIGINT AS orders,
       sum(delivered)::BIGINT AS delivered,
       round(sum(delivery_hours) / nullif(sum(delivered), 0), 2) AS avg_delivery_hours,
       round(100.0 * sum(on_time) / nullif(sum(delivered), 0), 2) AS on_time_rate_pct,
       round(100.0 * sum(orders) / sum(sum(orders)) OVER (), 2) AS pct_of_orders
FROM fulfilment_daily WHERE {SHIPPED} AND {_IN_WINDOW}
GROUP BY distance_band ORDER BY {BAND_ORDER}, distance_band
""")

STATES = Sql(f"""
SELECT state, sum(orders)::BIGINT AS orders, sum(completed_orders)::BIGINT AS completed_orders,
       round(sum(revenue), 2) AS revenue, sum(shipped_orders)::BIGINT AS shipped_orders,
       sum(delivered)::BIGINT AS delivered,
       round(sum(delivery_hours) / nullif(sum(delivered), 0), 2) AS avg_delivery_hours,
       round(100.0 * sum(on_time) / nullif(sum(delivered), 0), 2) AS on_time_rate_pct
FROM ({_LOCATIONS})
GROUP BY state ORDER BY revenue DESC, orders DESC, state
""")

_KINDS = "(VALUES (1, 'orders'), (2, 'bookings')) k(position, kind)"
_DISTANCES = "SELECT * FROM distance_daily WHERE day BETWEEN $start AND $end"
DISTANCE_BINS_SQL = Sql(f"""
WITH d AS (
    SELECT kind, {DISTANCE_BINS.case("km")} AS bucket, sum(n) AS n
    FROM ({_DISTANCES}) GROUP BY ALL
),
b AS ({DISTANCE_BINS.spine()})
SELECT k.kind, b.bucket AS distance_band, coalesce(d.n, 0)::BIGINT AS count,
       round(100.0 * coalesce(d.n, 0) / nullif(sum(d.n) OVER (PARTITION BY k.kind), 0), 2)
           AS pct
FROM {_KINDS} CROSS JOIN b LEFT JOIN d ON d.kind = k.kind AND d.bucket = b.bucket
ORDER BY k.position, b.position
""")

RADIUS = Sql(f"""
WITH d AS (
    SELECT kind, sum(n) AS n, sum(n) FILTER (WHERE km >= $service_radius_km) AS beyond,
           sum(total_km) AS total_km
    FROM ({_DISTANCES}) GROUP BY kind
)
SELECT k.kind, $service_radius_km::INTEGER AS service_radius_km,
       coalesce(d.n, 0)::BIGINT AS count, coalesce(d.beyond, 0)::BIGINT AS beyond_radius,
       round(100.0 * coalesce(d.beyond, 0) / nullif(d.n, 0), 2) AS beyond_radius_pct,
       round(d.total_km / nullif(d.n, 0), 2) AS avg_distance_km
FROM {_KINDS} LEFT JOIN d USING (kind) ORDER BY k.position
""")

METRICS: tuple[Metric, ...] = (
    Metric(
        id="geography_heatmap",
        path="/geography/heatmap",
        area=AREA,
        scope=DATA_SCOPES,
        title="Order heatmap",
        description="Orders and revenue by city and by postal code, with coordinates for a map.",
        formula="Per place of the orders placed in the window (the ship-to postal code; a "
        "store order's store): orders = every status; completed_orders and revenue (their net "
        "amount). Two tables: `cities` (coordinates: the mean of the city's postal-code "
        "centroids) and `postal_codes` (the centroid; the first `limit`); most orders first.",
        tables=(
            Table(
                "cities",
                CityPointRow,
                CITY_POINTS,
                Chart("point", "lon:Q", "lat:Q", color="orders:Q", tooltip=("city:N", "orders:Q")),
            ),
            Table(
                "postal_codes",
                PostalPointRow,
                POSTAL_POINTS,
                Chart(
                    "point",
                    "lon:Q",
                    "lat:Q",
                    color="orders:Q",
                    tooltip=("postal_code:N", "orders:Q"),
                ),
            ),
        ),
        params=(Param("limit", int, "How many postal codes.", 1000, 1, 100_000),),
        window=True,
        aliases=("geography/heatmap", "order_heatmap"),
    ),
    Metric(
        id="geography_delivery_zones",
        path="/geography/delivery-zones",
        area=AREA,
        scope=DATA_SCOPES,
        title="Delivery zones",
        description="Shipped orders by distance band from the fulfilling store, with delivery "
        "time and on-time rate.",
        formula="Online and app orders placed in the window, by distance_band (haversine "
        "distance from the fulfilling store to the ship-to postal code's centroid: 0-5, 5-15, "
        "15-30, 30+ km, lower edge inclusive): delivered = delivered up to as-of; "
        "avg_delivery_hours = mean hours from placing to delivery; on_time_rate_pct = on time / "
        "delivered x 100; pct_of_orders = orders / all shipped orders x 100.",
        tables=(
            Table(
                "rows",
                DeliveryZoneRow,
                DELIVERY_ZONES,
                Chart("bar", "distance_band:O", "orders:Q", tooltip=("avg_delivery_hours:Q",)),
            ),
        ),
        window=True,
        aliases=("geography/delivery-zones", "delivery_zones"),
    ),
    Metric(
        id="geography_state_performance",
        path="/geography/state-performance",
        area=AREA,
        scope=DATA_SCOPES,
        title="State performance",
        description="Orders, revenue and delivery performance per state the orders go to.",
        formula="Per state of the order's place, over orders placed in the window: orders "
        "(every status), completed_orders and revenue; shipped_orders = online and app orders; "
        "delivered, avg_delivery_hours and on_time_rate_pct over those. Most revenue first.",
        tables=(Table("rows", StatePerformanceRow, STATES, Chart("bar", "state:N", "revenue:Q")),),
        window=True,
        aliases=("geography/state-performance", "state_performance"),
    ),
    Metric(
        id="geography_distance_analysis",
        path="/geography/distance-analysis",
        area=AREA,
        scope=DATA_SCOPES,
        title="Distance analysis",
        description="How far orders travel from their store and services from their provider, "
        "and the share beyond the service radius.",
        formula="Distances of the orders placed in the window (store to ship-to postal code; "
        "store orders have none) and of the bookings made in it (provider to the booking's "
        "postal code). Two tables: `distribution` (per kind and band 0-5, 5-15, 15-30, 30-50, "
        "50-100, 100+ km, lower edge inclusive: count and pct of the kind) and `radius` "
        "(beyond_radius = at or past `service_radius_km`; beyond_radius_pct = of the kind x 100; "
        "avg_distance_km).",
        tables=(
            Table(
                "distribution",
                DistanceBinRow,
                DISTANCE_BINS_SQL,
                Chart("bar", "distance_band:O", "pct:Q", color="kind:N", offset="kind:N"),
            ),
            Table("radius", RadiusRow, RADIUS, Chart("bar", "kind:N", "beyond_radius_pct:Q")),
        ),
        params=(
            Param("service_radius_km", int, "The service radius, in whole km.", 25, 1, 10_000),
        ),
        window=True,
        aliases=("geography/distance-analysis", "distance_analysis"),
    ),
)
