"""The FastAPI application factory: wires settings, store, cache, limits, jobs and routers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from c360_api.accounts.endpoints import router as auth_router
from c360_api.accounts.tokens import TokenCodec
from c360_api.admin.endpoints import router as admin_router
from c360_api.analytics.endpoints import router as analytics_router
from c360_api.api.deps import context_dependency, enforce_rate_limit
from c360_api.api.fast_path import CachedAnswerMiddleware
from c360_api.api.params import validate_query
from c360_api.catalog.index import router as catalog_index_router
from c360_api.catalog.registry import AREAS, CATALOG
from c360_api.catalog.routes import add_metric_routes
from c360_api.core.cache import ResponseCache
from c360_api.core.config import Settings
from c360_api.core.logging import configure_logging
from c360_api.core.metrics import Metrics
from c360_api.core.ratelimit import RateLimitHeadersMiddleware, RateLimits
from c360_api.core.security import API_KEY_HEADER, KeyRing
from c360_api.customers.endpoints import router as customers_router
from c360_api.db.engine import Database, open_in_background
from c360_api.exceptions import (
    ForbiddenError,
    InvalidParameterError,
    NotAuthenticatedError,
    RateLimitedError,
    SnapshotUnavailableError,
    error_responses,
    register_error_handlers,
)
from c360_api.health.endpoints import api_version
from c360_api.health.endpoints import router as health_router
from c360_api.jobs import RefreshJobs
from c360_api.middleware import RequestLogMiddleware
from c360_api.render.images import warm_in_background
from c360_api.snapshots import SnapshotStore
from c360_api.uploads.endpoints import router as uploads_router
from c360_api.uploads.paths import StateLayout
from c360_api.uploads.runner import UploadRunner
from c360_api.uploads.service import UploadService
from c360_api.uploads.spark_connect import SparkConnectServer, managed_command
from c360_api.web.assets import build_in_background as build_bundle_in_background
from c360_api.web.pages import install as install_web
from c360_api.workspaces.endpoints import add_workspace_metric_routes
from c360_api.workspaces.endpoints import router as workspace_router
from c360_api.workspaces.stores import WorkspaceStores
from c360_contract.catalog import Metric

DESCRIPTION = """Customer 360 over the pipeline's current snapshot.

Authenticate with header `X-API-Key`. Scopes: `marketing`, `product`, `finance`,
`customer_success` open their domain; the KPI, orders, demand, cohort and behaviour metrics,
`/analytics/customer-profiles`, `/customers/*` and `/catalog` accept any of those four; `pii`
additionally reveals personal data (names, email, phone, birth date, postal code: null without it,
in every representation); `admin` opens `/admin/*`.

Every metric is declared once in the catalogue (`GET /catalog`) and answers JSON (default), CSV,
PNG (its chart), an HTML report or a Vega-Lite spec: `?format=json|csv|png|html|vega` or the
`Accept` header (quality values respected). Answers carry `ETag` (304 on `If-None-Match`),
`Cache-Control` and `Vary`, and are gzipped when the client accepts it.

