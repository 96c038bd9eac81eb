"""Order operations (any data scope): when orders come in, how fast they grow, how far they get
through fulfilment, how they end, and how long delivery takes.

Over the orders placed in the window, in the business timezone. `order_count` counts every
status, revenue completed orders. The fulfilment metrics (funnel, timeline, delivery times) read
each order's status history up to the as-of date (fact_order_fulfilment).
"""

from __future__ import annotations

from datetime import date

from c360_contract.catalog import Chart, Metric, RowModel, Sql, Table, example
from c360_contract.scopes import DATA_SCOPES
from c360_contract.vocabulary import FULFILMENT_TYPES, FUNNEL_STEPS, ORDER_STATUSES

AREA = "orders"
_IN_WINDOW = "order_date BETWEEN $start AND $end"
SHIPPED = "channel <> 'store'"
# Bands sort by their lower edge (`15-30` after `5-15`); `in_store` first.
BAND_ORDER = "try_cast(regexp_extract(distance_band, '^[0-9.]+') AS DOUBLE) NULLS FIRST"


class PeakHourRow(RowModel):
    model_config = example(
        hour=20,
        order_count=1_210,
        completed_orders=1_050,
        total_revenue=98_400.0,
        avg_order_value=93.71,
        pct_of_orders=8.4,
    )
    hour: int
    order_count: int
    completed_orders: int
    total_revenue: float
    avg_order_value: float | None
    pct_of_orders: float | None


class WeekdayRow(RowModel):
    model_config = example(
        day_of_week=6,
        day_name="Saturday",
        order_count=2_400,
        completed_orders=2_100,
        total_revenue=196_000.0,
        avg_order_value=93.33,
        pct_of_orders=16.1,
    )
    day_of_week: int
    day_name: str
    order_count: int
    completed_orders: int
    total_revenue: float
    avg_order_value: float | None
    pct_of_orders: float | None


class VelocityRow(RowModel):
    model_config = example(
        period="week",
        period_start="2025-12-22",
        period_end="2025-12-28",
        previous_start="2025-12-15",
        previous_end="2025-12-21",
        orders=1_400,
        previous_orders=1_310,
        orders_growth_pct=6.87,
        revenue=131_000.0,
        previous_revenue=120_500.0,
        revenue_growth_pct=8.71,
    )
    period: str
    period_start: date
    period_end: date
    previous_start: date
    previous_end: date
    orders: int
    previous_orders: int
    orders_growth_pct: float | None
    revenue: float
    previous_revenue: float
    revenue_growth_pct: float | None


class FunnelRow(RowModel):
    model_config = example(
        position=3, step="packed", orders=7_800, step_conversion_pct=96.3, pct_of_placed=93.1
    )
    position: int
    step: str
    orders: int
    step_conversion_pct: float | None
    pct_of_placed: float | None


class StatusRow(RowModel):
    model_config = example(status="completed", orders=10_628, pct=87.86)
    status: str
    orders: int
    pct: float | None


class TimelineRow(RowModel):
    model_config = example(
        fulfilment="scheduled",
        orders=1_257,
        delivered=1_180,
        avg_lead_time_hours=70.8,
        avg_delivery_hours=71.2,
        on_time_orders=1_090,
        on_time_rate_pct=92.37,
    )
    fulfilment: str
    orders: int
    delivered: int
    avg_lead_time_hours: float | None
    avg_delivery_hours: float | None
    on_time_orders: int
    on_time_rate_pct: float | None


class DeliveryTimeRow(RowModel):
    model_config = example(
        channel="online",
        distance_band="5-15",
        orders=1_691,
        delivered=1_640,
        avg_delivery_hours=32.24,
        on_time_rate_pct=98.96,
    )
    channel: str
    distance_band: str
    orders: int
    delivered: int
    avg_delivery_hours: float | None
    on_time_rate_pct: float | None


def _by(bucket: str) -> str:
    """Orders (every status), completed orders and their revenue of the window, by `bucket`."""
    return (
        f"SELECT {bucket}, sum(orders) AS order_count, "
        "sum(orders) FILTER (WHERE status = 'completed') AS completed, "
        "sum(revenue) FILTER (WHERE status = 'completed') AS revenue "
        f"FROM orders_hourly WHERE {_IN_WINDOW} GROUP BY ALL"
    )


