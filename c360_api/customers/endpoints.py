"""The customer 360 view (any data scope; personal data only with `pii`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from c360_api.api.deps import AnyDataCtx
from c360_api.api.responses import Ctx, Envelope, Result
from c360_api.customers.schemas import (
    PROFILE_COLUMNS,
    Customer360,
    RecentOrder,
    RecentTicket,
    Source,
)
from c360_api.exceptions import NotFoundError, error_responses
from c360_api.store import Snapshot

router = APIRouter(prefix="/customers", tags=["customers"])


async def _view(ctx: Ctx, customer_id: str) -> Any:
    pii = ctx.principal.pii

    def fetch(s: Snapshot) -> Result:
        view = s.customer(
            customer_id,
            pii,
            PROFILE_COLUMNS,
            list(RecentOrder.model_fields),
            list(RecentTicket.model_fields),
        )
        if view is None:
            raise NotFoundError(f"Unknown customer {customer_id}", customer_id=customer_id)
        return Result(Customer360.shape(view), 1, None, f"Customer {customer_id}")

    return await ctx.reply(fetch, None)


@router.get(
    "/lookup", response_model=Envelope[Customer360], responses=error_responses(NotFoundError)
)
async def lookup_customer(
    ctx: AnyDataCtx,
    source: Annotated[Source, Query(description="Source system of the id.")],
    source_record_id: Annotated[
        str,
        Query(alias="id", min_length=1, description="crm_id, account_id, member_id or ticket_id."),
    ],
) -> Any:
    """The 360 view of the customer a source record was linked to."""
    customer_id = await run_in_threadpool(ctx.snapshot.lookup, source, source_record_id)
    if customer_id is None:
        raise NotFoundError(
            f"No customer linked to {source} record {source_record_id}",
            source=source,
            id=source_record_id,
        )
    return await _view(ctx, customer_id)


@router.get(
    "/{customer_id}", response_model=Envelope[Customer360], responses=error_responses(NotFoundError)
)
async def get_customer(ctx: AnyDataCtx, customer_id: Annotated[str, Path(min_length=1)]) -> Any:
    """Golden record, every score, linked identities, last 20 orders and last 20 tickets."""
    return await _view(ctx, customer_id)
