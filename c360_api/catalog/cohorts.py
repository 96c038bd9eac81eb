"""Acquisition cohorts (any data scope): sizes, monthly retention and repeat purchase.

A customer's cohort is the month of their first completed order ever. The window selects the
cohorts (customers whose first completed order falls in it) and closes the observation: activity
and revenue count up to its end.
"""

from __future__ import annotations

from c360_contract.catalog import Chart, Metric, Param, RowModel, Sql, Table, example
from c360_contract.scopes import DATA_SCOPES

AREA = "cohorts"
# The window's cohorts: customers whose first completed order (ever) falls in it.
_COHORT = "first_order_date BETWEEN $start AND $end"


class CohortSizeRow(RowModel):
    model_config = example(
        cohort_month="2024-03",
        customers=410,
        first_order_revenue=36_100.0,
        revenue_to_date=98_500.0,
    )
    cohort_month: str
    customers: int
    first_order_revenue: float
    revenue_to_date: float


class RetentionCell(RowModel):
    model_config = example(
        cohort_month="2024-03",
        month_offset=2,
        cohort_customers=410,
        active_customers=61,
        retention_pct=14.88,
    )
    cohort_month: str
    month_offset: int
    cohort_customers: int
    active_customers: int
    retention_pct: float


class RepeatPurchaseRow(RowModel):
    model_config = example(
        cohort_month="2024-03", customers=410, repeat_customers=170, repeat_rate_pct=41.46
    )
    cohort_month: str
    customers: int
    repeat_customers: int
    repeat_rate_pct: float


SIZES = Sql(f"""
WITH c AS (
    SELECT strftime(first_order_date, '%Y-%m') AS cohort_month, count(*) AS customers,
           sum(first_order_revenue) AS first_order_revenue
    FROM customer_summary WHERE {_COHORT} GROUP BY 1
), r AS (
    SELECT strftime(first_order_date, '%Y-%m') AS cohort_month, sum(revenue) AS revenue
    FROM revenue_by_first_day WHERE {_COHORT} AND order_date <= $end GROUP BY 1
)
SELECT cohort_month, customers, round(first_order_revenue, 2) AS first_order_revenue,
       round(coalesce(r.revenue, 0), 2) AS revenue_to_date
FROM c LEFT JOIN r USING (cohort_month) ORDER BY cohort_month
""")

RETENTION = Sql(f"""
WITH c AS (
    SELECT strftime(first_order_date, '%Y-%m') AS cohort_month, count(*) AS cohort_customers
    FROM customer_summary WHERE {_COHORT} GROUP BY 1
), cells AS (
    SELECT c.cohort_month, o.month_offset::INTEGER AS month_offset, c.cohort_customers,
           strftime(strptime(c.cohort_month, '%Y-%m') + to_months(o.month_offset::INTEGER),
                    '%Y-%m') AS month
    FROM c CROSS JOIN range($months) o(month_offset)
), a AS (
    SELECT strftime(first_order_date, '%Y-%m') AS cohort_month, month,
           sum(customers) AS active_customers
    FROM cohort_activity WHERE {_COHORT} AND first_day <= $end GROUP BY ALL
)
SELECT cells.cohort_month, month_offset, cohort_customers,
       coalesce(a.active_customers, 0)::BIGINT AS active_customers,
       round(100.0 * coalesce(a.active_customers, 0) / cohort_customers, 2) AS retention_pct
FROM cells LEFT JOIN a USING (cohort_month, month)
WHERE cells.month <= strftime($end::DATE, '%Y-%m')
ORDER BY cells.cohort_month, month_offset
""")

REPEAT = Sql(f"""
SELECT strftime(first_order_date, '%Y-%m') AS cohort_month, count(*) AS customers,
       count(*) FILTER (WHERE second_order_date <= $end) AS repeat_customers,
       round(100.0 * count(*) FILTER (WHERE second_order_date <= $end) / count(*), 2)
           AS repeat_rate_pct
FROM customer_summary WHERE {_COHORT} GROUP BY 1 ORDER BY 1
""")

METRICS: tuple[Metric, ...] = (
    Metric(
        id="cohort_sizes",
        path="/cohorts/sizes",
        area=AREA,
        scope=DATA_SCOPES,
        title="Cohort sizes",
        description="Customers acquired per month, their first-order revenue and their revenue "
        "to date.",
        formula="cohort_month = month of the customer's first completed order ever; customers = "
        "customers of the cohort whose first order falls in the window; first_order_revenue = "
        "net amount of those first orders; revenue_to_date = the cohort's completed revenue up to "
        "the end of the window.",
        tables=(
            Table("rows", CohortSizeRow, SIZES, Chart("bar", "cohort_month:O", "customers:Q")),
        ),
        window=True,
        aliases=("cohort",),
    ),
    Metric(
        id="cohort_retention",
        path="/cohorts/retention",
        area=AREA,
        scope=DATA_SCOPES,
        title="Cohort retention",
        description="Share of each monthly cohort buying again 0..months-1 months after its "
        "first order month.",
        formula="Per (cohort_month, month_offset): cohort_customers = the cohort's customers; "
        "active_customers = those with a completed order in month cohort_month + month_offset (up "
        "to the end of the window); retention_pct = active / cohort x 100. Offset 0 is 100. Only "
        "cells whose month is not after the window's last month.",
        tables=(
            Table(
                "rows",
                RetentionCell,
                RETENTION,
                Chart(
                    "rect",
                    "month_offset:O",
                    "cohort_month:O",
                    color="retention_pct:Q",
                    tooltip=(
                        "cohort_month:O",
                        "month_offset:O",
                        "active_customers:Q",
                        "retention_pct:Q",
                    ),
                ),
            ),
        ),
        params=(Param("months", int, "Month offsets per cohort (0..months-1).", 12, 1, 36),),
        window=True,
        aliases=("cohorts/retention", "retention"),
    ),
    Metric(
        id="cohort_repeat_purchase",
        path="/cohorts/repeat-purchase",
        area=AREA,
        scope=DATA_SCOPES,
        title="Repeat purchase by cohort",
        description="Share of each monthly cohort that came back for a second completed order.",
        formula="Per cohort_month: customers = the cohort's customers; repeat_customers = those "
        "with 2+ completed orders up to the end of the window; repeat_rate_pct = repeat / "
        "customers x 100.",
        tables=(
            Table(
                "rows",
                RepeatPurchaseRow,
                REPEAT,
                Chart("bar", "cohort_month:O", "repeat_rate_pct:Q"),
            ),
        ),
        window=True,
        aliases=("cohorts/repeat-purchase",),
    ),
)
