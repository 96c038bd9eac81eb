"""Customer analytics (any data scope), under `/customer-analytics/` so no path can collide with
the customer view's `/customers/{customer_id}`: segments, places, demographics and new against
returning buyers of a window.

A group's customers in a window are its members with a completed order placed in the window,
counted exactly from per-day buyer bitstrings (`c360_api/catalog/derived.py`); their orders and
revenue are their completed orders in the window. Membership comes from the customer profile (as
of the snapshot): home city and state, gender, generation, contact details, and the segments.
"""

from __future__ import annotations

from c360_api.catalog.derived import FREQUENT_MIN_ORDERS, HIGH_VALUE_MIN_REVENUE
from c360_api.catalog.sql import WINDOW_BUYERS
from c360_contract.catalog import Chart, Metric, Param, RowModel, Sql, Table, Top, example
from c360_contract.scopes import DATA_SCOPES

AREA = "customer analytics"
SEGMENTS: tuple[str, ...] = ("high_value", "frequent_buyers", "cash_users", "online_users")
DEMOGRAPHICS: tuple[str, ...] = ("gender", "generation", "contact")

_WINDOW_REVENUE = (
    "SELECT coalesce(sum(revenue), 0) AS revenue FROM orders_hourly "
    "WHERE status = 'completed' AND order_date BETWEEN $start AND $end"
)


def _groups(dimension: str, buying: str | None = None) -> str:
    """Each group of a dimension: members buying in the window, their orders and revenue.

    With `buying` (a condition on `r`, the window's orders and revenue per group), only the groups
    with a completed order in the window (exactly those with a buyer) that it keeps. Counting a
    group's buyers ANDs two 125 kB bitstrings at 1M customers, so a top list counts only its
    candidates, and the window's bitstring comes in as a scalar subquery in the scan of the
    groups: cross-joined to them, it went through the join once per group (2-3 times the time)."""
    join = "LEFT JOIN r" if buying is None else "JOIN r"
    keep = "" if buying is None else f" WHERE {buying}"
    return f"""
WITH w AS ({WINDOW_BUYERS}),
r AS (
    SELECT value, sum(orders) AS orders, sum(revenue) AS revenue FROM group_daily
    WHERE dimension = '{dimension}' AND order_date BETWEEN $start AND $end GROUP BY value
),
k AS (
    SELECT g.value, coalesce(r.orders, 0) AS orders, coalesce(r.revenue, 0) AS revenue
    FROM (SELECT value FROM customer_groups WHERE dimension = '{dimension}') g
    {join} USING (value){keep}
),
c AS (
    SELECT value, bit_count(members & (SELECT buyers FROM w)) AS customers FROM customer_groups
    WHERE dimension = '{dimension}' AND value IN (SELECT value FROM k)
)
SELECT k.value, coalesce(c.customers, 0)::BIGINT AS customers, k.orders::BIGINT AS orders,
       k.revenue, (SELECT coalesce(bit_count(buyers), 0) FROM w) AS buyers
FROM k LEFT JOIN c USING (value)"""


# The cities that can be among the first `limit` by revenue: ties at the cut included, so the
# order by customers among them is exact.
_TOP_CITY_CANDIDATES = (
    "r.revenue >= (SELECT min(revenue) FROM (SELECT revenue FROM r ORDER BY revenue DESC "
    "LIMIT $limit))"
)


class SegmentRow(RowModel):
    model_config = example(
        segment="high_value",
        customers=1_200,
        orders=9_400,
        revenue=1_810_000.0,
        pct_of_customers=11.8,
        pct_of_revenue=44.2,
    )
    segment: str
    customers: int
    orders: int
    revenue: float
    pct_of_customers: float | None
    pct_of_revenue: float | None


class CityRow(RowModel):
    model_config = example(
        city="New York", state="NY", customers=1_900, orders=11_200, revenue=1_050_000.0,
        pct_of_revenue=13.4,
    )  # fmt: skip
    city: str
    state: str
    customers: int
    orders: int
    revenue: float
    pct_of_revenue: float | None


class StateRow(RowModel):
    model_config = example(
        state="TX", customers=2_100, orders=12_500, revenue=1_160_000.0, pct_of_revenue=14.8
    )
    state: str
    customers: int
    orders: int
    revenue: float
    pct_of_revenue: float | None


class DemographicRow(RowModel):
    model_config = example(
        dimension="generation",
        value="Millennials",
        customers=3_100,
        orders=18_000,
        revenue=1_700_000.0,
        pct_of_customers=30.2,
    )
    dimension: str
    value: str
    customers: int
    orders: int
    revenue: float
    pct_of_customers: float | None


