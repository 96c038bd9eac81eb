"""Health response."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from c360_api.uploads.spark_connect import WARM_AFTER_JOBS
from c360_contract.catalog import example


class RunningRefresh(BaseModel):
    """The refresh running now; `orphaned` when a previous API process started it."""

    job_id: str = Field(description="Refresh job id.")
    pid: int | None = Field(description="The pipeline process.")
    orphaned: bool = Field(description="Started by a previous API process.")
    current_stage: str | None = Field(description="The stage running now.")


class SparkConnectStatus(BaseModel):
    """The Spark Connect server upload jobs run on."""

    mode: str = Field(description="managed (the API supervises it) or external (run separately).")
    state: str = Field(
        description="stopped (not needed yet), starting, ready, dead (restarting) or unreachable."
    )
    url: str = Field(description="sc://host:port.")
    pid: int | None = Field(description="The managed server's process.")
    restarts: int = Field(description="Times the managed server was restarted after dying.")
    started_at: datetime | None = Field(description="When the managed server last started.")
    jobs_run: int = Field(description="Jobs (uploads and warm-ups) run since it started.")
    warm: bool = Field(
        description=f"Whether it has run {WARM_AFTER_JOBS} jobs since it started: the API warms "
        "a server it started with a built-in upload while none waits, so users' uploads run "
        "compiled paths."
    )


class HealthStatus(BaseModel):
    model_config = example(
        status="ok",
        snapshot_id="20251231T235959Z-1a2b3c4d",
        as_of="2025-12-31",
        snapshot_age_seconds=3600.5,
        loaded=True,
        version="0.1.0",
        refresh=None,
        spark_connect={
            "mode": "managed",
            "state": "ready",
            "url": "sc://127.0.0.1:15002",
            "pid": 4242,
            "restarts": 0,
            "started_at": "2025-12-31T08:00:00Z",
            "jobs_run": 3,
            "warm": True,
        },
    )
    status: str = Field(description="ok while a snapshot is served.")
    snapshot_id: str | None = Field(description="The snapshot served.")
    as_of: date | None = Field(description="Its as-of date.")
    snapshot_age_seconds: float | None = Field(description="Seconds since it was published.")
    loaded: bool = Field(
        description="Whether the snapshot answers at full speed: false while its hot tables are "
        "still being copied into memory after a start or a switch (answers are the same, only "
        "slower); true when that is done or when snapshot_in_memory is off."
    )
    version: str = Field(description="API version.")
    refresh: RunningRefresh | None = Field(
        description="The refresh job running now, if any (GET /admin/jobs/{job_id} for details)."
    )
    spark_connect: SparkConnectStatus = Field(description="The Spark server of upload jobs.")


class Liveness(BaseModel):
    """Answer of /ping: the process serves HTTP. Says nothing about data (that is /health)."""

    status: Literal["alive"] = Field(default="alive", description="Always alive.")
