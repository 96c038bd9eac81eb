"""Buying behaviour (any data scope): repeat rate, new vs returning, time to the second order,
gaps between orders, customer lifetime and value bands.

Except for new vs returning (a monthly series of orders), these describe the customers acquired in
the window (first completed order ever inside it), measured up to the window's end. Day buckets
are whole days between order days in the business timezone; `365+` is more than 365 days.
"""

from __future__ import annotations

from c360_api.catalog.sql import MONTH_BUYERS, MONTH_NEW_BUYERS, MONTHS_OF_WINDOW, Bands, bands
from c360_contract.catalog import Chart, Metric, RowModel, Sql, Table, example
from c360_contract.scopes import DATA_SCOPES

AREA = "behaviour"
DAY_BANDS = Bands(
    ("0-7", "8-30", "31-60", "61-90", "91-180", "181-365", "365+"), (0, 8, 31, 61, 91, 181, 366)
)
VALUE_BANDS = bands((0, 50, 100, 250, 500, 1000, 2500), "2500+")

_ACQUIRED = "first_order_date BETWEEN $start AND $end"
# Each customer's completed orders up to the end of the window (the as-of summary when the window
# ends at the as-of date, else the same summary recomputed for the earlier end).
_SUMMARY_TO_END = (
    "SELECT * FROM customer_summary WHERE $end = $as_of UNION ALL "
    "SELECT * FROM customer_summary_until($end) WHERE $end <> $as_of"
)


class RepeatRateRow(RowModel):
    model_config = example(customers=5200, repeat_customers=2300, repeat_rate_pct=44.23)
    customers: int
    repeat_customers: int
    repeat_rate_pct: float | None


class NewReturningRow(RowModel):
    model_config = example(
        month="2025-11",
        new_customers=180,
        returning_customers=920,
        new_revenue=15_300.0,
        returning_revenue=115_100.25,
    )
    month: str
    new_customers: int
    returning_customers: int
    new_revenue: float
    returning_revenue: float


class DayBucketRow(RowModel):
    model_config = example(bucket="31-60", customers=420, pct=18.26)
    bucket: str
    customers: int
    pct: float | None


class ValueBandRow(RowModel):
    model_config = example(bucket="250-500", customers=900, revenue=318_000.0, pct_of_revenue=21.4)
    bucket: str
    customers: int
    revenue: float
    pct_of_revenue: float | None


REPEAT_RATE = Sql(f"""
SELECT count(*) AS customers,
       count(*) FILTER (WHERE second_order_date <= $end) AS repeat_customers,
       round(100.0 * count(*) FILTER (WHERE second_order_date <= $end) / nullif(count(*), 0), 2)
           AS repeat_rate_pct
FROM customer_summary WHERE {_ACQUIRED}
""")

# A buyer is new in the part of a month inside the window (its bucket) when their first order
# falls in it.
NEW_VS_RETURNING = Sql(f"""
WITH m AS ({MONTHS_OF_WINDOW}), active AS ({MONTH_BUYERS}), new AS ({MONTH_NEW_BUYERS}),
days AS (
    SELECT date_trunc('month', order_date)::DATE AS month_start, first_order_date,
           greatest(date_trunc('month', order_date)::DATE, $start::DATE) AS bucket_start, revenue
    FROM revenue_by_first_day WHERE order_date BETWEEN $start AND $end
), revenue AS (
    SELECT strftime(month_start, '%Y-%m') AS month,
           sum(revenue) FILTER (WHERE first_order_date >= bucket_start) AS new_revenue,
           sum(revenue) FILTER (WHERE first_order_date < bucket_start) AS returning_revenue
    FROM days GROUP BY month_start
)
SELECT m.month, coalesce(new.customers, 0) AS new_customers,
       coalesce(active.customers, 0) - coalesce(new.customers, 0) AS returning_customers,
       round(coalesce(revenue.new_revenue, 0), 2) AS new_revenue,
       round(coalesce(revenue.returning_revenue, 0), 2) AS returning_revenue
FROM m LEFT JOIN active USING (month) LEFT JOIN new USING (month) LEFT JOIN revenue USING (month)
ORDER BY m.month
""")


def _day_buckets(days: str, source: str, where: str) -> Sql:
    """Customers per day bucket of `days`, every bucket a row, with its share in percent."""
    return Sql(f"""
WITH v AS (SELECT {DAY_BANDS.case(days)} AS bucket FROM ({source}) WHERE {where}),
b AS ({DAY_BANDS.spine()})
SELECT b.bucket, count(v.bucket) AS customers,
       round(100.0 * count(v.bucket) / nullif((SELECT count(*) FROM v), 0), 2) AS pct
FROM b LEFT JOIN v USING (bucket) GROUP BY b.position, b.bucket ORDER BY b.position
""")


_REPEATERS = f"{_ACQUIRED} AND second_order_date <= $end"
FIRST_SECOND = _day_buckets(
    "second_order_date - first_order_date", "SELECT * FROM customer_summary", _REPEATERS
)
FIRST_SECOND_NOTE = Sql(f"""
SELECT count(*) AS customers, median(second_order_date - first_order_date) AS median_days
FROM customer_summary WHERE {_REPEATERS}
""")
# After the until-summary, orders >= 2 says the customer is a repeat buyer within the window.
_REPEATERS_TO_END = f"{_ACQUIRED} AND orders >= 2"
MEAN_GAP = _day_buckets(
    "(last_order_date - first_order_date) / (orders - 1)", _SUMMARY_TO_END, _REPEATERS_TO_END
)
LIFETIME = _day_buckets("last_order_date - first_order_date", _SUMMARY_TO_END, _REPEATERS_TO_END)

