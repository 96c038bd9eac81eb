"""Admin responses: refresh jobs and operational metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from c360_api.api.responses import example


class StageStatus(BaseModel):
    stage: str
    stage_index: int
    stage_count: int
    state: str
    rows_in: int | None
    rows_out: int | None
    seconds: float | None


class JobStatus(BaseModel):
    model_config = example(
        job_id="5f0c8d0e4b1a4c8f9f2a7d3e1b6c9a00",
        state="running",
        force=False,
        created_at="2026-01-01T02:00:00Z",
        started_at="2026-01-01T02:00:00Z",
        finished_at=None,
        duration_seconds=41.2,
        stages_done=3,
        stage_count=7,
        current_stage="identity",
        stages=[],
        snapshot_id=None,
        error=None,
        exit_code=None,
    )
    job_id: str
    state: str
    force: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None
    stages_done: int
    stage_count: int | None
    current_stage: str | None
    stages: list[StageStatus]
    snapshot_id: str | None
    error: str | None
    exit_code: int | None


class RouteLatency(BaseModel):
    requests: int
    p50_ms: float
    p95_ms: float
    p99_ms: float


class AdminMetrics(BaseModel):
    model_config = example(
        uptime_seconds=86400.0,
        requests_total=1200,
        routes={},
        status_counts={"200": 1190},
        cache_hits=800,
        cache_misses=400,
        rate_limited=3,
        cache_entries=120,
        snapshot_id="20251231T235959Z-1a2b3c4d",
        snapshot_age_seconds=3600.0,
        last_job=None,
    )
    uptime_seconds: float
    requests_total: int
    routes: dict[str, RouteLatency]
    status_counts: dict[str, int]
    cache_hits: int
    cache_misses: int
    rate_limited: int
    cache_entries: int
    snapshot_id: str | None
    snapshot_age_seconds: float | None
    last_job: dict[str, Any] | None
