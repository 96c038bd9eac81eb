"""Health response."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from c360_api.api.responses import example


class HealthStatus(BaseModel):
    model_config = example(
        status="ok",
        snapshot_id="20251231T235959Z-1a2b3c4d",
        as_of="2025-12-31",
        snapshot_age_seconds=3600.5,
        version="0.1.0",
    )
    status: str
    snapshot_id: str | None
    as_of: date | None
    snapshot_age_seconds: float | None
    version: str


class Liveness(BaseModel):
    """Answer of /ping: the process serves HTTP. Says nothing about data (that is /health)."""

    status: Literal["alive"] = "alive"
