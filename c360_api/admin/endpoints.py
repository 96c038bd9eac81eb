"""Admin routes (scope `admin`; refused outright when no admin key is configured)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from c360_api.admin.schemas import AdminMetrics, JobStatus
from c360_api.api.deps import AdminKey, CacheDep, JobsDep, MetricsDep, StoreDep
from c360_api.api.responses import Envelope, envelope
from c360_api.exceptions import (
    ConflictError,
    InvalidParameterError,
    NotFoundError,
    error_responses,
)

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post(
    "/refresh-data",
    response_model=Envelope[JobStatus],
    status_code=202,
    responses=error_responses(InvalidParameterError, ConflictError),
)
def start_refresh(
    _: AdminKey,
    jobs: JobsDep,
    store: StoreDep,
    force_refresh: Annotated[
        bool, Query(description="Rebuild even if inputs are unchanged.")
    ] = False,
    accept_shrink: Annotated[
        bool,
        Query(
            description="Publish even when a source loads fewer rows than the floor relative "
            "to the current snapshot (the other publish gates still apply)."
        ),
    ] = False,
) -> Any:
    """Start the pipeline in its own process; 409 at once while a refresh runs (with its job id)
    or another pipeline run holds the warehouse lock (with its pid)."""
    job = jobs.start(force_refresh, accept_shrink)
    return envelope(job.as_dict(), 1, f"Refresh job {job.job_id} started", store.peek())


@router.get(
    "/jobs/{job_id}",
    response_model=Envelope[JobStatus],
    responses=error_responses(InvalidParameterError, NotFoundError),
)
def get_job(
    _: AdminKey,
    jobs: JobsDep,
    store: StoreDep,
    job_id: Annotated[str, Path(description="The id POST /admin/refresh-data answered.")],
) -> Any:
    """State, stage progress, timings, published snapshot and error of a refresh job."""
    job = jobs.get(job_id)
    return envelope(job.as_dict(), 1, f"Job {job.state.value}", store.peek())


@router.get("/metrics", response_model=Envelope[AdminMetrics])
def get_admin_metrics(
    _: AdminKey, metrics: MetricsDep, store: StoreDep, jobs: JobsDep, response_cache: CacheDep
) -> Any:
    """Uptime, per-route request counts and latency percentiles, cache, limits, snapshot, last job."""
    snapshot = store.peek()
    data = {
        **metrics.summary(),
        "cache_entries": len(response_cache),
        "snapshot_id": snapshot.snapshot_id if snapshot else None,
        "snapshot_age_seconds": round(snapshot.age_seconds(), 3) if snapshot else None,
        "last_job": jobs.last_outcome,
    }
    return envelope(data, 1, "Service metrics", snapshot)