_MEASURES = """coalesce(o.order_count, 0)::BIGINT AS order_count,
       coalesce(o.completed, 0)::BIGINT AS completed_orders,
       round(coalesce(o.revenue, 0), 2) AS total_revenue,
       round(o.revenue / nullif(o.completed, 0), 2) AS avg_order_value,
       round(100.0 * coalesce(o.order_count, 0) / nullif(sum(o.order_count) OVER (), 0), 2)
           AS pct_of_orders"""

PEAK_HOURS = Sql(f"""
SELECT h.hour::INTEGER AS hour, {_MEASURES}
FROM range(24) h(hour) LEFT JOIN ({_by("hour")}) o USING (hour) ORDER BY hour
""")

DAY_OF_WEEK = Sql(f"""
SELECT d.dow::INTEGER AS day_of_week, dayname(DATE '2024-01-07' + d.dow::INTEGER) AS day_name,
       {_MEASURES}
FROM range(1, 8) d(dow) LEFT JOIN ({_by("isodow(order_date) AS dow")}) o USING (dow)
ORDER BY day_of_week
""")

# The last complete ISO week (Monday-Sunday) and calendar month ending on or before the
# window's end, and the period before each.
VELOCITY = Sql(f"""
WITH e AS (SELECT $end::DATE AS d),
weeks AS (
    SELECT 'week' AS period, d - (isodow(d) % 7)::INTEGER - 6 AS period_start,
           d - (isodow(d) % 7)::INTEGER AS period_end FROM e
),
months AS (
    SELECT 'month' AS period,
           date_trunc('month', CASE WHEN d = last_day(d) THEN d
                                    ELSE date_trunc('month', d)::DATE - 1 END)::DATE
               AS period_start,
           CASE WHEN d = last_day(d) THEN d ELSE date_trunc('month', d)::DATE - 1 END
               AS period_end
    FROM e
),
p AS (
    SELECT period, period_start, period_end, period_start - 7 AS previous_start,
           period_start - 1 AS previous_end FROM weeks
    UNION ALL
    SELECT period, period_start, period_end,
           date_trunc('month', period_start - 1)::DATE, period_start - 1 FROM months
),
s AS (
    SELECT p.period,
           sum(o.orders) FILTER (WHERE o.order_date >= p.period_start) AS orders,
           sum(o.orders) FILTER (WHERE o.order_date <= p.previous_end) AS previous_orders,
           sum(o.revenue) FILTER (WHERE o.order_date >= p.period_start) AS revenue,
           sum(o.revenue) FILTER (WHERE o.order_date <= p.previous_end) AS previous_revenue
    FROM p JOIN orders_hourly o
      ON o.status = 'completed' AND o.{_IN_WINDOW}
     AND o.order_date BETWEEN p.previous_start AND p.period_end
    GROUP BY p.period
)
SELECT p.period, p.period_start, p.period_end, p.previous_start, p.previous_end,
       coalesce(s.orders, 0)::BIGINT AS orders,
       coalesce(s.previous_orders, 0)::BIGINT AS previous_orders,
       round(100.0 * (coalesce(s.orders, 0) - s.previous_orders) / nullif(s.previous_orders, 0),
             2) AS orders_growth_pct,
       round(coalesce(s.revenue, 0), 2) AS revenue,
       round(coalesce(s.previous_revenue, 0), 2) AS previous_revenue,
       round(100.0 * (coalesce(s.revenue, 0) - s.previous_revenue)
             / nullif(s.previous_revenue, 0), 2) AS revenue_growth_pct
FROM p LEFT JOIN s USING (period) ORDER BY p.period DESC
""")

_STEPS = ", ".join(f"({i}, '{s}')" for i, s in enumerate(FUNNEL_STEPS, start=1))
FUNNEL = Sql(f"""
WITH f AS (
    SELECT sum(reached_placed) AS placed, sum(reached_paid) AS paid,
           sum(reached_packed) AS packed, sum(reached_shipped) AS shipped,
           sum(delivered) AS delivered
    FROM fulfilment_daily WHERE {SHIPPED} AND {_IN_WINDOW}
),
c AS (
    SELECT s.position, s.step,
           coalesce(CASE s.step WHEN 'placed' THEN f.placed WHEN 'paid' THEN f.paid
                                WHEN 'packed' THEN f.packed WHEN 'shipped' THEN f.shipped
                                ELSE f.delivered END, 0)::BIGINT AS orders
    FROM (VALUES {_STEPS}) s(position, step), f
)
SELECT position::INTEGER AS position, step, orders,
       round(100.0 * orders / nullif(lag(orders) OVER (ORDER BY position), 0), 2)
           AS step_conversion_pct,
       round(100.0 * orders / nullif(first_value(orders) OVER (ORDER BY position), 0), 2)
           AS pct_of_placed
FROM c ORDER BY position
""")

