"""Products (any data scope): best sellers, categories, price bands and what converts, trending
products and stock running out.

Sales are completed orders placed in the window (units = quantities, revenue = line amounts,
margin = revenue - the units' cost). Conversion reads the product views of app and web sessions
(fact_product_views): the share of the sessions that viewed a product that ended in a purchase.
"""

from __future__ import annotations

from c360_api.catalog.demand import TopProductRow
from c360_api.catalog.sql import PRODUCT_SALES, bands
from c360_contract.catalog import Chart, Metric, Param, RowModel, Sql, Table, Top, example
from c360_contract.scopes import DATA_SCOPES

AREA = "products"
PRICE_BANDS = bands((0, 10, 25, 50, 100, 250), "250+")
STOCK_DAYS = 28
"""Days of sales the mean daily units of the stock metrics are taken over."""
_IN_WINDOW = "order_date BETWEEN $start AND $end"
LEAD_TIME = Param(
    "lead_time_days",
    int,
    "Days a reorder takes to arrive: products with fewer days of cover are alerted.",
    14,
    1,
    365,
)


class BestSellerRow(TopProductRow):
    model_config = example(
        product_id="P-00042",
        name="Voltix Pro Headphones 310",
        category="Electronics",
        units=1_200,
        orders=1_100,
        revenue=98_000.0,
        margin=39_000.0,
        pct_of_revenue=1.2,
    )
    margin: float
    pct_of_revenue: float | None


class CategoryRow(RowModel):
    model_config = example(
        category="Electronics",
        products=60,
        units=14_000,
        orders=9_800,
        revenue=1_900_000.0,
        margin=760_000.0,
        margin_pct=40.0,
        revenue_share_pct=24.3,
    )
    category: str
    products: int
    units: int
    orders: int
    revenue: float
    margin: float
    margin_pct: float | None
    revenue_share_pct: float | None


class PriceBandRow(RowModel):
    model_config = example(
        price_band="25-50",
        products=110,
        units=21_000,
        revenue=760_000.0,
        margin_pct=39.5,
        views=44_000,
        viewing_sessions=38_000,
        converting_sessions=9_100,
        conversion_pct=23.95,
    )
    price_band: str
    products: int
    units: int
    revenue: float
    margin_pct: float | None
    views: int
    viewing_sessions: int
    converting_sessions: int
    conversion_pct: float | None


class TrendingRow(RowModel):
    model_config = example(
        product_id="P-00042",
        name="Voltix Pro Headphones 310",
        category="Electronics",
        units=180,
        previous_units=120,
        growth_pct=50.0,
        revenue=15_200.0,
    )
    product_id: str
    name: str | None
    category: str | None
    units: int
    previous_units: int
    growth_pct: float | None
    revenue: float


class StockAlertRow(RowModel):
    model_config = example(
        product_id="P-00042",
        name="Voltix Pro Headphones 310",
        category="Electronics",
        stock_on_hand=12,
        reorder_point=40,
        units_last_28d=56,
        avg_daily_units=2.0,
        days_of_cover=6.0,
    )
    product_id: str
    name: str
    category: str
    stock_on_hand: int
    reorder_point: int
    units_last_28d: int
    avg_daily_units: float
    days_of_cover: float


BEST_SELLERS = Sql(f"""
WITH s AS ({PRODUCT_SALES}), t AS (SELECT sum(revenue) AS revenue FROM s)
SELECT s.product_id, d.name, d.category, s.units::BIGINT AS units, s.orders::BIGINT AS orders,
       round(s.revenue, 2) AS revenue, round(s.revenue - s.cost, 2) AS margin,
       round(100.0 * s.revenue / nullif(t.revenue, 0), 2) AS pct_of_revenue
FROM s CROSS JOIN t LEFT JOIN dim_products d USING (product_id)
ORDER BY s.units DESC, s.product_id LIMIT $limit
""")

CATEGORIES = Sql(f"""
WITH c AS (SELECT category, count(*) AS products FROM dim_products GROUP BY category),
s AS (
    SELECT category, sum(units) AS units, sum(revenue) AS revenue, sum(cost) AS cost
    FROM product_daily WHERE {_IN_WINDOW} GROUP BY category
),
o AS (
    SELECT category, sum(orders) AS orders FROM category_status_daily
    WHERE status = 'completed' AND {_IN_WINDOW} GROUP BY category
),
t AS (SELECT sum(revenue) AS revenue FROM s)
SELECT c.category, c.products::BIGINT AS products, coalesce(s.units, 0)::BIGINT AS units,
       coalesce(o.orders, 0)::BIGINT AS orders, round(coalesce(s.revenue, 0), 2) AS revenue,
       round(coalesce(s.revenue - s.cost, 0), 2) AS margin,
       round(100.0 * (s.revenue - s.cost) / nullif(s.revenue, 0), 2) AS margin_pct,
       round(100.0 * coalesce(s.revenue, 0) / nullif(t.revenue, 0), 2) AS revenue_share_pct
FROM c CROSS JOIN t LEFT JOIN s USING (category) LEFT JOIN o USING (category)
ORDER BY coalesce(s.revenue, 0) DESC, c.category
""")