LTV = Sql(f"""
WITH v AS (
    SELECT {VALUE_BANDS.case("revenue")} AS bucket, revenue
    FROM ({_SUMMARY_TO_END}) WHERE {_ACQUIRED}
), b AS ({VALUE_BANDS.spine()})
SELECT b.bucket, count(v.bucket) AS customers, round(coalesce(sum(v.revenue), 0), 2) AS revenue,
       round(100.0 * coalesce(sum(v.revenue), 0) / nullif((SELECT sum(revenue) FROM v), 0), 2)
           AS pct_of_revenue
FROM b LEFT JOIN v USING (bucket) GROUP BY b.position, b.bucket ORDER BY b.position
""")

_BUCKET_CHART = Chart("bar", "bucket:O", "customers:Q")

METRICS: tuple[Metric, ...] = (
    Metric(
        id="behaviour_repeat_rate",
        path="/behaviour/repeat-rate",
        area=AREA,
        scope=DATA_SCOPES,
        title="Repeat rate",
        description="How many of the customers acquired in the window bought again.",
        formula="customers = customers whose first completed order falls in the window; "
        "repeat_customers = those with 2+ completed orders up to the end of the window; "
        "repeat_rate_pct = repeat / customers x 100.",
        tables=(
            Table(
                "rows",
                RepeatRateRow,
                REPEAT_RATE,
                Chart(
                    "bar",
                    "measure:N",
                    "value:Q",
                    fold=("customers", "repeat_customers"),
                    y_title="Customers",
                ),
            ),
        ),
        window=True,
        aliases=("repeat_rate",),
    ),
    Metric(
        id="behaviour_new_vs_returning",
        path="/behaviour/new-vs-returning",
        area=AREA,
        scope=DATA_SCOPES,
        title="New vs returning customers",
        description="Buyers and revenue per month split into new and returning customers.",
        formula="Per month (the part inside the window): new_customers = customers whose first "
        "completed order ever falls in it; returning_customers = customers with a completed order "
        "in it whose first completed order was before it (new + returning = the month's buyers); "
        "new_revenue and returning_revenue = their completed revenue in it.",
        tables=(
            Table(
                "rows",
                NewReturningRow,
                NEW_VS_RETURNING,
                Chart(
                    "bar",
                    "month:O",
                    "value:Q",
                    fold=("new_customers", "returning_customers"),
                    color="measure:N",
                    y_title="Customers",
                ),
            ),
        ),
        window=True,
        aliases=("new_vs_returning",),
    ),
    Metric(
        id="behaviour_first_second_delay",
        path="/behaviour/first-second-delay",
        area=AREA,
        scope=DATA_SCOPES,
        title="Days from first to second order",
        description="How long customers acquired in the window took to place a second order.",
        formula="For customers whose first completed order falls in the window and whose second "
        "completed order is on or before its end: days between the two order days, bucketed "
        "0-7, 8-30, 31-60, 61-90, 91-180, 181-365, 365+ (more than 365); pct = customers / "
        "those customers x 100. The message gives the median.",
        tables=(Table("rows", DayBucketRow, FIRST_SECOND, _BUCKET_CHART),),
        window=True,
        aliases=("first_second_delay",),
        message="Median {median_days} days from the first to the second order "
        "({customers} repeat customers)",
        note=FIRST_SECOND_NOTE,
    ),
    Metric(
        id="behaviour_days_between_orders",
        path="/behaviour/days-between-orders",
        area=AREA,
        scope=DATA_SCOPES,
        title="Average days between orders",
        description="Each repeat customer's mean gap between consecutive completed orders.",
        formula="For customers whose first completed order falls in the window and who have 2+ "
        "completed orders up to its end: (last order day - first order day) / (orders - 1), the "
        "mean of the gaps between consecutive order days, bucketed as first-second-delay.",
        tables=(Table("rows", DayBucketRow, MEAN_GAP, _BUCKET_CHART),),
        window=True,
        aliases=("avg_days_between_orders",),
    ),
    Metric(
        id="behaviour_customer_lifetime",
        path="/behaviour/customer-lifetime",
        area=AREA,
        scope=DATA_SCOPES,
        title="Customer lifetime",
        description="Days from each repeat customer's first to last completed order.",
        formula="For customers whose first completed order falls in the window and who have 2+ "
        "completed orders up to its end: last order day - first order day, bucketed as "
        "first-second-delay.",
        tables=(Table("rows", DayBucketRow, LIFETIME, _BUCKET_CHART),),
        window=True,
        aliases=("customer_lifetime",),
    ),
    Metric(
        id="behaviour_ltv",
        path="/behaviour/ltv",
        area=AREA,
        scope=DATA_SCOPES,
        title="Customer value bands",
        description="Customers acquired in the window by the net revenue they brought up to its "
        "end, and each band's share of that revenue.",
        formula="Per band of a customer's completed net revenue up to the end of the window "
        "(0-50, 50-100, 100-250, 250-500, 500-1000, 1000-2500, 2500+; lower edge inclusive, "
        "anything below 50 in 0-50): customers, their revenue, pct_of_revenue = band revenue / "
        "all of it x 100.",
        tables=(Table("rows", ValueBandRow, LTV, Chart("bar", "bucket:O", "revenue:Q")),),
        window=True,
        aliases=("ltv",),
    ),
)
