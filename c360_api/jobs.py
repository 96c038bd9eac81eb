"""Refresh jobs: the pipeline runs in its own process; its structlog JSON lines report progress.

The API never runs Spark itself. A job is a subprocess of the configured refresh command; a reader
thread parses its stderr (`stage_started`, `stage_finished`, `pipeline_finished`, `pipeline_failed`)
into the job's state, and on success the store is told to switch to the new snapshot at once.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import structlog

from c360_api.exceptions import ConflictError, NotFoundError
from c360_contract.progress import PIPELINE_FAILED, PIPELINE_FINISHED, STAGE_FINISHED, STAGE_STARTED

log = structlog.get_logger("c360_api.jobs")

KEEP_JOBS = 50
STDERR_TAIL = 20


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


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
class Job:
    job_id: str
    force: bool
    argv: list[str]
    state: JobState = JobState.QUEUED
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started_at: datetime | None = None
    finished_at: datetime | None = None
    stages: list[StageProgress] = field(default_factory=list)
    stage_count: int | None = None
    snapshot_id: str | None = None
    error: str | None = None
    outcome: str | None = None  # what the pipeline reported: published, skipped or failed
    exit_code: int | None = None
    stderr_tail: deque[str] = field(default_factory=lambda: deque(maxlen=STDERR_TAIL))

    @property
    def finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED, JobState.SKIPPED)

    def as_dict(self) -> dict[str, Any]:
        duration = (
            ((self.finished_at or datetime.now(UTC)) - self.started_at).total_seconds()
            if self.started_at
            else None
        )
        done = sum(1 for s in self.stages if s.state == "finished")
        return {
            "job_id": self.job_id,
            "state": self.state.value,
            "force": self.force,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_seconds": None if duration is None else round(duration, 3),
            "stages_done": done,
            "stage_count": self.stage_count,
            "current_stage": next((s.stage for s in self.stages if s.state == "running"), None),
            "stages": [vars(s) for s in self.stages],
            "snapshot_id": self.snapshot_id,
            "error": self.error,
            "exit_code": self.exit_code,
        }

    def apply(self, event: dict[str, Any]) -> None:
        """Fold one pipeline log event into the job's state."""
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
        elif kind == PIPELINE_FINISHED:
            self.snapshot_id = event.get("snapshot_id")
            self.outcome = str(event.get("outcome"))
        elif kind == PIPELINE_FAILED:
            self.error = str(event.get("error"))
            self.outcome = "failed"


class RefreshJobs:
    """At most one running refresh; the latest jobs kept for status queries."""

    def __init__(
        self, argv_for: Callable[[bool], list[str]], on_success: Callable[[], None]
    ) -> None:
        self._argv_for = argv_for
        self._on_success = on_success
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._running: Job | None = None
        self.last_outcome: dict[str, Any] | None = None

    def start(self, force: bool) -> Job:
        """Start a refresh, or raise ConflictError naming the one already running."""
        with self._lock:
            if self._running is not None:
                raise ConflictError(
                    "A refresh is already running", running_job_id=self._running.job_id
                )
            job = Job(job_id=uuid.uuid4().hex, force=force, argv=self._argv_for(force))
            self._running = job
            self._jobs[job.job_id] = job
            while len(self._jobs) > KEEP_JOBS:
                self._jobs.popitem(last=False)
        threading.Thread(
            target=self._run, args=(job,), name=f"refresh-{job.job_id}", daemon=True
        ).start()
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"Unknown job {job_id}", job_id=job_id)
        return job

    def _run(self, job: Job) -> None:
        started = time.perf_counter()
        job.started_at = datetime.now(UTC)
        job.state = JobState.RUNNING
        log.info("refresh_started", job_id=job.job_id, force=job.force)
        try:
            proc = subprocess.Popen(
                job.argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert proc.stderr is not None
            for line in proc.stderr:
                job.stderr_tail.append(line.rstrip())
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(event, dict):
                    job.apply(event)
            job.exit_code = proc.wait()
        except OSError as exc:
            job.exit_code, job.error = -1, f"could not start the pipeline: {exc}"
        self._finish(job, time.perf_counter() - started)

    def _finish(self, job: Job, seconds: float) -> None:
        """Decide the final state; switch the store before anyone can see `succeeded`."""
        state = JobState.FAILED
        if job.exit_code == 0 and job.outcome == "published":
            self._on_success()
            state = JobState.SUCCEEDED
        elif job.exit_code == 0 and job.outcome == "skipped":
            state = JobState.SKIPPED
        else:
            job.error = job.error or (
                f"pipeline exited with code {job.exit_code}: " + " | ".join(job.stderr_tail)
            )
        job.finished_at = datetime.now(UTC)
        job.state = state
        log.info(
            "refresh_finished",
            job_id=job.job_id,
            state=job.state.value,
            snapshot_id=job.snapshot_id,
            seconds=round(seconds, 3),
        )
        with self._lock:
            self.last_outcome = {
                "job_id": job.job_id,
                "state": job.state.value,
                "finished_at": job.finished_at.isoformat(),
                "snapshot_id": job.snapshot_id,
                "error": job.error,
            }
            self._running = None