# Price bands of the products' list prices with their sales and views: shared with the pricing
# recommendations.
PRICE_BAND_FIGURES = f"""
WITH p AS (SELECT product_id, {PRICE_BANDS.case("list_price")} AS bucket FROM dim_products),
s AS ({PRODUCT_SALES}),
v AS (
    SELECT product_id, sum(views) AS views, sum(viewing_sessions) AS viewing_sessions,
           sum(converting_sessions) AS converting_sessions
    FROM product_views WHERE view_date BETWEEN $start AND $end GROUP BY product_id
),
j AS (
    SELECT p.bucket, count(*) AS products, sum(s.units) AS units, sum(s.revenue) AS revenue,
           sum(s.cost) AS cost, sum(v.views) AS views,
           sum(v.viewing_sessions) AS viewing_sessions,
           sum(v.converting_sessions) AS converting_sessions
    FROM p LEFT JOIN s USING (product_id) LEFT JOIN v USING (product_id) GROUP BY p.bucket
),
b AS ({PRICE_BANDS.spine()}),
bands AS (
    SELECT b.position, b.bucket AS price_band, coalesce(j.products, 0)::BIGINT AS products,
           coalesce(j.units, 0)::BIGINT AS units, coalesce(j.revenue, 0) AS revenue,
           coalesce(j.cost, 0) AS cost, coalesce(j.views, 0)::BIGINT AS views,
           coalesce(j.viewing_sessions, 0)::BIGINT AS viewing_sessions,
           coalesce(j.converting_sessions, 0)::BIGINT AS converting_sessions
    FROM b LEFT JOIN j USING (bucket)
)"""

PRICE_PERFORMANCE = Sql(f"""{PRICE_BAND_FIGURES}
SELECT price_band, products, units, round(revenue, 2) AS revenue,
       round(100.0 * (revenue - cost) / nullif(revenue, 0), 2) AS margin_pct, views,
       viewing_sessions, converting_sessions,
       round(100.0 * converting_sessions / nullif(viewing_sessions, 0), 2) AS conversion_pct
FROM bands ORDER BY position
""")

TRENDING = Sql("""
WITH cur AS (
    SELECT product_id, sum(units) AS units, sum(revenue) AS revenue FROM product_daily
    WHERE order_date BETWEEN $start AND $end GROUP BY product_id
),
prev AS (
    SELECT product_id, sum(units) AS units FROM product_daily
    WHERE order_date BETWEEN $start::DATE - $days::INTEGER AND $start::DATE - 1
    GROUP BY product_id
)
SELECT c.product_id, d.name, d.category, c.units::BIGINT AS units,
       coalesce(p.units, 0)::BIGINT AS previous_units,
       round(100.0 * (c.units - p.units) / nullif(p.units, 0), 2) AS growth_pct,
       round(c.revenue, 2) AS revenue
FROM cur c LEFT JOIN prev p USING (product_id) LEFT JOIN dim_products d USING (product_id)
WHERE c.units >= $min_units
ORDER BY growth_pct DESC NULLS LAST, c.units DESC, c.product_id LIMIT $limit
""")

# Every product's stock and mean daily units over the STOCK_DAYS days ending at the window's
# end; shared with the restock recommendations.
STOCK = f"""
WITH s AS (
    SELECT product_id, sum(units) AS units FROM product_daily
    WHERE order_date BETWEEN $end::DATE - {STOCK_DAYS - 1} AND $end GROUP BY product_id
),
stock AS (
    SELECT d.product_id, d.name, d.category, d.stock_on_hand, d.reorder_point, d.unit_cost,
           coalesce(s.units, 0)::BIGINT AS units_last_28d,
           coalesce(s.units, 0) / {STOCK_DAYS}.0 AS daily,
           d.stock_on_hand / nullif(coalesce(s.units, 0) / {STOCK_DAYS}.0, 0) AS cover
    FROM dim_products d LEFT JOIN s USING (product_id)
),
alerts AS (SELECT * FROM stock WHERE cover < $lead_time_days)"""

STOCK_ALERTS = Sql(f"""{STOCK}
SELECT product_id, name, category, stock_on_hand, reorder_point, units_last_28d,
       round(daily, 2) AS avg_daily_units, round(cover, 1) AS days_of_cover
FROM alerts ORDER BY cover, product_id
""")

