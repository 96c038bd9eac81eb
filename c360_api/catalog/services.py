"""Services (any data scope): what customers book through the marketplace, how providers
perform, where the demand is and how it moves.

Over bookings made in the window (the business day of booked_at). Revenue is the price of
completed bookings; ratings are 1-5 and only some completed bookings are rated.
"""

from __future__ import annotations

from datetime import date

from c360_contract.catalog import (
    DAILY_SERIES_DAYS,
    Chart,
    Metric,
    Param,
    RowModel,
    Sql,
    Table,
    Top,
    example,
)
from c360_contract.scopes import DATA_SCOPES
from c360_contract.vocabulary import SERVICE_CATEGORIES

AREA = "services"
_IN_WINDOW = "booking_date BETWEEN $start AND $end"
_COUNTS = """count(*)::BIGINT AS bookings,
       count(*) FILTER (WHERE b.status = 'completed')::BIGINT AS completed"""


class PopularServiceRow(RowModel):
    model_config = example(
        service_id="SV-002",
        name="Appliance Installation",
        category="Installation",
        bookings=1_900,
        completed=1_640,
        revenue=290_000.0,
    )
    service_id: str
    name: str | None
    category: str | None
    bookings: int
    completed: int
    revenue: float


class ProviderRow(RowModel):
    model_config = example(
        provider_id="PR-00041",
        name="Lopez Pros",
        city="Chicago",
        state="IL",
        bookings=320,
        completed=270,
        completion_rate_pct=84.38,
        no_show_rate_pct=3.13,
        rated_bookings=190,
        avg_rating=4.31,
        revenue=31_400.0,
    )
    provider_id: str
    name: str | None
    city: str | None
    state: str | None
    bookings: int
    completed: int
    completion_rate_pct: float
    no_show_rate_pct: float
    rated_bookings: int
    avg_rating: float | None
    revenue: float


class LocationDemandRow(RowModel):
    model_config = example(
        city="Chicago",
        state="IL",
        bookings=1_200,
        completed=1_030,
        customers=410,
        revenue=120_000.0,
        avg_distance_km=9.8,
    )
    city: str
    state: str
    bookings: int
    completed: int
    customers: int
    revenue: float
    avg_distance_km: float | None


class BookingTrendRow(RowModel):
    model_config = example(
        day="2025-11-28", bookings=41, completed=35, cancelled=4, no_shows=2, revenue=4_100.0
    )
    day: date
    bookings: int
    completed: int
    cancelled: int
    no_shows: int
    revenue: float


class ServiceCategoryRow(RowModel):
    model_config = example(
        category="Installation",
        services=6,
        bookings=5_200,
        completed=4_500,
        completion_rate_pct=86.54,
        revenue=610_000.0,
        avg_price=131.5,
        avg_rating=4.22,
    )
    category: str
    services: int
    bookings: int
    completed: int
    completion_rate_pct: float | None
    revenue: float
    avg_price: float | None
    avg_rating: float | None


POPULAR = Sql(f"""
SELECT b.service_id, s.name, b.category, {_COUNTS}, round(sum(b.revenue), 2) AS revenue
FROM bookings b LEFT JOIN dim_services s USING (service_id) WHERE b.{_IN_WINDOW}
GROUP BY ALL ORDER BY bookings DESC, b.service_id LIMIT $limit
""")

PROVIDERS = Sql(f"""
SELECT b.provider_id, p.name, p.city, p.state, {_COUNTS},
       round(100.0 * count(*) FILTER (WHERE b.status = 'completed') / count(*), 2)
           AS completion_rate_pct,
       round(100.0 * count(*) FILTER (WHERE b.status = 'no_show') / count(*), 2)
           AS no_show_rate_pct,
       count(b.rating)::BIGINT AS rated_bookings, round(avg(b.rating), 2) AS avg_rating,
       round(sum(b.revenue), 2) AS revenue
FROM bookings b LEFT JOIN dim_providers p USING (provider_id) WHERE b.{_IN_WINDOW}
GROUP BY ALL ORDER BY revenue DESC, bookings DESC, b.provider_id
""")

LOCATIONS = Sql(f"""
SELECT b.city, b.state, {_COUNTS}, count(DISTINCT b.customer_id)::BIGINT AS customers,
       round(sum(b.revenue), 2) AS revenue, round(avg(b.distance_km), 2) AS avg_distance_km
FROM bookings b WHERE b.{_IN_WINDOW}
GROUP BY ALL ORDER BY bookings DESC, revenue DESC, b.city, b.state
""")

TRENDS = Sql(f"""
WITH days AS (SELECT d::DATE AS day FROM range($start::DATE, $end::DATE + 1, INTERVAL 1 DAY) t(d)),
t AS (
    SELECT booking_date AS day, {_COUNTS},
           count(*) FILTER (WHERE b.status = 'cancelled')::BIGINT AS cancelled,
           count(*) FILTER (WHERE b.status = 'no_show')::BIGINT AS no_shows,
           sum(b.revenue) AS revenue
    FROM bookings b WHERE b.{_IN_WINDOW} GROUP BY booking_date
)
SELECT d.day, coalesce(t.bookings, 0)::BIGINT AS bookings,
       coalesce(t.completed, 0)::BIGINT AS completed,
       coalesce(t.cancelled, 0)::BIGINT AS cancelled, coalesce(t.no_shows, 0)::BIGINT AS no_shows,
       round(coalesce(t.revenue, 0), 2) AS revenue
FROM days d LEFT JOIN t USING (day) ORDER BY d.day
""")

