"""Marketing routes (scope `marketing`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from c360_api.api.deps import MarketingCtx
from c360_api.api.params import PageLimit, PageOffset, finite_minimum
from c360_api.api.responses import CSV_RESPONSES, Envelope, Result, table_result
from c360_api.finance.schemas import RfmSegmentRow
from c360_api.marketing.schemas import (
    ChurnRiskCustomer,
    CustomerSegmentation,
    HealthOverviewRow,
    LoyaltyMetricsRow,
    SegmentSummaryRow,
)
from c360_api.store import Snapshot

router = APIRouter(prefix="/marketing", tags=["marketing"])


@router.get(
    "/customer-health-overview",
    response_model=Envelope[list[HealthOverviewRow]],
    responses=CSV_RESPONSES,
)
async def customer_health_overview(ctx: MarketingCtx) -> Any:
    """Customers, health, churn risk and revenue per customer_status (mart_health_overview)."""
    return await ctx.mart("mart_health_overview", HealthOverviewRow, "Customer health by status")


@router.get(
    "/churn-risk-customers",
    response_model=Envelope[list[ChurnRiskCustomer]],
    responses=CSV_RESPONSES,
)
async def churn_risk_customers(
    ctx: MarketingCtx,
    min_lifetime_value: Annotated[
        float | None, finite_minimum("Only customers with total_spent at least this.")
    ] = None,
    limit: PageLimit = 100,
    offset: PageOffset = 0,
) -> Any:
    """High/Critical risk customers not yet Churned, by total_spent descending; `count` is the total.

    customer_name is null unless the key has the pii scope."""
    columns = list(ChurnRiskCustomer.model_fields)
    pii = ctx.principal.pii

    def fetch(s: Snapshot) -> Result:
        rows, total = s.churn_risk(columns, pii, min_lifetime_value, limit, offset)
        return table_result(rows, f"{len(rows)} of {total} churn-risk customers", total)

    return await ctx.reply(fetch, ChurnRiskCustomer)


@router.get(
    "/loyalty-program-metrics",
    response_model=Envelope[list[LoyaltyMetricsRow]],
    responses=CSV_RESPONSES,
)
async def loyalty_program_metrics(ctx: MarketingCtx) -> Any:
    """Members, points, revenue and status mix per loyalty tier (mart_loyalty_metrics)."""
    return await ctx.mart("mart_loyalty_metrics", LoyaltyMetricsRow, "Loyalty metrics by tier")


@router.get(
    "/customer-segmentation",
    response_model=Envelope[CustomerSegmentation],
    responses=CSV_RESPONSES,
)
async def customer_segmentation(ctx: MarketingCtx) -> Any:
    """Segment summary plus RFM segments; CSV renders the segment summary; `count` = segments."""

    def fetch(s: Snapshot) -> Result:
        segments = s.mart("mart_segment_summary", list(SegmentSummaryRow.model_fields))
        rfm = s.mart("mart_rfm_segments", list(RfmSegmentRow.model_fields))
        data = {"segments": segments, "rfm_segments": rfm}
        return Result(data, len(segments), segments, "Customer segmentation")

    return await ctx.reply(fetch, SegmentSummaryRow)
