"""Marketing metrics (scope `marketing`): customer health, churn risk, loyalty, segments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from c360_api.catalog.finance import RFM_SEGMENTS_TABLE
from c360_api.queries.profiles import churn_risk
from c360_contract.catalog import (
    Chart,
    Mart,
    Metric,
    Page,
    Param,
    RowModel,
    Rows,
    Table,
    Top,
    example,
)
from c360_contract.scopes import Scope

AREA = "marketing"


class HealthOverviewRow(RowModel):
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


class ChurnRiskCustomer(RowModel):
    model_config = example(
        customer_id="C0123456789ab",
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
    customer_name: str | None
    customer_segment: str | None
    loyalty_tier: str | None
    total_spent: float | None
    risk_status: str | None
    churn_risk_score: float | None
    customer_health_score: float | None
    customer_status: str | None
    recency_days: int | None
    last_order_date: date | None


class LoyaltyMetricsRow(RowModel):
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


class SegmentSummaryRow(RowModel):
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


def _churn_risk(snapshot: Any, values: Mapping[str, Any]) -> Rows:
    rows, total = churn_risk(
        snapshot,
        list(ChurnRiskCustomer.model_fields),
        values["pii"],
        values["min_lifetime_value"],
        values["limit"],
        values["offset"],
    )
    return Rows(rows, total)


METRICS: tuple[Metric, ...] = (
    Metric(
        id="customer_health_overview",
        path="/marketing/customer-health-overview",
        area=AREA,
        scope=Scope.MARKETING,
        title="Customer health by status",
        description="Customers, health, churn risk and revenue per customer status.",
        formula="Customers grouped by customer_status (Prospect, New, Active, At Risk, Churned; "
        "docs/metrics.md). pct_of_customers = customers / all customers x 100; averages over the "
        "status's customers (churn risk over buyers only).",
        tables=(
            Table(
                "rows",
                HealthOverviewRow,
                Mart("mart_health_overview", "customers DESC, customer_status"),
                Chart("bar", "customer_status:N", "customers:Q"),
            ),
        ),
        aliases=("churn_status",),
    ),
    Metric(
        id="churn_risk_customers",
        path="/marketing/churn-risk-customers",
        area=AREA,
        scope=Scope.MARKETING,
        title="Churn-risk customers",
        description="Customers at High or Critical churn risk who have not churned yet, biggest "
        "spenders first; `count` is the total. customer_name is personal data (null without pii).",
        formula="risk_status in (High, Critical) and customer_status <> Churned, optionally "
        "total_spent >= min_lifetime_value; ordered by total_spent descending, then customer_id.",
        tables=(
            Table(
                "rows",
                ChurnRiskCustomer,
                _churn_risk,
                Chart(
                    "bar",
                    "customer_id:N",
                    "total_spent:Q",
                    color="risk_status:N",
                    top=Top("total spent"),
                ),
            ),
        ),
        requires=frozenset({"customer_profile"}),
        params=(
            Param(
                "min_lifetime_value",
                float,
                "Only customers with total_spent at least this.",
                ge=0,
                le=1e15,
            ),
        ),
        page=Page(),
    ),
    Metric(
        id="loyalty_program_metrics",
        path="/marketing/loyalty-program-metrics",
        area=AREA,
        scope=Scope.MARKETING,
        title="Loyalty metrics by tier",
        description="Members, points, revenue and status mix per loyalty tier.",
        formula="Customers grouped by loyalty_tier (No Tier for non-members); active_pct and "
        "churned_pct = the tier's customers with status Active / Churned x 100.",
        tables=(
            Table(
                "rows",
                LoyaltyMetricsRow,
                Mart("mart_loyalty_metrics", "members DESC, loyalty_tier"),
                Chart("bar", "loyalty_tier:N", "members:Q"),
            ),
        ),
    ),
    Metric(
        id="customer_segmentation",
        path="/marketing/customer-segmentation",
        area=AREA,
        scope=Scope.MARKETING,
        title="Customer segmentation",
        description="Business segments with their status mix, and the RFM segments across them. "
        "Two tables: `segments` and `rfm_segments` (CSV, PNG and Vega-Lite take `table=`).",
        formula="segments: customers grouped by CRM customer_segment (Unassigned without CRM); "
        "avg_order_value = segment net revenue / segment orders; churn_pct = churned / customers "
        "x 100. rfm_segments: buyers grouped by rfm_segment, pct_of_buyers = customers / buyers "
        "x 100.",
        tables=(
            Table(
                "segments",
                SegmentSummaryRow,
                Mart("mart_segment_summary", "customers DESC, customer_segment"),
                Chart("bar", "customer_segment:N", "customers:Q"),
            ),
            replace(RFM_SEGMENTS_TABLE, name="rfm_segments"),
        ),
        aliases=("segment",),
    ),
)