_STATUSES = ", ".join(f"('{s}')" for s in ORDER_STATUSES)
STATUS_DISTRIBUTION = Sql(f"""
WITH o AS (
    SELECT status, sum(orders) AS orders FROM orders_hourly WHERE {_IN_WINDOW} GROUP BY status
)
SELECT s.status, coalesce(o.orders, 0)::BIGINT AS orders,
       round(100.0 * coalesce(o.orders, 0) / nullif(sum(o.orders) OVER (), 0), 2) AS pct
FROM (VALUES {_STATUSES}) s(status) LEFT JOIN o USING (status)
ORDER BY orders DESC, s.status
""")

_FULFILMENTS = ", ".join(f"('{f}')" for f in FULFILMENT_TYPES)
TIMELINE = Sql(f"""
WITH f AS (
    SELECT fulfilment, sum(orders) AS orders, sum(delivered) AS delivered,
           sum(on_time) AS on_time, sum(scheduled) AS scheduled,
           sum(lead_time_hours) AS lead_time_hours, sum(delivery_hours) AS delivery_hours
    FROM fulfilment_daily WHERE {SHIPPED} AND {_IN_WINDOW} GROUP BY fulfilment
)
SELECT t.fulfilment, coalesce(f.orders, 0)::BIGINT AS orders,
       coalesce(f.delivered, 0)::BIGINT AS delivered,
       round(f.lead_time_hours / nullif(f.scheduled, 0), 2) AS avg_lead_time_hours,
       round(f.delivery_hours / nullif(f.delivered, 0), 2) AS avg_delivery_hours,
       coalesce(f.on_time, 0)::BIGINT AS on_time_orders,
       round(100.0 * f.on_time / nullif(f.delivered, 0), 2) AS on_time_rate_pct
FROM (VALUES {_FULFILMENTS}) t(fulfilment) LEFT JOIN f USING (fulfilment)
ORDER BY t.fulfilment
""")

DELIVERY_TIMES = Sql(f"""
SELECT channel, distance_band,
       sum(orders)::BIGINT AS orders, sum(delivered)::BIGINT AS delivered,
       round(sum(delivery_hours) / nullif(sum(delivered), 0), 2) AS avg_delivery_hours,
       round(100.0 * sum(on_time) / nullif(sum(delivered), 0), 2) AS on_time_rate_pct
FROM fulfilment_daily WHERE {_IN_WINDOW}
GROUP BY channel, distance_band ORDER BY channel, {BAND_ORDER}, distance_band
""")

_COUNT_FORMULA = (
    "order_count = orders placed in the window (every status); completed_orders, "
    "total_revenue (their net amount) and avg_order_value = total_revenue / completed_orders "
    "of the completed ones; pct_of_orders = order_count / all orders of the window x 100."
)