Every answer to a key-checked route carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
`X-RateLimit-Reset` (Unix time); a 429 adds `Retry-After`. A parameter the route does not take, or a
single-valued one given twice, is a 422 naming it. Errors share one envelope (`ErrorEnvelope`).
"""

# What every key-checked route can answer besides its own errors: a missing/unknown key, a key
# without the scope, the rate limit; data routes also validate parameters and need a snapshot.
GUARDED_ERRORS = (NotAuthenticatedError, ForbiddenError, RateLimitedError)
DATA_ERRORS = (*GUARDED_ERRORS, InvalidParameterError, SnapshotUnavailableError)
# User routes: a missing or invalid token, bad input, the rate limit.
USER_ERRORS = (NotAuthenticatedError, InvalidParameterError, RateLimitedError)
# Run before each key-checked route: count the request once, then refuse unknown parameters and
# repeated scalar ones.
GUARDS = [Depends(enforce_rate_limit), Depends(validate_query)]
RATE_LIMIT_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
TAGS: dict[str, str] = {
    **AREAS,
    "analytics": "Filtered, sorted, paged customer profiles.",
    "customers": "One customer's 360 view: golden record, scores, identities, recent activity.",
    "catalog": "Every metric, its parameters and representations (generated from the catalogue).",
    "health": "Liveness, readiness and Prometheus metrics (no key).",
    "admin": "Refresh jobs and runtime metrics (admin scope).",
    "auth": "User accounts: register, log in for a bearer token, who am I.",
    "uploads": "Bring your own data: preview and upload a sales export, follow its job, read its "
    "results and PDF report, delete it (bearer token; your own jobs only).",
    "workspaces": "Every catalogue metric over one of your uploads: "
    "/workspaces/{workspace_id}/<metric path> (bearer token; your own workspaces only).",
}


def data_prefixes(catalog: Sequence[Metric]) -> tuple[str, ...]:
    """Path prefixes of the routes whose answers are cached (the fast path looks only there)."""
    areas = {"/" + m.path.strip("/").split("/")[0] + "/" for m in catalog}
    return tuple(sorted(areas | {"/analytics/", "/customers/", "/catalog"}))


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build an app instance with its own store, cache, metrics registry and rate-limit storage.

    /docs and /redoc load Swagger UI and ReDoc from files the app serves (fastapi-offline's), so
    they work without internet access.
    """
    settings = settings or Settings()
    configure_logging(settings.log_level)
    metrics = Metrics()
    cache = ResponseCache(settings.cache_max_size, settings.cache_ttl_seconds, metrics)
    # The snapshot opens now (views: /health and every route answer from the first request); its
    # in-memory copy and the chart renderer's warm-up wait for the lifespan, when the server is
    # up: started here they would share the machine's cores with the rest of the start.
    store = SnapshotStore(
        settings.warehouse, settings.snapshot_in_memory, lambda _: cache.clear(), hold_loads=True
    )
    store.check()

    jobs = RefreshJobs(settings.refresh_argv, store.check, settings.warehouse)
    # Opened (SQLAlchemy imported, schema migrated) by its first session or in the lifespan,
    # whichever comes first: not while the app is built.
    db = Database(settings.sqlalchemy_url)
    layout = StateLayout(settings.state_dir)
    spark = SparkConnectServer(
        settings.spark_connect_url,
        settings.spark_connect_port,
        managed_command(
            settings.spark_connect_port,
            settings.spark_connect_master,
            settings.spark_connect_driver_memory,
            layout.spark_connect_dir,
        ),
        settings.spark_connect_start_seconds,
    )
    workspaces = WorkspaceStores(layout)
    runner = UploadRunner(db, layout, spark, settings.upload_job_argv, workspaces.published)
    db.on_open(runner.recover)  # before any request sees the jobs a previous process left

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # What the server needs after it answers, started once it does: on a small machine each
        # of these takes a core the start itself needs.
        runner.start()
        open_in_background(db)
        store.release_loads()
        warm_in_background()  # the chart renderer's first use costs ~0.4 s: never a request's
        build_bundle_in_background()  # the dashboard's chart libraries (a child process, seconds)
        yield
        jobs.shutdown()  # a refresh child never outlives the API
        runner.shutdown()  # nor an upload job, nor the Spark Connect server
        spark.shutdown()
        store.close()
        workspaces.close()
        db.close()

    app = FastAPIOffline(
        title="Customer 360 API",
        version=api_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[{"name": name, "description": text} for name, text in TAGS.items()],
        # operationIds are the handlers' names (`get_customer_profiles`, `get_kpi_summary`).
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.cache = cache
    app.state.store = store
    app.state.keyring = KeyRing(settings.api_keys, settings.anonymous_scopes)
    app.state.rate_limits = RateLimits(
        settings.rate_limit_per_minute, settings.failed_auth_per_minute, settings.login_per_minute
    )
    app.state.db = db
    app.state.tokens = TokenCodec(settings.jwt_secret, settings.jwt_expiry_minutes)
    app.state.workspaces = workspaces
    app.state.spark_connect = spark
    app.state.uploads = UploadService(runner, layout, workspaces, settings.upload_max_bytes)
    app.state.jobs = jobs

    register_error_handlers(app)
    app.include_router(health_router)  # monitoring is never rate limited
    add_metric_routes(app.router, CATALOG, context_dependency, guards=GUARDS)
    for router in (analytics_router, customers_router, catalog_index_router):
        app.include_router(router, dependencies=GUARDS, responses=error_responses(*DATA_ERRORS))
    app.include_router(
        admin_router, dependencies=GUARDS, responses=error_responses(*GUARDED_ERRORS)
    )
    install_web(app)  # the dashboard at `/` and its static files
    app.include_router(
        auth_router,
        dependencies=GUARDS,
        responses=error_responses(InvalidParameterError, RateLimitedError),
    )
    app.include_router(uploads_router, dependencies=GUARDS, responses=error_responses(*USER_ERRORS))
    # Every catalogue metric again per workspace (its owner's bearer token; 404 for anyone else).
    app.include_router(workspace_router, dependencies=GUARDS)
    add_workspace_metric_routes(app.router, guards=GUARDS)

    # Added inside-out: the access log wraps CORS, which wraps the rate-limit headers, which wrap
    # cached answers.
    app.add_middleware(
        CachedAnswerMiddleware,
        prefixes=data_prefixes(CATALOG),
        max_age=int(settings.cache_ttl_seconds),
    )
    app.add_middleware(RateLimitHeadersMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=[
            API_KEY_HEADER,
            "Authorization",
            "Accept",
            "Content-Type",
            "If-None-Match",
        ],
        expose_headers=[
            "X-Request-ID",
            "X-Cache",
            "X-Total-Count",
            "X-Snapshot-ID",
            "X-Table",
            "ETag",
            "Link",
            "Retry-After",
            *RATE_LIMIT_HEADERS,
        ],
    )
    app.add_middleware(RequestLogMiddleware, metrics=metrics)
    return app
