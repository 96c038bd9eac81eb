"""The pipeline's progress events and exit codes: one JSON log line per event, which the API's
refresh job parses and the terminal display renders.

The names, the stage list, the gate-failure fields and the exit codes are a contract between the
pipeline (which logs and returns them) and every reader of its output. `RunProgress` is the one
reading of that stream: the refresh job and the terminal display both fold events into it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

STAGES: tuple[str, ...] = (
    "ingest",
    "identity",
    "facts",
    "models",
    "profile",
    "marts",
    "publish",
)

STAGE_STARTED = "stage_started"
STAGE_FINISHED = "stage_finished"
SOURCE_INGESTED = "source_ingested"  # one per source during ingest, with its row counts
PIPELINE_STARTED = "pipeline_started"
PIPELINE_FINISHED = "pipeline_finished"  # outcome: published | skipped
PIPELINE_REJECTED = "pipeline_rejected"  # the input was refused; nothing was published
PIPELINE_FAILED = "pipeline_failed"

# `c360 pipeline` exit codes.
EXIT_OK = 0  # published, or skipped because the input is unchanged
EXIT_FAILED = 1  # an error; nothing was published
EXIT_USAGE = 2  # bad arguments or a missing input directory
EXIT_LOCKED = 3  # another run holds the warehouse lock
EXIT_REJECTED = 4  # the input was refused (a publish gate failed or a file is unreadable)


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    count: int


@dataclass(frozen=True)
class GateFailure:
    """One failed publish gate of one source, with the figures that failed it.

    `observed` and `threshold` are in the gate's unit (a share of rows read, a ratio to the
    previous snapshot, or rows); `rows` of `of_rows` are the counts behind `observed`.
    """

    gate: str
    source: str
    observed: float
    threshold: float
    rows: int
    of_rows: int
    message: str
    top_reasons: tuple[ReasonCount, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, as logged and as the refresh job's status shows it."""
        return {**asdict(self), "top_reasons": [asdict(r) for r in self.top_reasons]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GateFailure:
        values = {f.name: data[f.name] for f in fields(cls) if f.name != "top_reasons"}
        return cls(**values, top_reasons=tuple(ReasonCount(**r) for r in data["top_reasons"]))


@dataclass
class StageProgress:
    stage: str
    stage_index: int
    stage_count: int
    state: str = "running"
    rows_in: int | None = None
    rows_out: int | None = None
    seconds: float | None = None


@dataclass
class RunProgress:
    """What a run's events have said so far."""

    stages: list[StageProgress] = field(default_factory=list)
    stage_count: int | None = None
    snapshot_id: str | None = None
    outcome: str | None = None  # published, skipped, rejected or failed
    error: str | None = None
    gate_failures: list[GateFailure] = field(default_factory=list)
    rejected_snapshot_id: str | None = None
    rows_read: int = 0  # by the sources ingested so far

    @property
    def current_stage(self) -> StageProgress | None:
        return next((s for s in self.stages if s.state == "running"), None)

    @property
    def stages_done(self) -> int:
        return sum(1 for s in self.stages if s.state == "finished")

    def apply(self, event: Mapping[str, Any]) -> None:
        """Fold one event into the state; events of other kinds are ignored."""
        kind = event.get("event")
        if kind in (STAGE_STARTED, STAGE_FINISHED):
            self.stage_count = event.get("stage_count", self.stage_count)
            stage = next((s for s in self.stages if s.stage == event.get("stage")), None)
            if stage is None:
                stage = StageProgress(
                    str(event.get("stage")),
                    int(event.get("stage_index", 0)),
                    int(event.get("stage_count", 0)),
                )
                self.stages.append(stage)
            if kind == STAGE_FINISHED:
                stage.state = "finished"
                stage.rows_in = event.get("rows_in")
                stage.rows_out = event.get("rows_out")
                stage.seconds = event.get("seconds")
        elif kind == SOURCE_INGESTED:
            self.rows_read += int(event.get("rows_read", 0))
        elif kind == PIPELINE_STARTED:
            self.stage_count = event.get("stage_count", self.stage_count)
        elif kind == PIPELINE_FINISHED:
            self.snapshot_id = event.get("snapshot_id")
            self.outcome = str(event.get("outcome"))
        elif kind == PIPELINE_REJECTED:
            self.outcome = "rejected"
            self.error = str(event.get("error"))
            self.rejected_snapshot_id = event.get("rejected_snapshot_id")
            self.gate_failures = [GateFailure.from_dict(g) for g in event.get("gate_failures", [])]
        elif kind == PIPELINE_FAILED:
            self.outcome = "failed"
            self.error = str(event.get("error"))
