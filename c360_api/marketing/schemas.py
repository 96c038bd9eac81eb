"""Marketing responses: health overview, churn-risk list, loyalty and segmentation marts."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from c360_api.api.responses import example
from c360_api.finance.schemas import RfmSegmentRow
from c360_api.personal_data import personal


class HealthOverviewRow(BaseModel):
    model_config = example(
        customer_status="Active",
        customers=4200,
        pct_of_customers=42.0,
        avg_health_score=3.71,
        avg_churn_risk=0.21,
        total_net_revenue=3_900_000.0,
        avg_net_revenue=928.57,
        avg_recency_days=41.3,
        avg_orders=6.2,
    )
    customer_status: str
    customers: int
    pct_of_customers: float | None
    avg_health_score: float | None
    avg_churn_risk: float | None
    total_net_revenue: float | None
    avg_net_revenue: float | None
    avg_recency_days: float | None
    avg_orders: float | None


class ChurnRiskCustomer(BaseModel):
    """customer_name is null without the pii scope."""

    model_config = example(
        customer_id="C-0000042",
        customer_name=None,
        customer_segment="Premium",
        loyalty_tier="Gold",
        total_spent=5120.4,
        risk_status="Critical",
        churn_risk_score=0.81,
        customer_health_score=1.45,
        customer_status="At Risk",
        recency_days=240,
        last_order_date="2025-05-05",
    )
    customer_id: str
    customer_name: str | None = personal("customer_name")
    customer_segment: str | None
    loyalty_tier: str | None
    total_spent: float | None
    risk_status: str | None
    churn_risk_score: float | None
    customer_health_score: float | None
    customer_status: str | None
    recency_days: int | None
    last_order_date: date | None


class LoyaltyMetricsRow(BaseModel):
    model_config = example(
        loyalty_tier="Gold",
        members=900,
        pct_of_customers=9.0,
        avg_points_balance=2400.5,
        avg_lifetime_points=8100.0,
        total_net_revenue=1_800_000.0,
        avg_net_revenue=2000.0,
        avg_orders=9.1,
        avg_health_score=3.9,
        active_pct=71.2,
        churned_pct=6.3,
    )
    loyalty_tier: str
    members: int
    pct_of_customers: float | None
    avg_points_balance: float | None
    avg_lifetime_points: float | None
    total_net_revenue: float | None
    avg_net_revenue: float | None
    avg_orders: float | None
    avg_health_score: float | None
    active_pct: float | None
    churned_pct: float | None


class SegmentSummaryRow(BaseModel):
    model_config = example(
        customer_segment="Premium",
        customers=2000,
        active_customers=1300,
        at_risk_customers=300,
        churned_customers=250,
        prospects=150,
        avg_health_score=3.4,
        avg_net_revenue=1900.0,
        total_net_revenue=3_800_000.0,
        avg_orders=7.5,
        avg_order_value=253.3,
        churn_pct=12.5,
    )
    customer_segment: str
    customers: int
    active_customers: int | None
    at_risk_customers: int | None
    churned_customers: int | None
    prospects: int | None
    avg_health_score: float | None
    avg_net_revenue: float | None
    total_net_revenue: float | None
    avg_orders: float | None
    avg_order_value: float | None
    churn_pct: float | None


class CustomerSegmentation(BaseModel):
    """Business segments (CSV renders these) and the RFM segments across them."""

    segments: list[SegmentSummaryRow]
    rfm_segments: list[RfmSegmentRow]
