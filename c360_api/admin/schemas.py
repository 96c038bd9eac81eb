"""Admin responses: refresh jobs and operational metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from c360_contract.catalog import example


class StageStatus(BaseModel):
    stage: str
    stage_index: int
    stage_count: int
    state: str
    rows_in: int | None
    rows_out: int | None
    seconds: float | None


class ReasonCountStatus(BaseModel):
    reason: str
    count: int


class GateFailureStatus(BaseModel):
    """A publish gate the input failed (docs/metrics.md, "Publish gates")."""

    model_config = example(
        gate="quarantined_share",
        source="order_lines",
        observed=1.0,
        threshold=0.05,
        rows=2481,
        of_rows=2481,
        message="order_lines: 2,481 of 2,481 rows quarantined (100.00%), ceiling 5.00%; "
        "top reasons: unknown_product 2,481",
        top_reasons=[{"reason": "unknown_product", "count": 2481}],
    )
    gate: str = Field(
        description="required_source, quarantined_share, orphan_line_share or rows_loaded_floor"
    )
    source: str
    observed: float = Field(
        description="Share of rows read (quarantined gates), ratio to the current snapshot's "
        "rows loaded (floor), or rows loaded (required)."
    )
    threshold: float
    rows: int = Field(description="The count behind `observed`.")
    of_rows: int = Field(description="What `rows` is compared with (rows read, or loaded before).")
    message: str
    top_reasons: list[ReasonCountStatus]


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
        stage_count=6,
        current_stage="identity",
        stages=[],
        snapshot_id=None,
        outcome=None,
        error=None,
        gate_failures=[],
        rejected_snapshot_id=None,
        exit_code=None,
        pid=4242,
        orphaned=False,
    )
    job_id: str
    state: str = Field(description="queued, running, succeeded, skipped, rejected or failed")
    force: bool
    accept_shrink: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None
    stages_done: int
    stage_count: int | None
    current_stage: str | None
    stages: list[StageStatus]
    snapshot_id: str | None
    outcome: str | None = Field(
        description="What the pipeline reported: published, skipped, rejected or failed."
    )
    error: str | None
    gate_failures: list[GateFailureStatus] = Field(
        description="The publish gates a rejected input failed, with their figures."
    )
    rejected_snapshot_id: str | None = Field(
        description="The refused run kept for inspection under WH/.rejected/<id>."
    )
    exit_code: int | None
    pid: int | None = Field(description="The pipeline process.")
    orphaned: bool = Field(
        description="Started by a previous API process that stopped while it ran."
    )


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
