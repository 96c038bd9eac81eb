"""Customer-profile list: the filterable, sortable summary of customer_profile."""

from __future__ import annotations

from datetime import date

from c360_api.personal_data import personal
from c360_contract.catalog import RowModel, example
from c360_contract.vocabulary import (
    CUSTOMER_SEGMENTS,
    CUSTOMER_STATUSES,
    GENERATIONS,
    LOYALTY_TIERS,
    NO_LOYALTY_TIER,
    RFM_SEGMENTS,
)

# Allowed values of each repeatable filter (data_model.md section 2); `state` is free text.
PROFILE_FILTER_VALUES: dict[str, tuple[str, ...]] = {
    "customer_status": CUSTOMER_STATUSES,
    "segment": (*CUSTOMER_SEGMENTS, "Unassigned"),
    "loyalty_tier": (*LOYALTY_TIERS, NO_LOYALTY_TIER),
    "rfm_segment": RFM_SEGMENTS,
    "generation": GENERATIONS,
    # A cluster is labelled with the RFM segment of its centroid (docs/metrics.md, Clusters).
    "cluster_label": RFM_SEGMENTS,
}


class CustomerProfileSummary(RowModel):
    """One row of /analytics/customer-profiles; customer_name, email and phone are null without
    the pii scope."""

    model_config = example(
        customer_id="C-0000042",
        customer_name=None,
        email=None,
        phone=None,
        customer_segment="Premium",
        loyalty_tier="Gold",
        generation="Millennials",
        city="Austin",
        state="TX",
        customer_status="Active",
        lifecycle_stage="Mature",
        rfm_segment="Champions",
        risk_status="Low",
        customer_health_score=4.35,
        churn_risk_score=0.08,
        total_orders=14,
        total_spent=4210.5,
        avg_order_value=300.75,
        clv_net_revenue=4210.5,
        predicted_clv_12m=1650.0,
        recency_days=9,
        last_order_date="2025-12-22",
        tenure_days=1480,
        channels_used=["online", "store"],
        preferred_channel="online",
        favorite_category="Electronics",
        uses_app=False,
        recommended_category="Home",
        cluster_label="Loyal Customers",
    )
    customer_id: str
    customer_name: str | None = personal("customer_name")
    email: str | None = personal("email")
    phone: str | None = personal("phone")
    customer_segment: str | None
    loyalty_tier: str | None
    generation: str | None
    city: str | None
    state: str | None
    customer_status: str | None
    lifecycle_stage: str | None
    rfm_segment: str | None
    risk_status: str | None
    customer_health_score: float | None
    churn_risk_score: float | None
    total_orders: int | None
    total_spent: float | None
    avg_order_value: float | None
    clv_net_revenue: float | None
    predicted_clv_12m: float | None
    recency_days: int | None
    last_order_date: date | None
    tenure_days: int | None
    channels_used: list[str] | None
    preferred_channel: str | None
    favorite_category: str | None
    uses_app: bool | None
    recommended_category: str | None
    cluster_label: str | None
