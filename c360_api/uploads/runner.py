"""Upload jobs, one at a time, each a `c360 upload-job` process (a Spark Connect client) whose
JSON progress lines say its stage; state lives in the database, so it survives an API restart.

- A queued job waits in a FIFO; one job runs at a time (two cores serve everything).
- While it runs, its stage and percentage (finished stages of the run's stages) are written to
  the database as the process reports them.
- A job that was running when the API died is marked failed with the reason when the API starts
  again, and can be resubmitted; jobs still queued then are queued again.
- The process runs in its own process group and dies with the API (`PR_SET_PDEATHSIG`).
- A standby: the next job's process is started as soon as a job ends (the first one as the job
  is taken, beside the Spark Connect server's start) and waits, its imports done, for its
  `JobOrder` on stdin; an upload then pays only its Spark work. One process per job still: a
  standby serves one job and exits.
- A warm-up: while no upload waits, a server the API started runs the built-in warm-up upload
  (`warm_up.py`) until it has run WARM_AFTER_JOBS jobs; an upload submitted meanwhile stops the
  warm-up and runs at once.
"""

from __future__ import annotations

import contextlib
import json
import queue
import shutil
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from c360_api.core.children import start_child, stop_group
from c360_api.db.engine import Database
from c360_api.uploads.paths import StateLayout
from c360_api.uploads.spark_connect import SparkConnectServer, SparkUnavailableError
from c360_api.uploads.states import QUEUED, RUNNING
from c360_api.uploads.warm_up import write_warm_up_job
from c360_contract.progress import EXIT_OK, RunProgress
from c360_contract.uploads import STANDBY, JobOrder
from c360_contract.warehouse import read_manifest, snapshot_path

if TYPE_CHECKING:
    from c360_api.uploads.store import JobStore  # SQLAlchemy: not imported at start

log = structlog.get_logger("c360_api.uploads")

STDERR_TAIL = 20
WARM_UP = "warm-up"
"""The running job's id while the warm-up runs (never a server-made job id)."""
STOP_GRACE_SECONDS = 10.0
JobCommand = Callable[[Path, Path, str], list[str]]
"""(job directory, workspace warehouse, Spark Connect URL) -> argv."""


def percentage(progress: RunProgress) -> int:
    """Finished stages over the run's stages, in whole percent (100 only once published)."""
    if not progress.stage_count:
        return 0
    return min(99, int(100 * progress.stages_done / progress.stage_count))


