"""E-commerce KPIs (any data scope): the summary, revenue by month and digital conversion.

Windows are inclusive business-timezone days; an order counts when it is completed unless the
column says otherwise (`orders` of the summary counts every status).
"""

from __future__ import annotations

from datetime import date

from c360_api.catalog.sql import MONTH_BUYERS, MONTH_NEW_BUYERS, MONTHS_OF_WINDOW, WINDOW_BUYERS
from c360_contract.catalog import Chart, Metric, RowModel, Sql, Table, example
from c360_contract.scopes import DATA_SCOPES

AREA = "kpi"


class KpiSummaryRow(RowModel):
    model_config = example(
        total_revenue=1_250_000.5,
        orders=16_000,
        completed_orders=13_600,
        avg_order_value=91.95,
        completion_rate_pct=85.0,
        customers=5200,
        orders_per_customer=2.62,
        first_order_date="2023-01-01",
        last_order_date="2025-12-31",
    )
    total_revenue: float
    orders: int
    completed_orders: int
    avg_order_value: float | None
    completion_rate_pct: float | None
    customers: int
    orders_per_customer: float | None
    first_order_date: date | None
    last_order_date: date | None


class KpiRevenueRow(RowModel):
    model_config = example(
        month="2025-11",
        orders=1400,
        revenue=130_400.25,
        avg_order_value=93.14,
        customers=1100,
        new_customers=180,
    )
    month: str
    orders: int
    revenue: float
    avg_order_value: float | None
    customers: int
    new_customers: int


class ConversionRow(RowModel):
    model_config = example(
        traffic_source="paid_search",
        sessions=4200,
        converted_sessions=310,
        conversion_rate_pct=7.38,
    )
    traffic_source: str
    sessions: int
    converted_sessions: int
    conversion_rate_pct: float | None


SUMMARY = Sql(f"""
WITH o AS (
    SELECT coalesce(sum(orders), 0) AS orders,
           coalesce(sum(orders) FILTER (WHERE status = 'completed'), 0) AS completed_orders,
           coalesce(sum(revenue) FILTER (WHERE status = 'completed'), 0) AS revenue,
           min(order_date) FILTER (WHERE status = 'completed') AS first_order_date,
           max(order_date) FILTER (WHERE status = 'completed') AS last_order_date
    FROM orders_hourly WHERE order_date BETWEEN $start AND $end
), b AS (SELECT coalesce(bit_count(buyers), 0) AS customers FROM ({WINDOW_BUYERS}))
SELECT round(revenue, 2) AS total_revenue, orders, completed_orders,
       round(revenue / nullif(completed_orders, 0), 2) AS avg_order_value,
       round(100.0 * completed_orders / nullif(orders, 0), 2) AS completion_rate_pct,
       customers,
       round(completed_orders / nullif(customers, 0), 2) AS orders_per_customer,
       first_order_date, last_order_date
FROM o, b
""")

REVENUE = Sql(f"""
WITH m AS ({MONTHS_OF_WINDOW}),
o AS (
    SELECT strftime(order_date, '%Y-%m') AS month, sum(orders) AS orders, sum(revenue) AS revenue
    FROM orders_hourly
    WHERE status = 'completed' AND order_date BETWEEN $start AND $end GROUP BY 1
), b AS ({MONTH_BUYERS}), n AS ({MONTH_NEW_BUYERS})
SELECT m.month, coalesce(o.orders, 0) AS orders, round(coalesce(o.revenue, 0), 2) AS revenue,
       round(o.revenue / nullif(o.orders, 0), 2) AS avg_order_value,
       coalesce(b.customers, 0)::BIGINT AS customers,
       coalesce(n.customers, 0)::BIGINT AS new_customers
FROM m LEFT JOIN o USING (month) LEFT JOIN b USING (month) LEFT JOIN n USING (month)
ORDER BY m.month
""")

CONVERSION = Sql("""
SELECT coalesce(traffic_source, 'unattributed') AS traffic_source,
       sum(sessions)::BIGINT AS sessions, sum(converted_sessions)::BIGINT AS converted_sessions,
       round(100.0 * sum(converted_sessions) / nullif(sum(sessions), 0), 2) AS conversion_rate_pct
FROM sessions_daily WHERE session_date BETWEEN $start AND $end
GROUP BY 1 ORDER BY sessions DESC, traffic_source
""")

METRICS: tuple[Metric, ...] = (
    Metric(
        id="kpi_summary",
        path="/kpi/summary",
        area=AREA,
        scope=DATA_SCOPES,
        title="KPI summary",
        description="Revenue, orders, completion, buyers and average order value of the window.",
        formula="total_revenue = net amount of completed orders; orders = orders of every status; "
        "completed_orders = completed orders; avg_order_value = total_revenue / completed_orders; "
        "completion_rate_pct = completed_orders / orders x 100; customers = distinct customers "
        "with a completed order; orders_per_customer = completed_orders / customers; first and "
        "last order dates of completed orders. All over orders placed in the window.",
        tables=(
            Table(
                "rows",
                KpiSummaryRow,
                SUMMARY,
                Chart(
                    "bar",
                    "measure:N",
                    "value:Q",
                    fold=("orders", "completed_orders", "customers"),
                    tooltip=("measure:N", "value:Q"),
                    y_title="Orders and customers",
                ),
            ),
        ),
        window=True,
        aliases=("kpi/summary", "basic_stats"),
    ),
    Metric(
        id="kpi_revenue",
        path="/kpi/revenue",
        area=AREA,
        scope=DATA_SCOPES,
        title="Revenue by month",
        description="Completed orders, revenue, average order value, buyers and new buyers per "
        "month of the window (every month, zeros included).",
        formula="Per month (YYYY-MM, the part inside the window): orders = completed orders; "
        "revenue = their net amount; avg_order_value = revenue / orders; customers = distinct "
        "customers with a completed order; new_customers = customers whose first completed order "
        "ever falls in the month.",
        tables=(Table("rows", KpiRevenueRow, REVENUE, Chart("line", "month:O", "revenue:Q")),),
        window=True,
        aliases=("kpi/revenue", "monthly_stats"),
    ),
    Metric(
        id="kpi_conversion",
        path="/kpi/conversion",
        area=AREA,
        scope=DATA_SCOPES,
        title="Conversion by traffic source",
        description="App and web sessions and how many converted, per traffic source.",
        formula="sessions = distinct session ids with a session_start event in the window, "
        "bucketed by that event's traffic source (unattributed when it has none) and day; "
        "converted_sessions = those sessions with a purchase event; conversion_rate_pct = "
        "converted_sessions / sessions x 100.",
        tables=(
            Table(
                "rows",
                ConversionRow,
                CONVERSION,
                Chart("bar", "traffic_source:N", "conversion_rate_pct:Q"),
            ),
        ),
        window=True,
        aliases=("kpi/conversion",),
        requires=frozenset({"fact_sessions"}),
    ),
)
