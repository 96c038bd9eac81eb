"""Liveness and data freshness (no authentication, not rate limited)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import APIRouter, Request, Response

from c360_api.api.deps import JobsDep, MetricsDep, StoreDep
from c360_api.api.responses import Envelope, envelope
from c360_api.exceptions import SnapshotUnavailableError, error_responses
from c360_api.health.schemas import HealthStatus, Liveness

router = APIRouter(tags=["health"])


def api_version() -> str:
    try:
        return version("c360")
    except PackageNotFoundError:
        return "0.0.0"


ALIVE = Liveness()


@router.get("/ping", response_model=Liveness)
async def ping() -> Liveness:
    """Liveness for orchestrators: answers while the process serves HTTP, with or without data.

    Readiness (a snapshot is served) is /health. Goes through the same middleware as every route.
    """
    return ALIVE


@router.get(
    "/health",
    response_model=Envelope[HealthStatus],
    responses=error_responses(SnapshotUnavailableError),
)
def get_health(request: Request, store: StoreDep, jobs: JobsDep) -> Any:
    """Which snapshot is served, its as-of date and age, and the refresh running now (also one
    a previous API process left running); 503 while nothing is published."""
    store.check()
    snapshot = store.peek()
    if snapshot is None:
        raise SnapshotUnavailableError("No snapshot has been published yet", status="unavailable")
    job = jobs.running
    refresh = None
    if job is not None:
        stage = job.progress.current_stage
        refresh = {
            "job_id": job.job_id,
            "pid": job.pid,
            "orphaned": job.orphaned,
            "current_stage": None if stage is None else stage.stage,
        }
    data = {
        "status": "ok",
        "snapshot_id": snapshot.snapshot_id,
        "as_of": snapshot.as_of,
        "snapshot_age_seconds": round(snapshot.age_seconds(), 3),
        "loaded": snapshot.loaded or not store.in_memory,
        "version": api_version(),
        "refresh": refresh,
        "spark_connect": request.app.state.spark_connect.status(),
    }
    return envelope(data, 1, "ok", snapshot)


@router.get("/metrics", include_in_schema=False)
def prometheus_metrics(store: StoreDep, metrics: MetricsDep) -> Response:
    """Prometheus text exposition of this app instance's registry."""
    snapshot = store.peek()
    if snapshot is not None:
        metrics.snapshot_age.set(snapshot.age_seconds())
    return Response(metrics.prometheus_text(), media_type="text/plain; version=0.0.4")