METRICS: tuple[Metric, ...] = (
    Metric(
        id="products_best_sellers",
        path="/products/best-sellers",
        area=AREA,
        scope=DATA_SCOPES,
        title="Best sellers",
        description="The products that sold the most units in the window, with revenue and margin.",
        formula="Over completed orders placed in the window, per product: units = sum of "
        "quantity; orders = orders containing it; revenue = sum of line amounts; margin = "
        "revenue - units x unit cost; pct_of_revenue = revenue / all products' revenue x 100. "
        "Most units first (ties by product_id); the first `limit`.",
        tables=(
            Table(
                "rows",
                BestSellerRow,
                BEST_SELLERS,
                Chart("bar", "name:N", "units:Q", color="category:N", top=Top("units")),
            ),
        ),
        params=(Param("limit", int, "How many products.", 10, 1, 500),),
        window=True,
        aliases=("products/best-sellers", "best_sellers"),
    ),
    Metric(
        id="products_category_performance",
        path="/products/category-performance",
        area=AREA,
        scope=DATA_SCOPES,
        title="Category performance",
        description="Units, orders, revenue and margin of every catalogue category.",
        formula="Per category of the catalogue (every category a row, zeros included) over "
        "completed orders placed in the window: products = products in the catalogue; units, "
        "revenue and margin as the best sellers; orders = orders containing the category; "
        "margin_pct = margin / revenue x 100; revenue_share_pct = revenue / all revenue x 100.",
        tables=(Table("rows", CategoryRow, CATEGORIES, Chart("bar", "category:N", "revenue:Q")),),
        window=True,
        aliases=("products/category-performance", "category_performance"),
    ),
    Metric(
        id="products_price_performance",
        path="/products/price-performance",
        area=AREA,
        scope=DATA_SCOPES,
        title="Price bands",
        description="Units, revenue, margin and the conversion from product views to purchases "
        "per list-price band.",
        formula="Products banded by list price (0-10, 10-25, 25-50, 50-100, 100-250, 250+; lower "
        "edge inclusive; every band a row): units, revenue and margin_pct as the categories; "
        "views = product-view events of the band's products in the window; viewing_sessions = "
        "sessions that viewed one of them (per product and day of its first view); "
        "converting_sessions = those that ended in a purchase; conversion_pct = "
        "converting_sessions / viewing_sessions x 100.",
        tables=(
            Table(
                "rows",
                PriceBandRow,
                PRICE_PERFORMANCE,
                Chart("bar", "price_band:O", "conversion_pct:Q"),
            ),
        ),
        window=True,
        aliases=("products/price-performance", "price_performance"),
    ),
    Metric(
        id="products_trending",
        path="/products/trending",
        area=AREA,
        scope=DATA_SCOPES,
        title="Trending products",
        description="Products whose units grew most against the equally long period before.",
        formula="units = units of completed orders placed in the window; previous_units = in "
        "the equally long period just before it; growth_pct = (units - previous_units) / "
        "previous_units x 100, empty when nothing sold before. Only products with at least "
        "`min_units` units in the window, so noise does not trend; fastest growth first (empty "
        "growth last), then most units; the first `limit`.",
        tables=(
            Table(
                "rows",
                TrendingRow,
                TRENDING,
                Chart("bar", "name:N", "growth_pct:Q", top=Top("growth")),
            ),
        ),
        params=(
            Param("limit", int, "How many products.", 10, 1, 500),
            Param("min_units", int, "Units a product must sell in the window.", 10, 1, 1_000_000),
        ),
        window=True,
        default_days=28,
        aliases=("products/trending", "trending_products"),
    ),
    Metric(
        id="products_stock_alerts",
        path="/products/stock-alerts",
        area=AREA,
        scope=DATA_SCOPES,
        title="Stock alerts",
        description="Products whose stock covers fewer days of sales than a reorder takes.",
        formula=f"avg_daily_units = units of completed orders placed in the {STOCK_DAYS} days "
        f"ending at the window's end / {STOCK_DAYS}; days_of_cover = stock on hand (the "
        "catalogue's current stock) / avg_daily_units; alerted when days_of_cover < "
        "`lead_time_days`. A product without sales in those days is never alerted. Fewest days "
        "first.",
        tables=(
            Table(
                "rows",
                StockAlertRow,
                STOCK_ALERTS,
                Chart(
                    "bar",
                    "name:N",
                    "days_of_cover:Q",
                    color="category:N",
                    top=Top("fewest days of cover"),
                ),
            ),
        ),
        params=(LEAD_TIME,),
        window=True,
        aliases=("products/stock-alerts", "stock_alerts"),
    ),
)