class UploadRunner:
    def __init__(
        self,
        db: Database,
        layout: StateLayout,
        spark: SparkConnectServer,
        command: JobCommand,
        on_published: Callable[[str], None],
    ) -> None:
        self._db = db
        self._layout = layout
        self._spark = spark
        self._command = command
        self._on_published = on_published
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._running: tuple[str, subprocess.Popen[str]] | None = None
        self._standby: subprocess.Popen[str] | None = None
        self._stopping = False
        self._cancelled: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @cached_property
    def jobs(self) -> JobStore:
        """The job store over `db`, made on first use: its module imports SQLAlchemy, which the
        API's start leaves for later (`c360_api.db.engine`)."""
        from c360_api.uploads.store import JobStore

        return JobStore(self._db)

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start taking jobs (the queue fills as they are submitted and by `recover`)."""
        self._thread = threading.Thread(target=self._work, name="upload-jobs", daemon=True)
        self._thread.start()

    def recover(self) -> None:
        """Conclude what a previous API process left running and queue what it left queued (run
        when the database opens, before any request gets a session)."""
        for job in self.jobs.in_state(RUNNING):
            self.jobs.failed(
                job.id,
                f"the API stopped while this job ran (pid {job.pid}); nothing was published. "
                f"Resubmit it: POST /api/jobs/{job.id}/resubmit",
            )
            log.warning("upload_job_interrupted", job_id=job.id, pid=job.pid)
        for job in self.jobs.in_state(QUEUED):
            self._queue.put(job.id)

    def shutdown(self) -> None:
        """Stop taking jobs, the standby, and kill the running job (reported failed,
        resubmittable)."""
        self._queue.put(None)
        with self._lock:
            self._stopping = True
            running = self._running
            standby, self._standby = self._standby, None
        if standby is not None:
            stop_group(standby, STOP_GRACE_SECONDS)
        if running is not None:
            job_id, process = running
            stop_group(process, STOP_GRACE_SECONDS)
            self.jobs.failed(
                job_id,
                "the API stopped while this job ran; nothing was published. Resubmit it: "
                f"POST /api/jobs/{job_id}/resubmit",
            )

    @property
    def running(self) -> str | None:
        """The id of the job running now: a job id, WARM_UP during a warm-up, or None."""
        with self._lock:
            return None if self._running is None else self._running[0]

    @property
    def standby_pid(self) -> int | None:
        """The waiting standby's process id (None before the first job, and once stopped)."""
        with self._lock:
            standby = self._standby
        return None if standby is None or standby.poll() is not None else standby.pid

    def submit(self, job_id: str) -> None:
        """Queue `job_id`; a running warm-up stops so the upload runs at once."""
        self._queue.put(job_id)
        with self._lock:
            running = self._running
        if running is not None and running[0] == WARM_UP:
            stop_group(running[1], STOP_GRACE_SECONDS)

    def cancel(self, job_id: str) -> None:
        """Stop a job about to be deleted: skip it when queued, kill it when running."""
        with self._lock:
            self._cancelled.add(job_id)
            running = self._running
        if running is not None and running[0] == job_id:
            stop_group(running[1], STOP_GRACE_SECONDS)

    # --- the worker ---------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            try:
                job_id = self._queue.get(block=not self._warm_up_due())
            except queue.Empty:
                self._warm_up()
                self._ensure_standby()
                continue
            if job_id is None:
                return
            with self._lock:
                if job_id in self._cancelled:
                    continue
            try:
                self._run(job_id)
            except Exception as exc:  # a job's failure never stops the worker
                log.error("upload_job_crashed", job_id=job_id, error=repr(exc))
                self.jobs.failed(job_id, f"internal error: {exc}")
            self._ensure_standby()

    def _ensure_standby(self) -> None:
        """Start the standby, a job process waiting on stdin for its order (see the module),
        unless one waits already or the runner is stopping."""
        with self._lock:
            if self._standby is None and not self._stopping:
                self._standby = self._spawn(self._command(Path(STANDBY), Path(STANDBY), STANDBY))

    @staticmethod
    def _spawn(argv: list[str]) -> subprocess.Popen[str]:
        """An upload job's process (started by the worker thread, which lives as long as the
        API), its stdin open for a standby's order."""
        return start_child(argv, stdin=subprocess.PIPE)

    def _take_standby(self, order: JobOrder) -> subprocess.Popen[str]:
        """The standby, given `order`; a fresh process started with the order's arguments when
        there is none alive (or it cannot take the order)."""
        with self._lock:
            standby, self._standby = self._standby, None
        if standby is not None and standby.poll() is None:
            assert standby.stdin is not None
            try:
                standby.stdin.write(order.line())
                standby.stdin.close()
                return standby
            except OSError:  # it died between the check and the write
                stop_group(standby, STOP_GRACE_SECONDS)
        process = self._spawn(self._command(order.job_dir, order.warehouse, order.remote))
        assert process.stdin is not None
        process.stdin.close()
        return process

    def _run(self, job_id: str) -> None:
        job = self.jobs.get(job_id)
        if job is None or job.state != QUEUED:
            return
        job_dir = self._layout.upload_dir(job.owner_id, job.id)
        warehouse = self._layout.workspace_dir(job.owner_id, job.workspace_id)
        self._ensure_standby()  # the first job's: it imports while the server starts
        try:
            remote = self._spark.ensure()
        except SparkUnavailableError as exc:
            self.jobs.failed(job_id, f"Spark is unavailable: {exc}")
            return
        process = self._take_standby(JobOrder(job_dir, warehouse, remote))
        with self._lock:
            self._running = (job_id, process)
        self.jobs.started(job_id, process.pid)
        log.info("upload_job_started", job_id=job_id, pid=process.pid)
        code, progress, tail = self._follow(
            process, lambda stage, done: self.jobs.progress(job_id, stage, done)
        )
        self._spark.job_ran()
        with self._lock:
            self._running = None
            cancelled = job_id in self._cancelled
        if cancelled:
            return
        if code == EXIT_OK and progress.outcome == "published" and progress.snapshot_id:
            manifest = read_manifest(snapshot_path(warehouse, progress.snapshot_id))
            as_of = manifest.get("as_of")
            self._on_published(job.workspace_id)
            self.jobs.succeeded(
                job_id, progress.snapshot_id, None if as_of is None else date.fromisoformat(as_of)
            )
            log.info("upload_job_succeeded", job_id=job_id, snapshot_id=progress.snapshot_id)
            return
        error = progress.error or f"the job exited with code {code}: " + " | ".join(tail)
        self.jobs.failed(job_id, error)
        log.warning("upload_job_failed", job_id=job_id, error=error)

    @staticmethod
    def _follow(
        process: subprocess.Popen[str], report: Callable[[str | None, int], None]
    ) -> tuple[int, RunProgress, deque[str]]:
        """Read a job process's progress lines to its end: exit code, progress, stderr's tail;
        `report` hears each new (stage, percentage)."""
        progress = RunProgress()
        tail: deque[str] = deque(maxlen=STDERR_TAIL)
        shown: tuple[str | None, int] = (None, 0)
        assert process.stderr is not None
        for line in process.stderr:
            tail.append(line.rstrip())
            with contextlib.suppress(json.JSONDecodeError, TypeError, ValueError):
                event = json.loads(line)
                if isinstance(event, dict):
                    progress.apply(event)
            stage = progress.current_stage
            now = (None if stage is None else stage.stage, percentage(progress))
            if now != shown:
                shown = now
                report(*now)
        return process.wait(), progress, tail

    # --- the warm-up --------------------------------------------------------------------------

    def _warm_up_due(self) -> bool:
        """A server this API started is up and not yet warm, and the runner is not stopping (an
        external server is never warmed, nor probed for it)."""
        with self._lock:
            stopping = self._stopping
        if stopping or self._spark.external or self._spark.warm:
            return False
        return bool(self._spark.status()["state"] == "ready")

    def _warm_up(self) -> None:
        """One run of the warm-up upload into scratch space, removed afterwards; it counts as a
        job of the server whatever its outcome (a stopped or failed warm-up is not retried)."""
        scratch = self._layout.warm_up_dir
        started = time.perf_counter()
        try:
            shutil.rmtree(scratch, ignore_errors=True)
            write_warm_up_job(scratch / "job")
            remote = self._spark.ensure()
            process = self._take_standby(JobOrder(scratch / "job", scratch / "warehouse", remote))
            with self._lock:
                self._running = (WARM_UP, process)
            code, progress, _ = self._follow(process, lambda _stage, _done: None)
            log.info(
                "upload_warm_up_finished",
                exit_code=code,
                outcome=progress.outcome,
                seconds=round(time.perf_counter() - started, 2),
                jobs_run=self._spark.jobs_run + 1,
            )
        except Exception as exc:  # a warm-up never stops the worker
            log.warning("upload_warm_up_failed", error=repr(exc))
        finally:
            with self._lock:
                self._running = None
            shutil.rmtree(scratch, ignore_errors=True)
            self._spark.job_ran()

    # --- removal ------------------------------------------------------------------------------

    def remove_files(self, owner_id: str, job_id: str, workspace_id: str) -> None:
        """The upload and the workspace (every snapshot) off the disk."""
        for path in (
            self._layout.upload_dir(owner_id, job_id),
            self._layout.workspace_dir(owner_id, workspace_id),
        ):
            shutil.rmtree(path, ignore_errors=True)

    def wait_idle(self, job_id: str) -> None:
        """Wait until `job_id` no longer runs (after `cancel`)."""
        while True:
            with self._lock:
                running = self._running
            if running is None or running[0] != job_id:
                return
            with contextlib.suppress(subprocess.TimeoutExpired):
                running[1].wait(STOP_GRACE_SECONDS)
