"""Run control that needs no Spark: what a run builds from, the unchanged-input skip, its result.

`c360 pipeline` takes the warehouse lock, decides the skip and checks the input files before it
imports PySpark, so an unchanged input, a locked warehouse or a missing or truncated file is
answered in about a second instead of after a JVM start; `run_pipeline` (the library entry) goes
through the same function.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import structlog

from c360_contract.database import DatabaseUrl
from c360_contract.progress import PIPELINE_FINISHED, PIPELINE_REJECTED
from c360_contract.warehouse import current_manifest
from c360_spark_processing.database import check_tables, database_fingerprint
from c360_spark_processing.inputs import InputRejectedError, check_inputs
from c360_spark_processing.publish import input_fingerprint

log = structlog.get_logger("c360.pipeline")


@dataclass(frozen=True)
class RunResult:
    outcome: Literal["published", "skipped"]
    snapshot_id: str
    manifest: dict[str, Any]


@dataclass(frozen=True)
class RunPlan:
    """What a run starts from: its input (a directory of exports or a database), that input's
    fingerprint and the current manifest."""

    input_dir: Path | DatabaseUrl
    warehouse: Path
    fingerprint: str
    previous: dict[str, Any] | None

    @property
    def previous_sources(self) -> dict[str, Any]:
        return {} if self.previous is None else dict(self.previous["sources"])


def log_rejection(exc: InputRejectedError) -> None:
    """The run's last event when its input is refused: the reason, and every failed gate."""
    log.error(
        PIPELINE_REJECTED,
        error=str(exc),
        gate_failures=[f.to_dict() for f in exc.failures],
        rejected_snapshot_id=exc.rejected_snapshot_id,
    )


def plan_run(input_dir: Path | DatabaseUrl, warehouse: Path, force: bool) -> RunPlan | RunResult:
    """What the run builds from, or already its result when the input is unchanged since CURRENT
    (logged as the run's end). The caller holds the warehouse lock.

    Raises `InputRejectedError` (logged) when an export (a database: a table) is missing or a
    Parquet file unreadable. A database's tables are checked before its fingerprint, which reads
    them.
    """
    try:
        if isinstance(input_dir, DatabaseUrl):
            check_tables(input_dir)
            fingerprint = database_fingerprint(input_dir)
        elif not input_dir.is_dir():
            raise FileNotFoundError(f"input directory not found: {input_dir}")
        else:
            fingerprint = input_fingerprint(input_dir)
        previous = current_manifest(warehouse)
        if not force and previous is not None and previous["input_fingerprint"] == fingerprint:
            log.info(PIPELINE_FINISHED, outcome="skipped", snapshot_id=previous["snapshot_id"])
            return RunResult("skipped", previous["snapshot_id"], previous)
        if isinstance(input_dir, Path):
            check_inputs(input_dir)
    except InputRejectedError as exc:
        log_rejection(exc)
        raise
    return RunPlan(input_dir, warehouse, fingerprint, previous)
