"""Product metrics (scope `product`): digital engagement, cross-sell and categories."""

from __future__ import annotations

from c360_contract.catalog import Chart, Mart, Metric, RowModel, Table, example
from c360_contract.scopes import Scope

AREA = "product"


class DigitalEngagementRow(RowModel):
    model_config = example(
        generation="Millennials",
        customers=3100,
        app_users=1900,
        app_adoption_pct=61.29,
        avg_sessions=14.2,
        avg_app_sessions=9.8,
        avg_product_views=40.1,
        digital_conversion_rate=0.0712,
        app_revenue_share_pct=38.5,
        online_revenue_share_pct=41.0,
        store_revenue_share_pct=20.5,
    )
    generation: str
    customers: int
    app_users: int | None
    app_adoption_pct: float | None
    avg_sessions: float | None
    avg_app_sessions: float | None
    avg_product_views: float | None
    digital_conversion_rate: float | None
    app_revenue_share_pct: float | None
    online_revenue_share_pct: float | None
    store_revenue_share_pct: float | None


class CrossSellRow(RowModel):
    model_config = example(
        opportunity_type="category",
        target="Electronics",
        eligible_customers=5100,
        avg_net_revenue=610.2,
        avg_gap=None,
        potential_revenue=412_000.0,
    )
    opportunity_type: str
    target: str
    eligible_customers: int
    avg_net_revenue: float | None
    avg_gap: float | None
    potential_revenue: float | None


class CategoryInsightRow(RowModel):
    model_config = example(
        category="Electronics",
        orders=8000,
        customers=4100,
        units=12000,
        net_revenue=1_200_000.0,
        net_margin=310_000.0,
        margin_pct=25.83,
        revenue_share_pct=31.2,
        avg_discount_pct=4.1,
        refund_rate_pct=2.3,
        repeat_customer_pct=44.0,
        products=120,
        products_below_reorder_point=7,
    )
    category: str
    orders: int
    customers: int
    units: int | None
    net_revenue: float | None
    net_margin: float | None
    margin_pct: float | None
    revenue_share_pct: float | None
    avg_discount_pct: float | None
    refund_rate_pct: float | None
    repeat_customer_pct: float | None
    products: int | None
    products_below_reorder_point: int | None


METRICS: tuple[Metric, ...] = (
    Metric(
        id="digital_engagement_analysis",
        path="/product/digital-engagement-analysis",
        area=AREA,
        scope=Scope.PRODUCT,
        title="Digital engagement by generation",
        description="App adoption, sessions, conversion and channel revenue shares per generation.",
        formula="Per generation: app_adoption_pct = customers with an app session / customers x "
        "100; digital_conversion_rate = purchase events / sessions; channel revenue shares = "
        "completed revenue by channel / the generation's revenue x 100.",
        tables=(
            Table(
                "rows",
                DigitalEngagementRow,
                Mart("mart_digital_engagement", "customers DESC, generation"),
                Chart("bar", "generation:N", "app_adoption_pct:Q"),
            ),
        ),
    ),
    Metric(
        id="cross_sell_opportunities",
        path="/product/cross-sell-opportunities",
        area=AREA,
        scope=Scope.PRODUCT,
        title="Cross-sell opportunities",
        description="Channel, category and loyalty-upgrade opportunities with potential revenue.",
        formula="Per opportunity type and target: eligible customers (buyers without the channel "
        "or category; every customer for their next loyalty tier); potential_revenue = eligible "
        "customers x the average order value of customers already using the target.",
        tables=(
            Table(
                "rows",
                CrossSellRow,
                Mart(
                    "mart_cross_sell",
                    "opportunity_type, potential_revenue DESC NULLS LAST, target",
                ),
                Chart("bar", "target:N", "eligible_customers:Q", color="opportunity_type:N"),
            ),
        ),
    ),
    Metric(
        id="category_insights",
        path="/product/category-insights",
        area=AREA,
        scope=Scope.PRODUCT,
        title="Category insights",
        description="Revenue, margin, discounts, refunds, repeat buying and stock per category.",
        formula="Per catalogue category over completed orders: margin_pct = margin / revenue x "
        "100; revenue_share_pct of all revenue; avg_discount_pct = discounts / list value; "
        "refund_rate_pct = refunded / (completed + refunded) orders with the category; "
        "repeat_customer_pct = buyers with 2+ orders in the category / buyers.",
        tables=(
            Table(
                "rows",
                CategoryInsightRow,
                Mart("mart_category_insights", "net_revenue DESC, category"),
                Chart("bar", "category:N", "net_revenue:Q"),
            ),
        ),
    ),
)
