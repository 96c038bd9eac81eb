"""When customers buy (any data scope): completed orders by hour, weekday, day of month and month
of year, and the weekday x hour heatmap, all in the business timezone. Every bucket is a row."""

from __future__ import annotations

from c360_contract.catalog import Chart, Metric, Param, RowModel, Sql, Table, example
from c360_contract.scopes import DATA_SCOPES

AREA = "orders"
MEASURES = ("orders", "revenue", "avg_order_value")
MEASURE = Param(
    "measure",
    str,
    "What the chart plots (the table always carries every measure).",
    "orders",
    choices=MEASURES,
)


class HourRow(RowModel):
    model_config = example(hour=12, orders=950, revenue=88_300.1, avg_order_value=92.95)
    hour: int
    orders: int
    revenue: float
    avg_order_value: float | None


class DayOfWeekRow(RowModel):
    model_config = example(
        day_of_week=1, day_name="Monday", orders=2100, revenue=190_000.0, avg_order_value=90.48
    )
    day_of_week: int
    day_name: str
    orders: int
    revenue: float
    avg_order_value: float | None


class DayOfMonthRow(RowModel):
    model_config = example(day_of_month=15, orders=480, revenue=44_000.0)
    day_of_month: int
    orders: int
    revenue: float


class MonthOfYearRow(RowModel):
    model_config = example(month_of_year=11, month_name="November", orders=1800, revenue=171_000.0)
    month_of_year: int
    month_name: str
    orders: int
    revenue: float


class HeatmapCell(RowModel):
    model_config = example(day_of_week=6, day_name="Saturday", hour=14, orders=120)
    day_of_week: int
    day_name: str
    hour: int
    orders: int


def _completed(group: str) -> str:
    """Completed orders and revenue of the window grouped by `group` (an expression of
    order_date and hour over the hourly cube)."""
    return (
        f"SELECT {group}, sum(orders) AS orders, sum(revenue) AS revenue FROM orders_hourly "
        "WHERE status = 'completed' AND order_date BETWEEN $start AND $end GROUP BY ALL"
    )


BY_HOUR = Sql(f"""
SELECT h.hour::INTEGER AS hour, coalesce(o.orders, 0) AS orders,
       round(coalesce(o.revenue, 0), 2) AS revenue,
       round(o.revenue / nullif(o.orders, 0), 2) AS avg_order_value
FROM range(24) h(hour) LEFT JOIN ({_completed("hour")}) o USING (hour)
ORDER BY hour
""")

BY_DAY_OF_WEEK = Sql(f"""
SELECT d.dow::INTEGER AS day_of_week, dayname(DATE '2024-01-07' + d.dow::INTEGER) AS day_name,
       coalesce(o.orders, 0) AS orders, round(coalesce(o.revenue, 0), 2) AS revenue,
       round(o.revenue / nullif(o.orders, 0), 2) AS avg_order_value
FROM range(1, 8) d(dow) LEFT JOIN ({_completed("isodow(order_date) AS dow")}) o USING (dow)
ORDER BY day_of_week
""")

BY_DAY_OF_MONTH = Sql(f"""
SELECT d.dom::INTEGER AS day_of_month, coalesce(o.orders, 0) AS orders,
       round(coalesce(o.revenue, 0), 2) AS revenue
FROM range(1, 32) d(dom) LEFT JOIN ({_completed("day(order_date) AS dom")}) o USING (dom)
ORDER BY day_of_month
""")

BY_MONTH = Sql(f"""
SELECT m.moy::INTEGER AS month_of_year, monthname(make_date(2024, m.moy::INTEGER, 1)) AS month_name,
       coalesce(o.orders, 0) AS orders, round(coalesce(o.revenue, 0), 2) AS revenue
FROM range(1, 13) m(moy) LEFT JOIN ({_completed("month(order_date) AS moy")}) o USING (moy)
ORDER BY month_of_year
""")

