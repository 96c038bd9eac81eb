"""The workspace context: the signed-in owner's workspace snapshot as a catalogue `Ctx`.

No `from __future__ import annotations`: FastAPI reads these annotations at definition time.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from functools import cache
from typing import Annotated

from fastapi import Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from c360_api.accounts.deps import CurrentUser
from c360_api.api.answers import Ctx
from c360_api.api.deps import CacheDep, SettingsDep
from c360_api.core.security import user_principal
from c360_api.exceptions import SnapshotUnavailableError
from c360_api.snapshots import Snapshot
from c360_api.uploads.service import UploadService
from c360_api.uploads.states import SUCCEEDED
from c360_api.workspaces.stores import WorkspaceStores
from c360_contract.scopes import DATA_SCOPES, Scope

WorkspaceId = Annotated[str, Path(description="The workspace id POST /api/jobs/upload answered.")]


async def workspace_snapshot(
    request: Request, user: CurrentUser, workspace_id: WorkspaceId
) -> AsyncIterator[Snapshot]:
    """Lease the snapshot of the caller's own workspace: another user's (or a made-up) id is 404,
    a workspace whose job has not published yet is 503."""
    uploads: UploadService = request.app.state.uploads
    stores: WorkspaceStores = request.app.state.workspaces
    assert user.user_id is not None
    job = await run_in_threadpool(uploads.jobs.owned_workspace, user.user_id, workspace_id)
    if job.state != SUCCEEDED:
        raise SnapshotUnavailableError(
            f"Workspace {workspace_id} has no snapshot yet: its job is {job.state}",
            job_id=job.id,
            state=job.state,
        )
    store = stores.get(user.user_id, workspace_id)
    if store.stale():
        await run_in_threadpool(store.check)
    with store.lease() as snapshot:
        yield snapshot


WorkspaceSnapshot = Annotated[Snapshot, Depends(workspace_snapshot)]


@cache
def workspace_context(scopes: frozenset[Scope]) -> Callable[..., Awaitable[Ctx]]:
    """A catalogue context over the caller's workspace: its owner holds every data scope there
    (an upload holds no personal data, so never pii)."""

    async def dependency(
        request: Request,
        user: CurrentUser,
        snapshot: WorkspaceSnapshot,
        response_cache: CacheDep,
        settings: SettingsDep,
    ) -> Ctx:
        assert user.user_id is not None
        principal = user_principal(user.user_id, DATA_SCOPES)
        return Ctx(
            request, snapshot, principal, scopes, response_cache, int(settings.cache_ttl_seconds)
        )

    return dependency


def workspace_context_dependency(scopes: frozenset[Scope]) -> object:
    return Annotated[Ctx, Depends(workspace_context(scopes))]


WorkspaceCtx = Annotated[Ctx, Depends(workspace_context(DATA_SCOPES))]
