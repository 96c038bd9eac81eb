"""Typed dependencies: `Annotated[..., Depends()]` aliases the routers declare.

No `from __future__ import annotations` here: the dependency factories annotate with closure
variables, which FastAPI can only see if annotations are evaluated when the function is defined.

Authentication runs before the snapshot is leased, so 401/403 never depend on data being there.
Dependencies that never block are `async def`: FastAPI runs every sync dependency in the thread
pool, and one hop per dependency was most of a cached answer's cost.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from functools import cache
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from c360_api.api.answers import Ctx
from c360_api.core.cache import ResponseCache
from c360_api.core.config import Settings
from c360_api.core.metrics import Metrics
from c360_api.core.ratelimit import check_rate_limit
from c360_api.core.security import API_KEY_HEADER, Principal, admit
from c360_api.jobs import RefreshJobs
from c360_api.snapshots import Snapshot, SnapshotStore
from c360_contract.scopes import DATA_SCOPES, Scope

api_key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False)


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_store(request: Request) -> SnapshotStore:
    store: SnapshotStore = request.app.state.store
    return store


async def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


async def get_jobs(request: Request) -> RefreshJobs:
    jobs: RefreshJobs = request.app.state.jobs
    return jobs


async def get_cache(request: Request) -> ResponseCache:
    response_cache: ResponseCache = request.app.state.cache
    return response_cache


async def enforce_rate_limit(request: Request) -> None:
    """Router dependency: the caller's rate limit (counted once per request)."""
    check_rate_limit(request)


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[SnapshotStore, Depends(get_store)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
JobsDep = Annotated[RefreshJobs, Depends(get_jobs)]
CacheDep = Annotated[ResponseCache, Depends(get_cache)]
ApiKeyHeaderDep = Annotated[str | None, Security(api_key_header)]


async def get_snapshot(store: StoreDep) -> AsyncIterator[Snapshot]:
    """Lease the current snapshot for the whole request; a changed CURRENT is opened off the loop."""
    if store.stale():
        await run_in_threadpool(store.check)
    with store.lease() as snapshot:
        yield snapshot


SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]


@cache
def require(scopes: frozenset[Scope]) -> Callable[[Request, str | None], Awaitable[Principal]]:
    """Dependency admitting keys holding at least one of `scopes`."""

    async def dependency(request: Request, api_key: ApiKeyHeaderDep) -> Principal:
        # `api_key` documents the header in OpenAPI; `admit` reads it from the request.
        return admit(request, scopes)

    return dependency


@cache
def context(scopes: frozenset[Scope]) -> Callable[..., Awaitable[Ctx]]:
    """Dependency building the request context of a data route guarded by `scopes`."""

    async def dependency(
        request: Request,
        principal: Annotated[Principal, Depends(require(scopes))],
        snapshot: SnapshotDep,
        response_cache: CacheDep,
        settings: SettingsDep,
    ) -> Ctx:
        max_age = int(settings.cache_ttl_seconds)
        return Ctx(request, snapshot, principal, scopes, response_cache, max_age)

    return dependency


def context_dependency(scopes: frozenset[Scope]) -> object:
    """`Annotated` alias of the context guarded by `scopes` (what generated routes declare)."""
    return Annotated[Ctx, Depends(context(scopes))]


# Cross-domain customer data: any data scope opens it; personal data still needs `pii`.
AnyDataCtx = Annotated[Ctx, Depends(context(DATA_SCOPES))]
AdminKey = Annotated[Principal, Depends(require(frozenset({Scope.ADMIN})))]