class CustomerTypeRow(RowModel):
    model_config = example(
        customer_type="returning",
        customers=4_800,
        orders=11_900,
        revenue=1_110_000.0,
        pct_of_customers=92.3,
        pct_of_revenue=88.8,
    )
    customer_type: str
    customers: int
    orders: int
    revenue: float
    pct_of_customers: float | None
    pct_of_revenue: float | None


_SEGMENT_ORDER = ", ".join(f"({i}, '{s}')" for i, s in enumerate(SEGMENTS))
SEGMENTATION = Sql(f"""
WITH g AS ({_groups("segment")}), t AS ({_WINDOW_REVENUE}), w AS ({WINDOW_BUYERS})
SELECT s.segment, coalesce(g.customers, 0)::BIGINT AS customers,
       coalesce(g.orders, 0)::BIGINT AS orders, round(coalesce(g.revenue, 0), 2) AS revenue,
       round(100.0 * coalesce(g.customers, 0) / nullif(bit_count(w.buyers), 0), 2)
           AS pct_of_customers,
       round(100.0 * coalesce(g.revenue, 0) / nullif(t.revenue, 0), 2) AS pct_of_revenue
FROM (VALUES {_SEGMENT_ORDER}) s(position, segment) CROSS JOIN t CROSS JOIN w
LEFT JOIN g ON g.value = s.segment
ORDER BY s.position
""")

CITIES = Sql(f"""
WITH g AS ({_groups("city", _TOP_CITY_CANDIDATES)}), t AS ({_WINDOW_REVENUE})
SELECT split_part(g.value, '|', 1) AS city, split_part(g.value, '|', 2) AS state, g.customers,
       g.orders, round(g.revenue, 2) AS revenue,
       round(100.0 * g.revenue / nullif(t.revenue, 0), 2) AS pct_of_revenue
FROM g CROSS JOIN t
ORDER BY g.revenue DESC, g.customers DESC, city, state LIMIT $limit
""")

STATES = Sql(f"""
WITH g AS ({_groups("state", "r.orders > 0")}), t AS ({_WINDOW_REVENUE})
SELECT g.value AS state, g.customers, g.orders, round(g.revenue, 2) AS revenue,
       round(100.0 * g.revenue / nullif(t.revenue, 0), 2) AS pct_of_revenue
FROM g CROSS JOIN t
ORDER BY g.revenue DESC, g.customers DESC, state
""")

_DEMOGRAPHIC_ORDER = ", ".join(f"({i}, '{d}')" for i, d in enumerate(DEMOGRAPHICS))
DEMOGRAPHIC_GROUPS = Sql(
    "WITH d AS (SELECT * FROM (VALUES "
    + _DEMOGRAPHIC_ORDER
    + ") d(position, dimension)),\n"
    + ",\n".join(f"g_{d} AS ({_groups(d)})" for d in DEMOGRAPHICS)
    + ",\ng AS ("
    + " UNION ALL ".join(f"SELECT '{d}' AS dimension, * FROM g_{d}" for d in DEMOGRAPHICS)
    + """)
SELECT g.dimension, g.value, g.customers, g.orders, round(g.revenue, 2) AS revenue,
       round(100.0 * g.customers / nullif(g.buyers, 0), 2) AS pct_of_customers
FROM g JOIN d USING (dimension)
ORDER BY d.position, g.customers DESC, g.value
"""
)

NEW_VS_RETURNING = Sql(f"""
WITH w AS ({WINDOW_BUYERS}), t AS ({_WINDOW_REVENUE}),
n AS (
    SELECT count(*) AS customers FROM customer_summary
    WHERE first_order_date BETWEEN $start AND $end
),
r AS (
    SELECT coalesce(sum(orders) FILTER (WHERE first_order_date >= $start), 0) AS new_orders,
           coalesce(sum(revenue) FILTER (WHERE first_order_date >= $start), 0) AS new_revenue,
           coalesce(sum(orders) FILTER (WHERE first_order_date < $start), 0) AS old_orders,
           coalesce(sum(revenue) FILTER (WHERE first_order_date < $start), 0) AS old_revenue
    FROM revenue_by_first_day WHERE order_date BETWEEN $start AND $end
),
v AS (
    SELECT 'new' AS customer_type, 1 AS position, n.customers, r.new_orders AS orders,
           r.new_revenue AS revenue FROM n, r
    UNION ALL
    SELECT 'returning', 2, coalesce(bit_count(w.buyers), 0) - n.customers, r.old_orders,
           r.old_revenue FROM n, r, w
)
SELECT v.customer_type, v.customers::BIGINT AS customers, v.orders::BIGINT AS orders,
       round(v.revenue, 2) AS revenue,
       round(100.0 * v.customers / nullif(sum(v.customers) OVER (), 0), 2) AS pct_of_customers,
       round(100.0 * v.revenue / nullif(t.revenue, 0), 2) AS pct_of_revenue
FROM v CROSS JOIN t ORDER BY v.position
""")

