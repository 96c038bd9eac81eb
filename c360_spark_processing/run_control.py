"""Run control that needs no Spark: what a run builds from, the unchanged-input skip, its result.

`c360 pipeline` takes the warehouse lock and decides the skip before it imports PySpark, so an
unchanged input or a locked warehouse is answered in about a second instead of after a JVM start;
`run_pipeline` (the library entry) goes through the same functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import structlog

from c360_contract.progress import PIPELINE_FINISHED, GateFailure
from c360_contract.warehouse import current_manifest
from c360_spark_processing.publish import input_fingerprint

log = structlog.get_logger("c360.pipeline")


class InputRejectedError(RuntimeError):
    """The input was refused before anything was published; `failures` lists the failed gates."""

    def __init__(self, message: str, failures: Sequence[GateFailure] = ()) -> None:
        super().__init__(message)
        self.failures = list(failures)


@dataclass(frozen=True)
class RunResult:
    outcome: Literal["published", "skipped"]
    snapshot_id: str
    manifest: dict[str, Any]


@dataclass(frozen=True)
class RunPlan:
    """What a run starts from: its input, that input's fingerprint and the current manifest."""

    input_dir: Path
    warehouse: Path
    fingerprint: str
    previous: dict[str, Any] | None

    @property
    def previous_sources(self) -> dict[str, Any]:
        return {} if self.previous is None else dict(self.previous["sources"])


def plan_run(input_dir: Path, warehouse: Path) -> RunPlan:
    """Fingerprint the input and read CURRENT's manifest; the caller holds the warehouse lock."""
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input directory not found: {input_dir}")
    return RunPlan(input_dir, warehouse, input_fingerprint(input_dir), current_manifest(warehouse))


def skip_unchanged(plan: RunPlan, force: bool) -> RunResult | None:
    """The run's result when its input is unchanged since CURRENT (logged as the run's end)."""
    previous = plan.previous
    if force or previous is None or previous["input_fingerprint"] != plan.fingerprint:
        return None
    log.info(PIPELINE_FINISHED, outcome="skipped", snapshot_id=previous["snapshot_id"])
    return RunResult("skipped", previous["snapshot_id"], previous)
