"""`/workspaces/{workspace_id}/...`: every catalogue metric over a workspace's snapshot, in every
representation, and its catalogue of what the upload can answer."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from c360_api.analytics.endpoints import FORMAT_DESCRIPTION, TABLE_REPRESENTATIONS, TableFormat
from c360_api.api.answers import request_urls
from c360_api.api.responses import Envelope
from c360_api.catalog.execute import needed_relations
from c360_api.catalog.index import CatalogEntry, CatalogRow, entries
from c360_api.catalog.openapi import representation_responses
from c360_api.catalog.registry import CATALOG
from c360_api.catalog.routes import add_metric_routes
from c360_api.exceptions import (
    C360Error,
    InvalidParameterError,
    NotAuthenticatedError,
    NotFoundError,
    RateLimitedError,
    SnapshotUnavailableError,
    error_responses,
)
from c360_api.render.answer import Answer, AnswerTable
from c360_api.workspaces.deps import WorkspaceCtx, WorkspaceId, workspace_context_dependency

PREFIX = "/workspaces/{workspace_id}"
# A workspace answers its owner (no scope can be missing: 401 without a user, 404 for anyone
# else's), refuses bad parameters and inputs the upload lacks (422), and has no snapshot until
# its job succeeded (503).
WORKSPACE_ERRORS: tuple[type[C360Error], ...] = (
    NotAuthenticatedError,
    NotFoundError,
    InvalidParameterError,
    RateLimitedError,
    SnapshotUnavailableError,
)
LEADING = (
    inspect.Parameter("workspace_id", inspect.Parameter.KEYWORD_ONLY, annotation=WorkspaceId),
)


def add_workspace_metric_routes(router: APIRouter, guards: Sequence[Any]) -> None:
    """The catalogue's routes again under PREFIX, on the workspace context (added to `router`,
    the app's own: see `add_metric_routes`)."""
    add_metric_routes(
        router,
        CATALOG,
        workspace_context_dependency,
        prefix=PREFIX,
        leading=LEADING,
        operation_prefix="workspace_",
        guards=guards,
        errors=WORKSPACE_ERRORS,
    )


router = APIRouter(prefix=PREFIX, tags=["workspaces"], responses=error_responses(*WORKSPACE_ERRORS))


@router.get(
    "/catalog",
    response_model=Envelope[list[CatalogEntry]],
    responses=representation_responses(
        TABLE_REPRESENTATIONS,
        "The metrics this workspace's upload can answer: JSON (default), CSV or HTML.",
    ),
    operation_id="get_workspace_catalog",
)
async def get_workspace_catalog(
    ctx: WorkspaceCtx,
    workspace_id: WorkspaceId,
    format: Annotated[TableFormat | None, Query(description=FORMAT_DESCRIPTION)] = None,
) -> Response:
    """The catalogue's metrics whose inputs this workspace's snapshot has, with their routes
    under the workspace (the others answer 422 naming what the upload lacks)."""
    available = [m for m in CATALOG if needed_relations(m) <= ctx.snapshot.relations]
    listed = entries(available, PREFIX.replace("{workspace_id}", workspace_id))

    def build() -> Answer:
        flat = [{**e, "parameters": [p["name"] for p in e["parameters"]]} for e in listed]
        return Answer(
            title="Workspace metric catalogue",
            description="The metrics this upload can answer and how to ask for them.",
            message=f"{len(listed)} of {len(CATALOG)} metrics available",
            tables=(AnswerTable("metrics", CatalogRow, flat),),
            count=len(listed),
            snapshot_id=ctx.snapshot.snapshot_id,
            as_of=ctx.snapshot.as_of,
            urls=request_urls(ctx.request, TABLE_REPRESENTATIONS),
            document=(list[CatalogEntry], listed),
        )

    return await ctx.answer(build, TABLE_REPRESENTATIONS)
