"""Health response."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from c360_contract.catalog import example


class RunningRefresh(BaseModel):
    """The refresh running now; `orphaned` when a previous API process started it."""

    job_id: str = Field(description="Refresh job id.")
    pid: int | None = Field(description="The pipeline process.")
    orphaned: bool = Field(description="Started by a previous API process.")
    current_stage: str | None = Field(description="The stage running now.")


class HealthStatus(BaseModel):
    model_config = example(
        status="ok",
        snapshot_id="20251231T235959Z-1a2b3c4d",
        as_of="2025-12-31",
        snapshot_age_seconds=3600.5,
        version="0.1.0",
        refresh=None,
    )
    status: str = Field(description="ok while a snapshot is served.")
    snapshot_id: str | None = Field(description="The snapshot served.")
    as_of: date | None = Field(description="Its as-of date.")
    snapshot_age_seconds: float | None = Field(description="Seconds since it was published.")
    version: str = Field(description="API version.")
    refresh: RunningRefresh | None = Field(
        description="The refresh job running now, if any (GET /admin/jobs/{job_id} for details)."
    )


class Liveness(BaseModel):
    """Answer of /ping: the process serves HTTP. Says nothing about data (that is /health)."""

    status: Literal["alive"] = Field(default="alive", description="Always alive.")
