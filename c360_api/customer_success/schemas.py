"""Customer-success responses: support and lifecycle marts."""

from __future__ import annotations

from pydantic import BaseModel

from c360_api.api.responses import example


class SupportInsightRow(BaseModel):
    model_config = example(
        category="delivery",
        tickets=2100,
        customers=1700,
        open_tickets=120,
        avg_first_response_hours=5.2,
        avg_resolution_hours=30.4,
        avg_csat=3.6,
        low_csat_pct=18.2,
        churned_customer_pct=11.0,
    )
    category: str
    tickets: int
    customers: int
    open_tickets: int | None
    avg_first_response_hours: float | None
    avg_resolution_hours: float | None
    avg_csat: float | None
    low_csat_pct: float | None
    churned_customer_pct: float | None


class LifecycleRow(BaseModel):
    model_config = example(
        lifecycle_stage="Mature",
        customers=2600,
        pct_of_customers=26.0,
        avg_tenure_days=1100.0,
        avg_orders=11.3,
        avg_net_revenue=2400.0,
        avg_health_score=4.1,
        avg_churn_risk=0.12,
    )
    lifecycle_stage: str
    customers: int
    pct_of_customers: float | None
    avg_tenure_days: float | None
    avg_orders: float | None
    avg_net_revenue: float | None
    avg_health_score: float | None
    avg_churn_risk: float | None
