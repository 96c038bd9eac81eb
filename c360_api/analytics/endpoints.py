"""Customer profiles (any data scope: marketing, product, finance or customer_success)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import StringConstraints

from c360_api.analytics.schemas import PROFILE_FILTER_VALUES, CustomerProfileSummary
from c360_api.api.deps import AnyDataCtx
from c360_api.api.params import PageLimit, PageOffset, finite_minimum
from c360_api.api.responses import CSV_RESPONSES, Envelope, Result, table_result
from c360_api.exceptions import InvalidParameterError
from c360_api.store import PROFILE_SORT_COLUMNS, ProfileQuery, Snapshot

router = APIRouter(prefix="/analytics", tags=["analytics"])

SORT_VALUES = sorted(PROFILE_SORT_COLUMNS | {f"-{c}" for c in PROFILE_SORT_COLUMNS})


def _enum_filter(name: str) -> Any:
    allowed = PROFILE_FILTER_VALUES[name]
    return Query(
        description=f"Repeatable; one of: {', '.join(allowed)}.",
        json_schema_extra={"items": {"type": "string", "enum": list(allowed)}},
    )


def _checked(name: str, values: list[str] | None) -> list[str]:
    """Reject values outside the documented enum, naming the parameter and the allowed values."""
    allowed = PROFILE_FILTER_VALUES.get(name)
    bad = [v for v in values or [] if allowed is not None and v not in allowed]
    if bad:
        raise InvalidParameterError(
            f"Invalid value(s) for {name}: {', '.join(bad)}",
            parameter=name,
            invalid=bad,
            allowed=list(allowed or ()),
        )
    return sorted(set(values or []))


@router.get(
    "/customer-profiles",
    response_model=Envelope[list[CustomerProfileSummary]],
    responses=CSV_RESPONSES,
)
async def customer_profiles(
    ctx: AnyDataCtx,
    customer_status: Annotated[list[str] | None, _enum_filter("customer_status")] = None,
    segment: Annotated[list[str] | None, _enum_filter("segment")] = None,
    loyalty_tier: Annotated[list[str] | None, _enum_filter("loyalty_tier")] = None,
    rfm_segment: Annotated[list[str] | None, _enum_filter("rfm_segment")] = None,
    generation: Annotated[list[str] | None, _enum_filter("generation")] = None,
    state: Annotated[
        list[Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]] | None,
        Query(description="Repeatable 2-letter state code, e.g. CA."),
    ] = None,
    min_health_score: Annotated[
        float | None, finite_minimum("customer_health_score at least this.", maximum=5)
    ] = None,
    min_lifetime_value: Annotated[
        float | None, finite_minimum("total_spent (net revenue to date) at least this.")
    ] = None,
    sort: Annotated[
        str,
        Query(
            description=f"Column, '-' prefix for descending; one of: {', '.join(SORT_VALUES)}.",
            json_schema_extra={"enum": SORT_VALUES},
        ),
    ] = "-total_spent",
    limit: PageLimit = 100,
    offset: PageOffset = 0,
) -> Any:
    """Filtered, sorted page of customer profiles; `count` is the total matching, data one page."""
    if sort not in SORT_VALUES:
        raise InvalidParameterError(
            f"Invalid value for sort: {sort}", parameter="sort", invalid=[sort], allowed=SORT_VALUES
        )
    query = ProfileQuery(
        in_filters={
            "customer_status": _checked("customer_status", customer_status),
            "segment": _checked("segment", segment),
            "loyalty_tier": _checked("loyalty_tier", loyalty_tier),
            "rfm_segment": _checked("rfm_segment", rfm_segment),
            "generation": _checked("generation", generation),
            "state": _checked("state", state),
        },
        min_filters={
            k: v
            for k, v in (
                ("min_health_score", min_health_score),
                ("min_lifetime_value", min_lifetime_value),
            )
            if v is not None
        },
        sort=sort,
        limit=limit,
        offset=offset,
    )
    columns = list(CustomerProfileSummary.model_fields)
    pii = ctx.principal.pii

    def fetch(s: Snapshot) -> Result:
        rows, total = s.profiles(columns, pii, query)
        return table_result(
            rows,
            f"{len(rows)} of {total} customer profiles (limit {limit}, offset {offset})",
            total,
        )

    return await ctx.reply(fetch, CustomerProfileSummary)
