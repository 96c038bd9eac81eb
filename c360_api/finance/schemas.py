"""Finance responses: CLV, revenue, RFM and profitability marts."""

from __future__ import annotations

from pydantic import BaseModel

from c360_api.api.responses import example


class ClvBySegmentRow(BaseModel):
    model_config = example(
        customer_segment="Premium",
        customers=1200,
        total_clv_net_revenue=2_400_000.0,
        avg_clv_net_revenue=2000.0,
        avg_clv_net_margin=640.5,
        avg_predicted_clv_12m=870.25,
        total_predicted_clv_12m=1_044_300.0,
    )
    customer_segment: str
    customers: int
    total_clv_net_revenue: float | None
    avg_clv_net_revenue: float | None
    avg_clv_net_margin: float | None
    avg_predicted_clv_12m: float | None
    total_predicted_clv_12m: float | None


class RevenueBySegmentRow(BaseModel):
    model_config = example(
        customer_segment="Standard",
        channel="online",
        orders=5400,
        customers=2100,
        net_revenue=410_000.0,
        avg_order_value=75.93,
        revenue_share_pct=18.4,
    )
    customer_segment: str
    channel: str
    orders: int
    customers: int
    net_revenue: float | None
    avg_order_value: float | None
    revenue_share_pct: float | None


class RfmSegmentRow(BaseModel):
    model_config = example(
        rfm_segment="Champions",
        customers=830,
        pct_of_buyers=9.7,
        avg_recency_days=12.4,
        avg_frequency=11.2,
        avg_monetary=3120.55,
        total_net_revenue=2_590_056.5,
        rfm_action="Reward; ask for reviews; early access",
    )
    rfm_segment: str
    customers: int
    pct_of_buyers: float | None
    avg_recency_days: float | None
    avg_frequency: float | None
    avg_monetary: float | None
    total_net_revenue: float | None
    rfm_action: str | None


class RfmMatrixRow(BaseModel):
    model_config = example(
        r_score=5, fm_score=5, customers=610, avg_monetary=3400.1, rfm_segment="Champions"
    )
    r_score: int
    fm_score: int
    customers: int
    avg_monetary: float | None
    rfm_segment: str | None


class RfmSegmentation(BaseModel):
    """RFM segments (CSV renders these) and the R x FM matrix behind them."""

    segments: list[RfmSegmentRow]
    matrix: list[RfmMatrixRow]


class ProfitabilityRow(BaseModel):
    model_config = example(
        customer_segment="Basic",
        customers=3000,
        net_revenue=510_000.0,
        total_cost=330_000.0,
        net_margin=180_000.0,
        margin_pct=35.29,
        total_discount=21_000.0,
        refunded_amount=9_800.0,
        margin_per_customer=60.0,
    )
    customer_segment: str
    customers: int
    net_revenue: float | None
    total_cost: float | None
    net_margin: float | None
    margin_pct: float | None
    total_discount: float | None
    refunded_amount: float | None
    margin_per_customer: float | None
