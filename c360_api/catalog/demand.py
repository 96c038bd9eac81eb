"""Demand (any data scope): revenue growth by month, top products and categories by month."""

from __future__ import annotations

from c360_api.catalog.sql import MONTHS_OF_WINDOW, PRODUCT_SALES
from c360_contract.catalog import Chart, Metric, Param, RowModel, Sql, Table, Top, example
from c360_contract.scopes import DATA_SCOPES

AREA = "demand"


class GrowthRow(RowModel):
    model_config = example(
        month="2025-11", revenue=130_400.25, prev_revenue=118_000.0, growth_pct=10.51
    )
    month: str
    revenue: float
    prev_revenue: float | None
    growth_pct: float | None


class TopProductRow(RowModel):
    model_config = example(
        product_id="P-00042",
        name="Trail Runner 2",
        category="Sports",
        units=1200,
        orders=1100,
        revenue=98_000.0,
    )
    product_id: str
    name: str | None
    category: str | None
    units: int
    orders: int
    revenue: float


class CategoryMonthRow(RowModel):
    model_config = example(month="2025-11", category="Electronics", units=800, revenue=96_000.0)
    month: str
    category: str
    units: int
    revenue: float


GROWTH = Sql(f"""
WITH r AS (
    SELECT m.month, coalesce(sum(o.revenue), 0) AS revenue
    FROM ({MONTHS_OF_WINDOW}) m
    LEFT JOIN orders_hourly o ON strftime(o.order_date, '%Y-%m') = m.month
         AND o.status = 'completed' AND o.order_date BETWEEN $start AND $end
    GROUP BY m.month
)
SELECT month, round(revenue, 2) AS revenue,
       round(lag(revenue) OVER (ORDER BY month), 2) AS prev_revenue,
       round(100.0 * (revenue - lag(revenue) OVER (ORDER BY month))
             / nullif(lag(revenue) OVER (ORDER BY month), 0), 2) AS growth_pct
FROM r ORDER BY month
""")

TOP_PRODUCTS = Sql(f"""
WITH s AS ({PRODUCT_SALES})
SELECT s.product_id, p.name, p.category, s.units::BIGINT AS units, s.orders::BIGINT AS orders,
       round(s.revenue, 2) AS revenue
FROM s LEFT JOIN dim_products p USING (product_id)
ORDER BY s.units DESC, s.product_id LIMIT $limit
""")

BY_CATEGORY = Sql("""
SELECT strftime(order_date, '%Y-%m') AS month, category, sum(units)::BIGINT AS units,
       round(sum(revenue), 2) AS revenue
FROM product_daily WHERE order_date BETWEEN $start AND $end
GROUP BY ALL ORDER BY month, revenue DESC, category
""")

METRICS: tuple[Metric, ...] = (
    Metric(
        id="demand_growth",
        path="/demand/growth",
        area=AREA,
        scope=DATA_SCOPES,
        title="Revenue growth by month",
        description="Completed revenue per month of the window and its growth on the month before.",
        formula="revenue = net amount of completed orders in the month (the part inside the "
        "window); prev_revenue = the previous row's revenue; growth_pct = (revenue - prev_revenue) "
        "/ prev_revenue x 100, empty for the first month and after a month without revenue.",
        tables=(Table("rows", GrowthRow, GROWTH, Chart("bar", "month:O", "growth_pct:Q")),),
        window=True,
        aliases=("demand/growth", "monthly_growth"),
    ),
    Metric(
        id="demand_top_products",
        path="/demand/top-products",
        area=AREA,
        scope=DATA_SCOPES,
        title="Top products",
        description="The best-selling products of the window by units: the rows of "
        "/products/best-sellers without their margin.",
        formula="Over completed orders in the window, per product: units = sum of quantity; "
        "orders = distinct orders containing it; revenue = sum of line amounts. Ordered by units "
        "descending, then product_id; the first `limit`.",
        tables=(
            Table(
                "rows",
                TopProductRow,
                TOP_PRODUCTS,
                Chart("bar", "name:N", "units:Q", color="category:N", top=Top("units")),
            ),
        ),
        params=(Param("limit", int, "How many products.", 10, 1, 100),),
        window=True,
        aliases=("demand/top-products",),
    ),
    Metric(
        id="demand_by_category",
        path="/demand/by-category",
        area=AREA,
        scope=DATA_SCOPES,
        title="Demand by category and month",
        description="Units and revenue per product category and month.",
        formula="Over completed orders in the window, per (month, category): units = sum of "
        "quantity; revenue = sum of line amounts. Only (month, category) pairs with sales.",
        tables=(
            Table(
                "rows",
                CategoryMonthRow,
                BY_CATEGORY,
                Chart("line", "month:O", "revenue:Q", color="category:N"),
            ),
        ),
        window=True,
        aliases=("demand/by-category",),
    ),
)
