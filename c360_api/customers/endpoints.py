"""The customer 360 view (any data scope; personal data only with `pii`).

JSON is the grouped view; CSV and the HTML report carry it as four tables (`profile`, the flat
profile row; `linked_identities`; `recent_orders`; `recent_tickets`), CSV one at a time by
`table=`, so nothing the view holds is dropped from any representation.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, TypeAlias

from fastapi import APIRouter, Path, Query, Response
from starlette.concurrency import run_in_threadpool

from c360_api.analytics.endpoints import FORMAT_DESCRIPTION, TABLE_REPRESENTATIONS, TableFormat
from c360_api.api.answers import Ctx, request_urls
from c360_api.api.deps import AnyDataCtx
from c360_api.api.params import enum_type, value_of
from c360_api.api.responses import Envelope
from c360_api.catalog.openapi import representation_responses
from c360_api.customers.schemas import (
    PROFILE_COLUMNS,
    Customer360,
    LinkedIdentity,
    ProfileRow,
    RecentOrder,
    RecentTicket,
    Source,
)
from c360_api.exceptions import NotFoundError, error_responses
from c360_api.queries.customer import customer_view, linked_customer
from c360_api.render.answer import Answer, AnswerTable

router = APIRouter(prefix="/customers", tags=["customers"])

VIEW_TABLES = ("profile", "linked_identities", "recent_orders", "recent_tickets")
if TYPE_CHECKING:  # built from VIEW_TABLES at import
    ViewTable: TypeAlias = StrEnum
else:
    ViewTable = enum_type("customer_view_table", VIEW_TABLES)
TABLE_DESCRIPTION = "Which table CSV renders (JSON and HTML carry the whole view)."
VIEW_RESPONSES = representation_responses(
    TABLE_REPRESENTATIONS,
    "The 360 view: JSON (default), CSV of one of its tables, or an HTML report.",
)


async def _view(ctx: Ctx, customer_id: str, table: StrEnum | None) -> Response:
    pii = ctx.principal.pii

    def build() -> Answer:
        view = customer_view(
            ctx.snapshot,
            customer_id,
            pii,
            PROFILE_COLUMNS,
            list(RecentOrder.model_fields),
            list(RecentTicket.model_fields),
        )
        if view is None:
            raise NotFoundError(f"Unknown customer {customer_id}", customer_id=customer_id)
        return Answer(
            title=f"Customer {customer_id}",
            description="Golden record, scores, linked identities, recent orders and tickets.",
            message=f"Customer {customer_id}",
            tables=(
                AnswerTable("profile", ProfileRow, [view["profile"]], single=True),
                AnswerTable("linked_identities", LinkedIdentity, view["identities"]),
                AnswerTable("recent_orders", RecentOrder, view["recent_orders"]),
                AnswerTable("recent_tickets", RecentTicket, view["recent_tickets"]),
            ),
            count=1,
            snapshot_id=ctx.snapshot.snapshot_id,
            as_of=ctx.snapshot.as_of,
            table=None if table is None else value_of(table),
            urls=request_urls(ctx.request, TABLE_REPRESENTATIONS),
            document=(Customer360, Customer360.shape(view)),
        )

    return await ctx.answer(build, TABLE_REPRESENTATIONS)


@router.get(
    "/lookup",
    response_model=Envelope[Customer360],
    responses={**VIEW_RESPONSES, **error_responses(NotFoundError)},
    operation_id="lookup_customer",
)
async def lookup_customer(
    ctx: AnyDataCtx,
    source: Annotated[Source, Query(description="Source system of the id.")],
    source_record_id: Annotated[
        str,
        Query(alias="id", min_length=1, description="crm_id, account_id, member_id or ticket_id."),
    ],
    table: Annotated[ViewTable | None, Query(description=TABLE_DESCRIPTION)] = None,
    format: Annotated[TableFormat | None, Query(description=FORMAT_DESCRIPTION)] = None,
) -> Response:
    """The 360 view of the customer a source record was linked to."""
    customer_id = await run_in_threadpool(linked_customer, ctx.snapshot, source, source_record_id)
    if customer_id is None:
        raise NotFoundError(
            f"No customer linked to {source} record {source_record_id}",
            source=source,
            id=source_record_id,
        )
    return await _view(ctx, customer_id, table)


@router.get(
    "/{customer_id}",
    response_model=Envelope[Customer360],
    responses={**VIEW_RESPONSES, **error_responses(NotFoundError)},
    operation_id="get_customer",
)
async def get_customer(
    ctx: AnyDataCtx,
    customer_id: Annotated[str, Path(min_length=1, description="The C360 customer id.")],
    table: Annotated[ViewTable | None, Query(description=TABLE_DESCRIPTION)] = None,
    format: Annotated[TableFormat | None, Query(description=FORMAT_DESCRIPTION)] = None,
) -> Response:
    """Golden record, every score, linked identities, last 20 orders and last 20 tickets."""
    return await _view(ctx, customer_id, table)