_CATEGORIES = ", ".join(f"('{c}')" for c in SERVICE_CATEGORIES)
CATEGORIES = Sql(f"""
WITH s AS (SELECT category, count(*) AS services FROM dim_services GROUP BY category),
b AS (
    SELECT b.category, {_COUNTS}, sum(b.revenue) AS revenue, avg(b.price) AS avg_price,
           avg(b.rating) AS avg_rating
    FROM bookings b WHERE b.{_IN_WINDOW} GROUP BY b.category
)
SELECT c.category, coalesce(s.services, 0)::BIGINT AS services,
       coalesce(b.bookings, 0)::BIGINT AS bookings, coalesce(b.completed, 0)::BIGINT AS completed,
       round(100.0 * b.completed / nullif(b.bookings, 0), 2) AS completion_rate_pct,
       round(coalesce(b.revenue, 0), 2) AS revenue, round(b.avg_price, 2) AS avg_price,
       round(b.avg_rating, 2) AS avg_rating
FROM (VALUES {_CATEGORIES}) c(category) LEFT JOIN s USING (category) LEFT JOIN b USING (category)
ORDER BY coalesce(b.revenue, 0) DESC, c.category
""")

_FORMULA = (
    "bookings = bookings made in the window (every status); completed = those completed; "
    "revenue = the completed ones' price"
)

METRICS: tuple[Metric, ...] = (
    Metric(
        id="services_popular",
        path="/services/popular",
        area=AREA,
        scope=DATA_SCOPES,
        title="Popular services",
        description="The most booked services of the window.",
        formula=f"Per service: {_FORMULA}. Most bookings first (ties by service_id); the first "
        "`limit`.",
        tables=(
            Table(
                "rows",
                PopularServiceRow,
                POPULAR,
                Chart("bar", "name:N", "bookings:Q", top=Top("bookings")),
            ),
        ),
        params=(Param("limit", int, "How many services.", 10, 1, 500),),
        window=True,
        aliases=("services/popular", "popular_services"),
    ),
    Metric(
        id="services_provider_performance",
        path="/services/provider-performance",
        area=AREA,
        scope=DATA_SCOPES,
        title="Provider performance",
        description="Bookings, completion and no-show rates, ratings and revenue per provider.",
        formula=f"Per provider with a booking in the window: {_FORMULA}; completion_rate_pct "
        "and no_show_rate_pct = completed and no-show bookings / bookings x 100; rated_bookings "
        "= bookings with a rating; avg_rating = their mean (1-5). Most revenue first.",
        tables=(
            Table(
                "rows",
                ProviderRow,
                PROVIDERS,
                Chart("point", "completion_rate_pct:Q", "avg_rating:Q", color="state:N"),
            ),
        ),
        window=True,
        aliases=("services/provider-performance", "provider_performance"),
    ),
    Metric(
        id="services_location_demand",
        path="/services/location-demand",
        area=AREA,
        scope=DATA_SCOPES,
        title="Service demand by city",
        description="Where services are booked: bookings, customers and revenue per city.",
        formula=f"Per city and state where the service is done: {_FORMULA}; customers = distinct "
        "customers booking; avg_distance_km = mean distance from the provider. Most bookings "
        "first.",
        tables=(
            Table(
                "rows",
                LocationDemandRow,
                LOCATIONS,
                Chart("bar", "city:N", "bookings:Q", color="state:N", top=Top("bookings")),
            ),
        ),
        window=True,
        aliases=("services/location-demand", "location_demand"),
    ),
    Metric(
        id="services_booking_trends",
        path="/services/booking-trends",
        area=AREA,
        scope=DATA_SCOPES,
        title="Booking trends",
        description="Bookings per day by outcome, with revenue (every day of the window).",
        formula=f"Per business day the booking was made: {_FORMULA}; cancelled and no_shows = "
        "bookings that ended so.",
        tables=(Table("rows", BookingTrendRow, TRENDS, Chart("line", "day:T", "bookings:Q")),),
        window=True,
        default_days=DAILY_SERIES_DAYS,
        aliases=("services/booking-trends", "booking_trends"),
    ),
    Metric(
        id="services_categories",
        path="/services/categories",
        area=AREA,
        scope=DATA_SCOPES,
        title="Service categories",
        description="Bookings, completion, revenue, price and rating per service category.",
        formula=f"Per service category (every category a row): services = services offered; "
        f"{_FORMULA}; completion_rate_pct = completed / bookings x 100; avg_price = mean price "
        "of the bookings; avg_rating = mean rating of the rated ones.",
        tables=(
            Table("rows", ServiceCategoryRow, CATEGORIES, Chart("bar", "category:N", "revenue:Q")),
        ),
        window=True,
        aliases=("services/categories", "service_categories"),
    ),
)