_GROUP_FORMULA = (
    "customers = the group's customers with a completed order placed in the window; orders "
    "and revenue = those completed orders and their net amount"
)

METRICS: tuple[Metric, ...] = (
    Metric(
        id="customer_analytics_segmentation",
        path="/customer-analytics/segmentation",
        area=AREA,
        scope=DATA_SCOPES,
        title="Customer segments",
        description="High-value customers, frequent buyers, cash users and online users: how "
        "many bought in the window and what they spent.",
        formula=f"Segments from the profile (as of the snapshot): high_value = net revenue of at "
        f"least {HIGH_VALUE_MIN_REVENUE}; frequent_buyers = at least {FREQUENT_MIN_ORDERS} "
        "completed orders; cash_users = more than half of their completed orders paid in cash or "
        "cash on delivery; online_users = the other buyers (cash and online users split the "
        f"buyers; the first two overlap them). {_GROUP_FORMULA}; pct_of_customers = customers / "
        "all customers buying in the window x 100; pct_of_revenue = revenue / the window's "
        "completed revenue x 100.",
        tables=(Table("rows", SegmentRow, SEGMENTATION, Chart("bar", "segment:N", "customers:Q")),),
        window=True,
        aliases=("customer-analytics/segmentation", "customer_segments"),
    ),
    Metric(
        id="customer_analytics_geographic",
        path="/customer-analytics/geographic",
        area=AREA,
        scope=DATA_SCOPES,
        title="Customers by city and state",
        description="The top cities and every state by the revenue of customers living there.",
        formula=f"Per home city (and state) of the customer: {_GROUP_FORMULA}; pct_of_revenue = "
        "revenue / the window's completed revenue x 100. Two tables: `cities` (the first "
        "`limit` by revenue) and `states` (all with a buyer), most revenue first.",
        tables=(
            Table(
                "cities",
                CityRow,
                CITIES,
                Chart("bar", "city:N", "revenue:Q", color="state:N", top=Top("revenue")),
            ),
            Table("states", StateRow, STATES, Chart("bar", "state:N", "revenue:Q")),
        ),
        params=(Param("limit", int, "How many cities.", 10, 1, 100),),
        window=True,
        aliases=("customer-analytics/geographic", "geographic_analysis"),
    ),
    Metric(
        id="customer_analytics_demographics",
        path="/customer-analytics/demographics",
        area=AREA,
        scope=DATA_SCOPES,
        title="Customers by gender, generation and contact details",
        description="Buyers of the window by gender, generation and which verified contact "
        "details they left (a valid email, a valid phone, both or none).",
        formula=f"Per dimension (gender, `unknown` when not recorded; generation; contact: "
        "`email and phone`, `email only`, `phone only`, `no contact`, from the profile's valid "
        f"email and phone) and value: {_GROUP_FORMULA}; pct_of_customers = customers / all "
        "customers buying in the window x 100. Every value the profile holds is a row.",
        tables=(
            Table(
                "rows",
                DemographicRow,
                DEMOGRAPHIC_GROUPS,
                Chart("bar", "value:N", "customers:Q", color="dimension:N"),
            ),
        ),
        window=True,
        aliases=("customer-analytics/demographics", "demographics"),
    ),
    Metric(
        id="customer_analytics_new_vs_returning",
        path="/customer-analytics/new-vs-returning",
        area=AREA,
        scope=DATA_SCOPES,
        title="New and returning buyers of a window",
        description="Buyers of the window split into those buying for the first time and "
        "those who had bought before, with their orders and revenue (`days` for the last N "
        "days).",
        formula="new = customers whose first completed order ever falls in the window; "
        "returning = customers with a completed order in the window whose first was before it; "
        "orders and revenue = their completed orders in the window and net amount; "
        "pct_of_customers = customers / buyers of the window x 100; pct_of_revenue = revenue / "
        "the window's completed revenue x 100.",
        tables=(
            Table(
                "rows",
                CustomerTypeRow,
                NEW_VS_RETURNING,
                Chart("arc", "customer_type:N", "customers:Q"),
            ),
        ),
        window=True,
        aliases=("customer-analytics/new-vs-returning", "new_vs_returning_window"),
    ),
)
