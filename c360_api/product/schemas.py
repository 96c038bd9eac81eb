"""Product responses: digital engagement, cross-sell and category marts."""

from __future__ import annotations

from pydantic import BaseModel

from c360_api.api.responses import example


class DigitalEngagementRow(BaseModel):
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


class CrossSellRow(BaseModel):
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


class CategoryInsightRow(BaseModel):
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