HEATMAP = Sql(f"""
SELECT d.dow::INTEGER AS day_of_week, dayname(DATE '2024-01-07' + d.dow::INTEGER) AS day_name,
       h.hour::INTEGER AS hour, coalesce(o.orders, 0) AS orders
FROM range(1, 8) d(dow) CROSS JOIN range(24) h(hour)
LEFT JOIN ({_completed("isodow(order_date) AS dow, hour")}) o USING (dow, hour)
ORDER BY day_of_week, hour
""")

_FORMULA = (
    "Completed orders placed in the window, by the {bucket} of their local time in the business "
    "timezone; revenue = their net amount; avg_order_value = revenue / orders. Every {bucket} is "
    "a row (zeros included)."
)

METRICS: tuple[Metric, ...] = (
    Metric(
        id="orders_by_hour",
        path="/orders/by-hour",
        area=AREA,
        scope=DATA_SCOPES,
        title="Orders by hour of day",
        description="Completed orders, revenue and average order value per local hour (0-23).",
        formula=_FORMULA.format(bucket="hour"),
        tables=(
            Table(
                "rows",
                HourRow,
                BY_HOUR,
                Chart(
                    "bar",
                    "hour:O",
                    "orders:Q",
                    measure="measure",
                    title="{measure} by hour of day",
                ),
                time_of_day=True,
            ),
        ),
        params=(MEASURE,),
        window=True,
        aliases=("orders_by_hour", "revenue_by_hour", "avg_order_value_by_hour"),
    ),
    Metric(
        id="orders_by_day_of_week",
        path="/orders/by-day-of-week",
        area=AREA,
        scope=DATA_SCOPES,
        title="Orders by day of week",
        description="Completed orders, revenue and average order value per weekday, "
        "1 = Monday to 7 = Sunday (ISO).",
        formula=_FORMULA.format(bucket="weekday"),
        tables=(
            Table(
                "rows",
                DayOfWeekRow,
                BY_DAY_OF_WEEK,
                Chart(
                    "bar",
                    "day_name:O",
                    "orders:Q",
                    measure="measure",
                    title="{measure} by day of week",
                ),
            ),
        ),
        params=(MEASURE,),
        window=True,
        aliases=("orders_by_day_of_week",),
    ),
    Metric(
        id="orders_by_day_of_month",
        path="/orders/by-day-of-month",
        area=AREA,
        scope=DATA_SCOPES,
        title="Orders by day of month",
        description="Completed orders and revenue per day of the month (1-31).",
        formula=_FORMULA.format(bucket="day of month"),
        tables=(
            Table(
                "rows",
                DayOfMonthRow,
                BY_DAY_OF_MONTH,
                Chart("bar", "day_of_month:O", "orders:Q"),
            ),
        ),
        window=True,
        aliases=("orders_by_day_of_month",),
    ),
    Metric(
        id="orders_by_month",
        path="/orders/by-month",
        area=AREA,
        scope=DATA_SCOPES,
        title="Orders by month of year",
        description="Completed orders and revenue per calendar month (1-12), all years together.",
        formula=_FORMULA.format(bucket="month of year"),
        tables=(
            Table(
                "rows",
                MonthOfYearRow,
                BY_MONTH,
                Chart("bar", "month_name:O", "orders:Q"),
            ),
        ),
        window=True,
        aliases=("orders_by_month",),
    ),
    Metric(
        id="orders_heatmap",
        path="/orders/heatmap",
        area=AREA,
        scope=DATA_SCOPES,
        title="Orders by weekday and hour",
        description="Completed orders per (weekday, local hour): 168 cells.",
        formula=_FORMULA.format(bucket="weekday and hour"),
        tables=(
            Table(
                "rows",
                HeatmapCell,
                HEATMAP,
                Chart("rect", "hour:O", "day_name:O", color="orders:Q"),
                time_of_day=True,
            ),
        ),
        window=True,
        aliases=("orders_heatmap",),
    ),
)
