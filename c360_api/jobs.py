"""Refresh jobs: the pipeline runs in its own process; its structlog JSON lines report progress.

The API never runs Spark itself. A job is a subprocess of the configured refresh command; a reader
thread folds its stderr events into the job's `RunProgress` (`c360_contract.progress`, the same
reading the terminal display uses), and on success the store is told to switch at once.

A refresh never outlives the API unreported:
- Before spawning, the warehouse lock is probed: while any pipeline run holds it (one started from
  a terminal, or a previous API's) a refresh is refused with 409 at once, before a JVM starts.
- The child runs in its own process group, which Spark's JVM joins; on Linux it is also killed
  when the API process dies (`PR_SET_PDEATHSIG`), and the JVM exits when its driver does. A
  graceful API shutdown kills the group.
- `WH/.refresh.json` names the running job and its pid until the job ends. An API that starts and
  finds it reports that job: still running (an orphan, watched until it exits; refreshes get 409
  through the lock meanwhile), or failed with the reason when its process is gone.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import psutil
import structlog

from c360_api.core.children import start_child, stop_group
from c360_api.exceptions import ConflictError, NotFoundError
from c360_contract.progress import EXIT_OK, RunProgress
from c360_contract.warehouse import (
    REFRESH_STATE_FILE,
    current_snapshot_id,
    lock_holder_pid,
    warehouse_locked,
)

log = structlog.get_logger("c360_api.jobs")

KEEP_JOBS = 50
STDERR_TAIL = 20
SHUTDOWN_GRACE_SECONDS = 10.0
ORPHAN_POLL_SECONDS = 0.2
PID_START_TOLERANCE_SECONDS = 0.05


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    SKIPPED = "skipped"
    REJECTED = "rejected"  # a publish gate refused the input; nothing was published
    FAILED = "failed"


@dataclass
class Job:
    job_id: str
    force: bool
    accept_shrink: bool
    argv: list[str]
    state: JobState = JobState.QUEUED
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progress: RunProgress = field(default_factory=RunProgress)
    error: str | None = None
    exit_code: int | None = None
    pid: int | None = None
    orphaned: bool = False  # started by a previous API process
    stderr_tail: deque[str] = field(default_factory=lambda: deque(maxlen=STDERR_TAIL))

    def as_dict(self) -> dict[str, Any]:
        duration = (
            ((self.finished_at or datetime.now(UTC)) - self.started_at).total_seconds()
            if self.started_at
            else None
        )
        progress = self.progress
        current = progress.current_stage
        return {
            "job_id": self.job_id,
            "state": self.state.value,
            "force": self.force,
            "accept_shrink": self.accept_shrink,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_seconds": None if duration is None else round(duration, 3),
            "stages_done": progress.stages_done,
            "stage_count": progress.stage_count,
            "current_stage": None if current is None else current.stage,
            "stages": [vars(s) for s in progress.stages],
            "snapshot_id": progress.snapshot_id,
            "outcome": progress.outcome,
            "error": self.error,
            "gate_failures": [g.to_dict() for g in progress.gate_failures],
            "rejected_snapshot_id": progress.rejected_snapshot_id,
            "exit_code": self.exit_code,
            "pid": self.pid,
            "orphaned": self.orphaned,
        }


@dataclass(frozen=True)
class RefreshState:
    """`WH/.refresh.json`: the running refresh's job and process, for the next API process."""

    job_id: str
    pid: int
    pid_started: float  # the process's start time: a reused pid is not mistaken for it
    api_pid: int
    started_at: str
    snapshot_before: str | None
    force: bool
    accept_shrink: bool

    @staticmethod
    def path(warehouse: Path) -> Path:
        return warehouse / REFRESH_STATE_FILE

    def write(self, warehouse: Path) -> None:
        warehouse.mkdir(parents=True, exist_ok=True)
        tmp = self.path(warehouse).with_name(f"{REFRESH_STATE_FILE}.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(asdict(self)))
        os.replace(tmp, self.path(warehouse))

    @classmethod
    def read(cls, warehouse: Path) -> RefreshState | None:
        try:
            return cls(**json.loads(cls.path(warehouse).read_text()))
        except (OSError, ValueError, TypeError):
            return None

    @classmethod
    def clear(cls, warehouse: Path, job_id: str) -> None:
        """Remove the file if it still names `job_id` (never another job's)."""
        state = cls.read(warehouse)
        if state is not None and state.job_id == job_id:
            cls.path(warehouse).unlink(missing_ok=True)

    def alive(self) -> bool:
        """Whether the recorded process still runs (not a zombie, not a reused pid)."""
        try:
            proc = psutil.Process(self.pid)
            same = abs(proc.create_time() - self.pid_started) < PID_START_TOLERANCE_SECONDS
            return same and proc.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False


class RefreshJobs:
    """At most one running refresh; the latest jobs kept for status queries."""

    def __init__(
        self,
        argv_for: Callable[[bool, bool], list[str]],
        on_success: Callable[[], None],
        warehouse: Path,
    ) -> None:
        self._argv_for = argv_for
        self._on_success = on_success
        self._warehouse = warehouse
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._running: Job | None = None
        self._child: subprocess.Popen[str] | None = None
        self._stopping = threading.Event()
        self.last_outcome: dict[str, Any] | None = None
        self._adopt()

    @property
    def running(self) -> Job | None:
        return self._running

    def start(self, force: bool, accept_shrink: bool = False) -> Job:
        """Start a refresh, or raise ConflictError naming the job or process already running."""
        with self._lock:
            if self._running is not None:
                raise ConflictError(
                    "A refresh is already running", running_job_id=self._running.job_id
                )
            if warehouse_locked(self._warehouse):
                raise ConflictError(
                    "Another pipeline run holds the warehouse lock",
                    holder_pid=lock_holder_pid(self._warehouse),
                )
            job = Job(
                job_id=uuid.uuid4().hex,
                force=force,
                accept_shrink=accept_shrink,
                argv=self._argv_for(force, accept_shrink),
            )
            self._running = job
            self._remember(job)
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

    def shutdown(self) -> None:
        """On API shutdown: kill this API's refresh child and its process group (Spark's JVM)."""
        self._stopping.set()
        if self._child is not None:
            stop_group(self._child, SHUTDOWN_GRACE_SECONDS)

    def _remember(self, job: Job) -> None:
        self._jobs[job.job_id] = job
        while len(self._jobs) > KEEP_JOBS:
            self._jobs.popitem(last=False)

    def _run(self, job: Job) -> None:
        started = time.perf_counter()
        job.started_at = datetime.now(UTC)
        job.state = JobState.RUNNING
        log.info("refresh_started", job_id=job.job_id, force=job.force)
        try:
            proc = start_child(job.argv)  # from this job's thread, which outlives the child
        except OSError as exc:
            job.exit_code, job.error = -1, f"could not start the pipeline: {exc}"
            self._finish(job, time.perf_counter() - started)
            return
        self._child, job.pid = proc, proc.pid
        self._record(job, proc.pid)
        assert proc.stderr is not None
        for line in proc.stderr:
            job.stderr_tail.append(line.rstrip())
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(event, dict):
                job.progress.apply(event)
        job.exit_code = proc.wait()
        self._finish(job, time.perf_counter() - started)

    def _record(self, job: Job, pid: int) -> None:
        """Write `.refresh.json` so an API started after this one dies can report the job."""
        assert job.started_at is not None
        try:
            RefreshState(
                job_id=job.job_id,
                pid=pid,
                pid_started=psutil.Process(pid).create_time(),
                api_pid=os.getpid(),
                started_at=job.started_at.isoformat(),
                snapshot_before=current_snapshot_id(self._warehouse),
                force=job.force,
                accept_shrink=job.accept_shrink,
            ).write(self._warehouse)
        except (OSError, psutil.Error) as exc:  # the job itself goes on; only the record is lost
            log.warning("refresh_state_not_written", job_id=job.job_id, error=repr(exc))

    def _finish(self, job: Job, seconds: float) -> None:
        """Decide the final state; switch the store before anyone can see `succeeded`."""
        outcome = job.progress.outcome
        if job.exit_code == EXIT_OK and outcome == "published":
            self._on_success()
            state = JobState.SUCCEEDED
        elif job.exit_code == EXIT_OK and outcome == "skipped":
            state = JobState.SKIPPED
        elif outcome == "rejected":
            state, job.error = JobState.REJECTED, job.progress.error
        else:
            state = JobState.FAILED
            job.error = (
                job.error
                or job.progress.error
                or f"pipeline exited with code {job.exit_code}: " + " | ".join(job.stderr_tail)
            )
        self._conclude(job, state, seconds)

    def _conclude(self, job: Job, state: JobState, seconds: float) -> None:
        job.finished_at = datetime.now(UTC)
        job.state = state
        RefreshState.clear(self._warehouse, job.job_id)
        log.info(
            "refresh_finished",
            job_id=job.job_id,
            state=job.state.value,
            snapshot_id=job.progress.snapshot_id,
            seconds=round(seconds, 3),
        )
        with self._lock:
            self.last_outcome = {
                "job_id": job.job_id,
                "state": job.state.value,
                "finished_at": job.finished_at.isoformat(),
                "snapshot_id": job.progress.snapshot_id,
                "error": job.error,
            }
            if self._running is job:
                self._running = None

    # --- a refresh left behind by a previous API process -------------------------------------

    def _adopt(self) -> None:
        """Report the refresh `.refresh.json` names: watch it while it runs, else conclude it."""
        state = RefreshState.read(self._warehouse)
        if state is None:
            return
        job = Job(
            job_id=state.job_id,
            force=state.force,
            accept_shrink=state.accept_shrink,
            argv=[],
            state=JobState.RUNNING,
            started_at=datetime.fromisoformat(state.started_at),
            pid=state.pid,
            orphaned=True,
        )
        self._remember(job)
        if not state.alive():
            self._conclude_orphan(job, state)
            return
        self._running = job
        log.warning("refresh_orphan_found", job_id=job.job_id, pid=state.pid, api_pid=state.api_pid)
        threading.Thread(
            target=self._watch_orphan, args=(job, state), name=f"orphan-{job.job_id}", daemon=True
        ).start()

    def _watch_orphan(self, job: Job, state: RefreshState) -> None:
        while state.alive():
            if self._stopping.wait(ORPHAN_POLL_SECONDS):
                return  # this API stops; the next one adopts the orphan again
        self._conclude_orphan(job, state)

    def _conclude_orphan(self, job: Job, state: RefreshState) -> None:
        """Judge a finished orphan by CURRENT: its exit code went with the API that started it."""
        current = current_snapshot_id(self._warehouse)
        started = datetime.fromisoformat(state.started_at)
        seconds = (datetime.now(UTC) - started).total_seconds()
        if current != state.snapshot_before:
            job.progress.snapshot_id = current
            self._on_success()
            self._conclude(job, JobState.SUCCEEDED, seconds)
            return
        job.error = (
            f"the API process (pid {state.api_pid}) that started this refresh stopped while it "
            f"ran; its pipeline (pid {state.pid}) is gone and published nothing "
            f"(CURRENT is still {state.snapshot_before})"
        )
        if warehouse_locked(self._warehouse):  # e.g. a wrapper's child that outlived it
            job.error += f"; pid {lock_holder_pid(self._warehouse)} holds the warehouse lock"
        self._conclude(job, JobState.FAILED, seconds)
