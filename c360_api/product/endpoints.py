"""Product routes (scope `product`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from c360_api.api.deps import ProductCtx
from c360_api.api.responses import CSV_RESPONSES, Envelope
from c360_api.product.schemas import CategoryInsightRow, CrossSellRow, DigitalEngagementRow

router = APIRouter(prefix="/product", tags=["product"])


@router.get(
    "/digital-engagement-analysis",
    response_model=Envelope[list[DigitalEngagementRow]],
    responses=CSV_RESPONSES,
)
async def digital_engagement_analysis(ctx: ProductCtx) -> Any:
    """App adoption, sessions, conversion and channel revenue shares per generation."""
    return await ctx.mart(
        "mart_digital_engagement", DigitalEngagementRow, "Digital engagement by generation"
    )


@router.get(
    "/cross-sell-opportunities",
    response_model=Envelope[list[CrossSellRow]],
    responses=CSV_RESPONSES,
)
async def cross_sell_opportunities(ctx: ProductCtx) -> Any:
    """Channel, category and loyalty-upgrade opportunities with their potential revenue."""
    return await ctx.mart("mart_cross_sell", CrossSellRow, "Cross-sell opportunities")


@router.get(
    "/category-insights",
    response_model=Envelope[list[CategoryInsightRow]],
    responses=CSV_RESPONSES,
)
async def category_insights(ctx: ProductCtx) -> Any:
    """Revenue, margin, discounts, refunds, repeat buying and stock per category."""
    return await ctx.mart("mart_category_insights", CategoryInsightRow, "Category insights")
