"""Customer-success metrics (scope `customer_success`): support and lifecycle."""

from __future__ import annotations

from c360_contract.catalog import Chart, Mart, Metric, RowModel, Table, example
from c360_contract.scopes import Scope

AREA = "customer success"


class SupportInsightRow(RowModel):
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


class LifecycleRow(RowModel):
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


METRICS: tuple[Metric, ...] = (
    Metric(
        id="support_insights",
        path="/customer-success/support-insights",
        area=AREA,
        scope=Scope.CUSTOMER_SUCCESS,
        title="Support insights by category",
        description="Ticket volume, response and resolution times, CSAT and churn per category.",
        formula="Per ticket category: tickets, distinct customers, open or pending tickets, "
        "average first-response and resolution hours, average CSAT; low_csat_pct = tickets rated "
        "at or below the low-CSAT limit / rated tickets x 100; churned_customer_pct = customers "
        "with status Churned / the category's customers x 100.",
        tables=(
            Table(
                "rows",
                SupportInsightRow,
                Mart("mart_support_insights", "tickets DESC, category"),
                Chart("bar", "category:N", "tickets:Q"),
            ),
        ),
    ),
    Metric(
        id="lifecycle_analysis",
        path="/customer-success/lifecycle-analysis",
        area=AREA,
        scope=Scope.CUSTOMER_SUCCESS,
        title="Lifecycle analysis",
        description="Customers, tenure, orders, revenue, health and churn risk per lifecycle "
        "stage.",
        formula="Customers grouped by lifecycle_stage (docs/metrics.md); pct_of_customers = "
        "customers / all customers x 100; averages over the stage's customers.",
        tables=(
            Table(
                "rows",
                LifecycleRow,
                Mart("mart_lifecycle", "customers DESC, lifecycle_stage"),
                Chart("bar", "lifecycle_stage:N", "customers:Q"),
            ),
        ),
        aliases=("customer_lifecycle",),
    ),
)
