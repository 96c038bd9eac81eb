"""Admin responses: refresh jobs and operational metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from c360_contract.catalog import example


class StageStatus(BaseModel):
    stage: str = Field(
        description="Stage name (ingest, identity, facts, models, profile, marts, publish)."
    )
    stage_index: int = Field(description="Position of the stage, from 1.")
    stage_count: int = Field(description="Stages in the run.")
    state: str = Field(description="running or finished.")
    rows_in: int | None = Field(description="Rows the stage read.")
    rows_out: int | None = Field(description="Rows the stage wrote.")
    seconds: float | None = Field(description="Wall time of the stage.")


class ReasonCountStatus(BaseModel):
    reason: str = Field(description="Quarantine reason.")
    count: int = Field(description="Rows quarantined for it.")


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
    source: str = Field(description="The source the gate judged.")
    observed: float = Field(
        description="Share of rows read (quarantined gates), ratio to the current snapshot's "
        "rows loaded (floor), or rows loaded (required)."
    )
    threshold: float = Field(description="The gate's limit (a ceiling or a floor, as `gate` says).")
    rows: int = Field(description="The count behind `observed`.")
    of_rows: int = Field(description="What `rows` is compared with (rows read, or loaded before).")
    message: str = Field(description="The failure in words, with the figures.")
    top_reasons: list[ReasonCountStatus] = Field(
        description="The most frequent quarantine reasons of the source."
    )


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
    job_id: str = Field(description="Refresh job id.")
    state: str = Field(description="queued, running, succeeded, skipped, rejected or failed")
    force: bool = Field(description="Whether the refresh rebuilds an unchanged input.")
    accept_shrink: bool = Field(
        description="Whether a source may load under half of the current snapshot's rows."
    )
    created_at: datetime = Field(description="When the job was asked for (UTC).")
    started_at: datetime | None = Field(description="When the pipeline started (UTC).")
    finished_at: datetime | None = Field(description="When the job ended (UTC).")
    duration_seconds: float | None = Field(description="Wall time so far, or of the whole job.")
    stages_done: int = Field(description="Stages finished.")
    stage_count: int | None = Field(description="Stages in the run.")
    current_stage: str | None = Field(description="The stage running now.")
    stages: list[StageStatus] = Field(description="Every stage seen so far.")
    snapshot_id: str | None = Field(description="The snapshot the job published.")
    outcome: str | None = Field(
        description="What the pipeline reported: published, skipped, rejected or failed."
    )
    error: str | None = Field(description="Why the job failed.")
    gate_failures: list[GateFailureStatus] = Field(
        description="The publish gates a rejected input failed, with their figures."
    )
    rejected_snapshot_id: str | None = Field(
        description="The refused run kept for inspection under WH/.rejected/<id>."
    )
    exit_code: int | None = Field(
        description="The pipeline's exit code (docs: 0 ok, 1 failed, 3 locked, 4 refused)."
    )
    pid: int | None = Field(description="The pipeline process.")
    orphaned: bool = Field(
        description="Started by a previous API process that stopped while it ran."
    )


class RouteLatency(BaseModel):
    requests: int = Field(description="Requests answered.")
    p50_ms: float = Field(description="Median latency (ms).")
    p95_ms: float = Field(description="95th percentile latency (ms).")
    p99_ms: float = Field(description="99th percentile latency (ms).")


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
    uptime_seconds: float = Field(description="Seconds since the API started.")
    requests_total: int = Field(description="Requests answered.")
    routes: dict[str, RouteLatency] = Field(
        description="Per route template: requests and latency percentiles."
    )
    status_counts: dict[str, int] = Field(description="Answers per HTTP status.")
    cache_hits: int = Field(description="Answers served from the cache.")
    cache_misses: int = Field(description="Answers computed.")
    rate_limited: int = Field(description="Requests refused by the rate limit.")
    cache_entries: int = Field(description="Rendered answers in the cache now.")
    snapshot_id: str | None = Field(description="The snapshot served.")
    snapshot_age_seconds: float | None = Field(
        description="Seconds since that snapshot was published."
    )
    last_job: dict[str, Any] | None = Field(description="The last refresh job's outcome.")
