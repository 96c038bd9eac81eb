"""Customer profiles (any data scope: marketing, product, finance or customer_success)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from fastapi import APIRouter, Query, Response
from pydantic import StringConstraints

from c360_api.analytics.schemas import PROFILE_FILTER_VALUES, CustomerProfileSummary
from c360_api.api.answers import paging_links, request_urls
from c360_api.api.deps import AnyDataCtx
from c360_api.api.params import PageLimit, PageOffset, enum_type, finite_minimum, value_of
from c360_api.api.responses import PagedEnvelope
from c360_api.catalog.openapi import representation_responses
from c360_api.queries.profiles import PROFILE_SORT_COLUMNS, ProfileQuery, profiles
from c360_api.render.answer import Answer, AnswerTable
from c360_api.render.negotiate import Representation

router = APIRouter(prefix="/analytics", tags=["analytics"])

# What a list of customers can be: a table (JSON, CSV, an HTML report); it has no chart.
TABLE_REPRESENTATIONS = (Representation.JSON, Representation.CSV, Representation.HTML)
# Every sortable column ascending (`total_spent`) and descending (`total_spent_desc`).
SORT_VALUES = tuple(v for c in PROFILE_SORT_COLUMNS for v in (c, f"{c}_desc"))
if TYPE_CHECKING:  # the enums are built from the vocabularies at import
    TableFormat: TypeAlias = StrEnum
    ProfileSort: TypeAlias = StrEnum
    CustomerStatus: TypeAlias = StrEnum
    CustomerSegment: TypeAlias = StrEnum
    LoyaltyTier: TypeAlias = StrEnum
    RfmSegment: TypeAlias = StrEnum
    Generation: TypeAlias = StrEnum
    ClusterLabel: TypeAlias = StrEnum
else:
    TableFormat = enum_type("table_format", tuple(r.value for r in TABLE_REPRESENTATIONS))
    ProfileSort = enum_type("profile_sort", SORT_VALUES)
    CustomerStatus = enum_type("customer_status", PROFILE_FILTER_VALUES["customer_status"])
    CustomerSegment = enum_type("customer_segment", PROFILE_FILTER_VALUES["segment"])
    LoyaltyTier = enum_type("loyalty_tier", PROFILE_FILTER_VALUES["loyalty_tier"])
    RfmSegment = enum_type("rfm_segment", PROFILE_FILTER_VALUES["rfm_segment"])
    Generation = enum_type("generation", PROFILE_FILTER_VALUES["generation"])
    ClusterLabel = enum_type("cluster_label", PROFILE_FILTER_VALUES["cluster_label"])
State = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
FORMAT_DESCRIPTION = "Representation; the Accept header also selects it."
TABLE_RESPONSES = representation_responses(
    TABLE_REPRESENTATIONS,
    "A page of profiles: the JSON envelope (default), CSV or an HTML report.",
)


def _values(selected: list[Any] | None) -> list[str]:
    return sorted({value_of(v) for v in selected or []})


def _repeatable(description: str) -> Any:
    return Query(description=f"Repeatable: {description}")


@router.get(
    "/customer-profiles",
    response_model=PagedEnvelope[list[CustomerProfileSummary]],
    responses=TABLE_RESPONSES,
    operation_id="get_customer_profiles",
)
async def get_customer_profiles(
    ctx: AnyDataCtx,
    customer_status: Annotated[
        list[CustomerStatus] | None, _repeatable("customers with any of these statuses.")
    ] = None,
    segment: Annotated[
        list[CustomerSegment] | None, _repeatable("customers in any of these CRM segments.")
    ] = None,
    loyalty_tier: Annotated[
        list[LoyaltyTier] | None, _repeatable("customers in any of these loyalty tiers.")
    ] = None,
    rfm_segment: Annotated[
        list[RfmSegment] | None, _repeatable("customers in any of these RFM segments.")
    ] = None,
    generation: Annotated[
        list[Generation] | None, _repeatable("customers of any of these generations.")
    ] = None,
    state: Annotated[
        list[State] | None, _repeatable("customers in any of these 2-letter states, e.g. CA.")
    ] = None,
    cluster_label: Annotated[
        list[ClusterLabel] | None,
        _repeatable("customers in clusters with any of these labels (/segments/clusters)."),
    ] = None,
    min_health_score: Annotated[
        float | None, finite_minimum("customer_health_score at least this.", maximum=5)
    ] = None,
    min_lifetime_value: Annotated[
        float | None, finite_minimum("total_spent (net revenue to date) at least this.")
    ] = None,
    sort: Annotated[
        ProfileSort,
        Query(description="Sort column; the `_desc` variant sorts descending (nulls last)."),
    ] = "total_spent_desc",  # type: ignore[assignment]  # FastAPI validates the default
    limit: PageLimit = 100,
    offset: PageOffset = 0,
    format: Annotated[TableFormat | None, Query(description=FORMAT_DESCRIPTION)] = None,
) -> Response:
    """Filtered, sorted page of customer profiles; `count` is the total matching, `data` one
    page, `links` the neighbouring pages."""
    column, descending = value_of(sort).removesuffix("_desc"), value_of(sort).endswith("_desc")
    query = ProfileQuery(
        in_filters={
            "customer_status": _values(customer_status),
            "segment": _values(segment),
            "loyalty_tier": _values(loyalty_tier),
            "rfm_segment": _values(rfm_segment),
            "generation": _values(generation),
            "state": _values(state),
            "cluster_label": _values(cluster_label),
        },
        min_filters={
            k: v
            for k, v in (
                ("min_health_score", min_health_score),
                ("min_lifetime_value", min_lifetime_value),
            )
            if v is not None
        },
        sort=f"-{column}" if descending else column,
        limit=limit,
        offset=offset,
    )

    def build() -> Answer:
        rows, total = profiles(
            ctx.snapshot, list(CustomerProfileSummary.model_fields), ctx.principal.pii, query
        )
        return Answer(
            title="Customer profiles",
            description="A filtered, sorted page of customer profiles.",
            message=f"{len(rows)} of {total} customer profiles (limit {limit}, offset {offset})",
            tables=(AnswerTable("rows", CustomerProfileSummary, rows),),
            count=total,
            snapshot_id=ctx.snapshot.snapshot_id,
            as_of=ctx.snapshot.as_of,
            params=dict(ctx.request.query_params.multi_items()),
            urls=request_urls(ctx.request, TABLE_REPRESENTATIONS),
            links=paging_links(ctx.request, limit, offset, total),
        )

    return await ctx.answer(build, TABLE_REPRESENTATIONS)
