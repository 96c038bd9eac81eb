"""Finance routes (scope `finance`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from c360_api.api.deps import FinanceCtx
from c360_api.api.responses import CSV_RESPONSES, Envelope, Result
from c360_api.finance.schemas import (
    ClvBySegmentRow,
    ProfitabilityRow,
    RevenueBySegmentRow,
    RfmMatrixRow,
    RfmSegmentation,
    RfmSegmentRow,
)
from c360_api.store import Snapshot

router = APIRouter(prefix="/finance", tags=["finance"])


@router.get(
    "/customer-lifetime-value",
    response_model=Envelope[list[ClvBySegmentRow]],
    responses=CSV_RESPONSES,
)
async def customer_lifetime_value(ctx: FinanceCtx) -> Any:
    """Historical and predicted 12-month CLV per customer segment."""
    return await ctx.mart("mart_clv_by_segment", ClvBySegmentRow, "CLV by segment")


@router.get(
    "/revenue-analysis",
    response_model=Envelope[list[RevenueBySegmentRow]],
    responses=CSV_RESPONSES,
)
async def revenue_analysis(ctx: FinanceCtx) -> Any:
    """Orders, customers and net revenue per segment and channel."""
    return await ctx.mart(
        "mart_revenue_by_segment", RevenueBySegmentRow, "Revenue by segment and channel"
    )


@router.get(
    "/rfm-segmentation",
    response_model=Envelope[RfmSegmentation],
    responses=CSV_RESPONSES,
)
async def rfm_segmentation(ctx: FinanceCtx) -> Any:
    """RFM segments and the R x FM matrix; CSV renders the segments; `count` = segments."""

    def fetch(s: Snapshot) -> Result:
        segments = s.mart("mart_rfm_segments", list(RfmSegmentRow.model_fields))
        matrix = s.mart("mart_rfm_matrix", list(RfmMatrixRow.model_fields))
        return Result(
            {"segments": segments, "matrix": matrix}, len(segments), segments, "RFM segmentation"
        )

    return await ctx.reply(fetch, RfmSegmentRow)


@router.get(
    "/profitability-metrics",
    response_model=Envelope[list[ProfitabilityRow]],
    responses=CSV_RESPONSES,
)
async def profitability_metrics(ctx: FinanceCtx) -> Any:
    """Revenue, cost, margin, discounts and refunds per customer segment."""
    return await ctx.mart("mart_profitability", ProfitabilityRow, "Profitability by segment")