METRICS: tuple[Metric, ...] = (
    Metric(
        id="orders_peak_hours",
        path="/orders/peak-hours",
        area=AREA,
        scope=DATA_SCOPES,
        title="Peak hours",
        description="Orders of every status, completed revenue and average order value per "
        "local hour (24 rows).",
        formula=f"Per hour of the order's local time (0-23, every hour a row): {_COUNT_FORMULA}",
        tables=(
            Table(
                "rows",
                PeakHourRow,
                PEAK_HOURS,
                Chart("bar", "hour:O", "order_count:Q"),
                time_of_day=True,
            ),
        ),
        window=True,
        aliases=("orders/peak-hours", "peak_hours"),
    ),
    Metric(
        id="orders_day_of_week",
        path="/orders/day-of-week",
        area=AREA,
        scope=DATA_SCOPES,
        title="Orders by weekday",
        description="Orders of every status, completed revenue and average order value per "
        "weekday, 1 = Monday to 7 = Sunday (ISO).",
        formula=f"Per weekday of the order's local day (every weekday a row): {_COUNT_FORMULA}",
        tables=(
            Table("rows", WeekdayRow, DAY_OF_WEEK, Chart("bar", "day_name:O", "order_count:Q")),
        ),
        window=True,
        aliases=("orders/day-of-week", "day_of_week_analysis"),
    ),
    Metric(
        id="orders_velocity",
        path="/orders/velocity",
        area=AREA,
        scope=DATA_SCOPES,
        title="Order velocity",
        description="Week-over-week and month-over-month growth of completed orders and revenue "
        "over the last complete week and month of the window.",
        formula="week: the last complete ISO week (Monday-Sunday) ending on or before the "
        "window's end, against the week before; month: the last complete calendar month ending "
        "on or before it, against the month before. orders and revenue = completed orders placed "
        "in the period (and in the window) and their net amount; growth_pct = (current - "
        "previous) / previous x 100, empty when the previous period has none.",
        tables=(
            Table(
                "rows",
                VelocityRow,
                VELOCITY,
                Chart("bar", "period:N", "revenue_growth_pct:Q", tooltip=("orders_growth_pct:Q",)),
            ),
        ),
        window=True,
        aliases=("orders/velocity", "order_velocity"),
    ),
    Metric(
        id="orders_funnel",
        path="/orders/funnel",
        area=AREA,
        scope=DATA_SCOPES,
        title="Fulfilment funnel",
        description="How many shipped orders got placed, paid, packed, shipped and delivered, "
        "and the conversion of each step.",
        formula="Over online and app orders placed in the window (a store order is placed, paid "
        "and delivered at once), by their status history up to as-of: an order counts at a step "
        "when it reached it or a later step (cash on delivery is paid at the door, so it counts "
        "as paid once packed). step_conversion_pct = orders / the previous step's x 100; "
        "pct_of_placed = orders / placed orders x 100.",
        tables=(Table("rows", FunnelRow, FUNNEL, Chart("bar", "step:O", "orders:Q")),),
        window=True,
        aliases=("orders/funnel", "order_funnel"),
    ),
    Metric(
        id="orders_status_distribution",
        path="/orders/status-distribution",
        area=AREA,
        scope=DATA_SCOPES,
        title="Order status distribution",
        description="Orders placed in the window per final status.",
        formula="Per final status (completed, cancelled, refunded, payment_failed; every status "
        "a row): orders placed in the window; pct = orders / all of them x 100.",
        tables=(
            Table("rows", StatusRow, STATUS_DISTRIBUTION, Chart("arc", "status:N", "orders:Q")),
        ),
        window=True,
        aliases=("orders/status-distribution", "status_distribution"),
    ),
    Metric(
        id="orders_timeline",
        path="/orders/timeline",
        area=AREA,
        scope=DATA_SCOPES,
        title="Immediate and scheduled deliveries",
        description="Shipped orders delivered at once or in a chosen slot: lead time, delivery "
        "time and on-time rate.",
        formula="Per fulfilment (immediate, scheduled) over online and app orders placed in the "
        "window: delivered = those delivered up to as-of; avg_lead_time_hours = mean hours from "
        "placing to the slot's start (scheduled only); avg_delivery_hours = mean hours from "
        "placing to delivery; on_time_rate_pct = delivered by their promise (the slot's end, or "
        "the delivery promise for immediate orders; docs/metrics.md, Operations) / delivered x "
        "100.",
        tables=(
            Table(
                "rows", TimelineRow, TIMELINE, Chart("bar", "fulfilment:N", "on_time_rate_pct:Q")
            ),
        ),
        window=True,
        aliases=("orders/timeline", "order_timeline"),
    ),
    Metric(
        id="orders_delivery_times",
        path="/orders/delivery-times",
        area=AREA,
        scope=DATA_SCOPES,
        title="Delivery times by channel and zone",
        description="Hours from placing to delivery per channel and distance band from the "
        "fulfilling store.",
        formula="Per channel and distance_band (0-5, 5-15, 15-30, 30+ km from the fulfilling "
        "store; store orders are in_store and delivered at once) over orders placed in the "
        "window: delivered = delivered up to as-of; avg_delivery_hours = mean hours from placing "
        "to delivery; on_time_rate_pct = delivered on time / delivered x 100. Only groups with "
        "orders.",
        tables=(
            Table(
                "rows",
                DeliveryTimeRow,
                DELIVERY_TIMES,
                Chart(
                    "bar",
                    "distance_band:O",
                    "avg_delivery_hours:Q",
                    color="channel:N",
                    offset="channel:N",
                ),
            ),
        ),
        window=True,
        aliases=("orders/delivery-times", "delivery_times"),
    ),
)
