"""The FastAPI application factory: wires settings, store, cache, limits, jobs and routers."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from slowapi import Limiter
from slowapi.util import get_remote_address

from c360_api.admin.endpoints import router as admin_router
from c360_api.analytics.endpoints import router as analytics_router
from c360_api.api.deps import enforce_rate_limit
from c360_api.api.fast_path import CachedAnswerMiddleware
from c360_api.core.cache import ResponseCache
from c360_api.core.config import Settings
from c360_api.core.logging import configure_logging
from c360_api.core.metrics import Metrics
from c360_api.core.ratelimit import STORAGE_URI
from c360_api.core.security import API_KEY_HEADER, KeyRing, request_principal
from c360_api.customer_success.endpoints import router as customer_success_router
from c360_api.customers.endpoints import router as customers_router
from c360_api.exceptions import register_error_handlers
from c360_api.finance.endpoints import router as finance_router
from c360_api.health.endpoints import api_version
from c360_api.health.endpoints import router as health_router
from c360_api.jobs import RefreshJobs
from c360_api.marketing.endpoints import router as marketing_router
from c360_api.middleware import RequestLogMiddleware
from c360_api.product.endpoints import router as product_router
from c360_api.store import SnapshotStore

DESCRIPTION = """Customer 360 over the pipeline's current snapshot.

Authenticate with header `X-API-Key`. Scopes: `marketing`, `product`, `finance`,
`customer_success` open their domain; `/analytics/customer-profiles` and `/customers/*` accept any
of those four; `pii` additionally reveals email and phone; `admin` opens `/admin/*`.
Every list answers CSV with `?format=csv` or `Accept: text/csv`.
"""


def _rate_limit_key(request: Request) -> str:
    """Limit per API key id; anonymous or unknown callers per client address."""
    principal = request_principal(request)
    if principal is not None:
        return f"key:{principal.key_id}"
    raw = request.headers.get(API_KEY_HEADER)
    if raw:  # unknown keys share their caller's bucket; the raw key is never used as an id
        return f"addr:{get_remote_address(request)}:{hashlib.sha256(raw.encode()).hexdigest()[:8]}"
    return f"addr:{get_remote_address(request)}"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build an app instance with its own store, cache, metrics registry and rate-limit storage."""
    settings = settings or Settings()
    configure_logging(settings.log_level)
    metrics = Metrics()
    cache = ResponseCache(settings.cache_max_size, settings.cache_ttl_seconds, metrics)
    store = SnapshotStore(settings.warehouse, settings.snapshot_in_memory, lambda _: cache.clear())
    store.check()

    jobs = RefreshJobs(settings.refresh_argv, store.check, settings.warehouse)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()  # a refresh child never outlives the API
        store.close()

    app = FastAPI(
        title="Customer 360 API",
        version=api_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    # One budget per caller across all limited routes (application limits share one scope).
    limiter = Limiter(
        key_func=_rate_limit_key,
        application_limits=[f"{settings.rate_limit_per_minute}/minute"],
        headers_enabled=True,
        storage_uri=STORAGE_URI,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.cache = cache
    app.state.store = store
    app.state.keyring = KeyRing(settings.api_keys, settings.anonymous_scopes)
    app.state.limiter = limiter
    app.state.jobs = jobs

    register_error_handlers(app)
    app.include_router(health_router)  # monitoring is never rate limited
    data_routers = (
        marketing_router,
        product_router,
        finance_router,
        customer_success_router,
        analytics_router,
        customers_router,
    )
    for router in (*data_routers, admin_router):
        app.include_router(router, dependencies=[Depends(enforce_rate_limit)])

    # Added inside-out: the access log wraps CORS, which wraps cached answers.
    app.add_middleware(CachedAnswerMiddleware, prefixes=tuple(f"{r.prefix}/" for r in data_routers))
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=[API_KEY_HEADER, "Accept", "Content-Type"],
        expose_headers=["X-Request-ID", "X-Cache", "X-Total-Count", "X-Snapshot-ID", "Retry-After"],
    )
    app.add_middleware(RequestLogMiddleware, metrics=metrics)
    return app
