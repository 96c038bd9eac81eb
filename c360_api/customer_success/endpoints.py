"""Customer-success routes (scope `customer_success`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from c360_api.api.deps import CustomerSuccessCtx
from c360_api.api.responses import CSV_RESPONSES, Envelope
from c360_api.customer_success.schemas import LifecycleRow, SupportInsightRow

router = APIRouter(prefix="/customer-success", tags=["customer success"])


@router.get(
    "/support-insights",
    response_model=Envelope[list[SupportInsightRow]],
    responses=CSV_RESPONSES,
)
async def support_insights(ctx: CustomerSuccessCtx) -> Any:
    """Ticket volume, response and resolution times, CSAT and churn per ticket category."""
    return await ctx.mart(
        "mart_support_insights", SupportInsightRow, "Support insights by category"
    )


@router.get(
    "/lifecycle-analysis",
    response_model=Envelope[list[LifecycleRow]],
    responses=CSV_RESPONSES,
)
async def lifecycle_analysis(ctx: CustomerSuccessCtx) -> Any:
    """Customers, tenure, orders, revenue, health and churn risk per lifecycle stage."""
    return await ctx.mart("mart_lifecycle", LifecycleRow, "Lifecycle analysis")
