"""Finance metrics (scope `finance`): lifetime value, revenue, RFM and profitability."""

from __future__ import annotations

from c360_contract.catalog import Chart, Mart, Metric, RowModel, Table, example
from c360_contract.scopes import Scope

AREA = "finance"


class ClvBySegmentRow(RowModel):
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


class RevenueBySegmentRow(RowModel):
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


class RfmSegmentRow(RowModel):
    model_config = example(
        rfm_segment="Champions",
        customers=830,
        pct_of_buyers=9.7,
        avg_recency_days=12.4,
        avg_frequency=11.2,
        avg_monetary=3120.55,
        total_net_revenue=2_590_056.5,
        rfm_action="Reward them; early access, ask for reviews",
    )
    rfm_segment: str
    customers: int
    pct_of_buyers: float | None
    avg_recency_days: float | None
    avg_frequency: float | None
    avg_monetary: float | None
    total_net_revenue: float | None
    rfm_action: str | None


class RfmMatrixRow(RowModel):
    model_config = example(
        r_score=5, fm_score=5, customers=610, avg_monetary=3400.1, rfm_segment="Champions"
    )
    r_score: int
    fm_score: int
    customers: int
    avg_monetary: float | None
    rfm_segment: str | None


class ProfitabilityRow(RowModel):
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


RFM_SEGMENTS_TABLE = Table(
    "segments",
    RfmSegmentRow,
    Mart("mart_rfm_segments", "customers DESC, rfm_segment"),
    Chart("bar", "rfm_segment:N", "customers:Q"),
)

METRICS: tuple[Metric, ...] = (
    Metric(
        id="customer_lifetime_value",
        path="/finance/customer-lifetime-value",
        area=AREA,
        scope=Scope.FINANCE,
        title="CLV by segment",
        description="Realised and predicted 12-month customer lifetime value per CRM segment.",
        formula="Per customer_segment: sums and averages of clv_net_revenue (net revenue to "
        "date), clv_net_margin and predicted_clv_12m (docs/metrics.md, lifetime value).",
        tables=(
            Table(
                "rows",
                ClvBySegmentRow,
                Mart("mart_clv_by_segment", "total_clv_net_revenue DESC, customer_segment"),
                Chart("bar", "customer_segment:N", "avg_predicted_clv_12m:Q"),
            ),
        ),
    ),
    Metric(
        id="revenue_analysis",
        path="/finance/revenue-analysis",
        area=AREA,
        scope=Scope.FINANCE,
        title="Revenue by segment and channel",
        description="Completed orders, buyers and net revenue per CRM segment and sales channel.",
        formula="Completed orders grouped by the buyer's customer_segment and the order's channel; "
        "avg_order_value = net revenue / orders; revenue_share_pct = net revenue / all completed "
        "revenue x 100.",
        tables=(
            Table(
                "rows",
                RevenueBySegmentRow,
                Mart("mart_revenue_by_segment", "net_revenue DESC, customer_segment, channel"),
                Chart("bar", "customer_segment:N", "net_revenue:Q", color="channel:N"),
            ),
        ),
    ),
    Metric(
        id="rfm_segmentation",
        path="/finance/rfm-segmentation",
        area=AREA,
        scope=Scope.FINANCE,
        title="RFM segmentation",
        description="RFM segments of buyers and the R x FM matrix behind them. Two tables: "
        "`segments` and `matrix` (CSV, PNG and Vega-Lite take `table=`).",
        formula="R, F and M scores 1-5 from recency, completed orders and net revenue; "
        "fm = floor((F + M) / 2 + 0.5); the segment from R and fm by the first matching rule of "
        "the table in docs/metrics.md. matrix: buyers per (R, fm) cell with the cell's segment.",
        tables=(
            RFM_SEGMENTS_TABLE,
            Table(
                "matrix",
                RfmMatrixRow,
                Mart("mart_rfm_matrix", "r_score DESC, fm_score DESC"),
                Chart("rect", "fm_score:O", "r_score:O", color="customers:Q"),
            ),
        ),
        aliases=("rfm",),
    ),
    Metric(
        id="profitability_metrics",
        path="/finance/profitability-metrics",
        area=AREA,
        scope=Scope.FINANCE,
        title="Profitability by segment",
        description="Revenue, cost, margin, discounts and refunds per CRM segment.",
        formula="Per customer_segment: sums of the profile's money columns; margin_pct = net "
        "margin / net revenue x 100; margin_per_customer = net margin / customers.",
        tables=(
            Table(
                "rows",
                ProfitabilityRow,
                Mart("mart_profitability", "net_margin DESC, customer_segment"),
                Chart("bar", "customer_segment:N", "net_margin:Q"),
            ),
        ),
    ),
)
