"""The Spark Connect server upload jobs run on: one long-lived JVM, so a small upload pays no JVM
start. The API never runs Spark in its own process: the server is a child process of its own
(started on demand, restarted when it dies, killed with the API), and each job is a Spark Connect
client (a Python process without a JVM).

With `C360_SPARK_CONNECT_URL` set, a server run separately is used and only probed.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import structlog

from c360_api.core.children import start_child, stop_group

log = structlog.get_logger("c360_api.spark_connect")

WARM_AFTER_JOBS = 3
"""Jobs (uploads and warm-ups) a server has run since it started before it counts as warm."""
WATCH_SECONDS = 2.0
PROBE_SECONDS = 0.25
STOP_GRACE_SECONDS = 10.0


class SparkUnavailableError(RuntimeError):
    """The Spark Connect server did not come up (or the separate one does not answer)."""


def listening(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class ServerCommand:
    argv: list[str]
    env: dict[str, str]
    log_dir: Path


class SparkConnectServer:
    """Supervises one Spark Connect server (managed), or probes a separate one (external)."""

    def __init__(
        self,
        url: str | None,
        port: int,
        command: ServerCommand | None,
        start_seconds: float,
    ) -> None:
        self.external = url is not None
        self.url = url or f"sc://127.0.0.1:{port}"
        parsed = urlparse(self.url.replace("sc://", "http://", 1))
        self._host, self._port = parsed.hostname or "127.0.0.1", parsed.port or port
        self._command = command
        self._start_seconds = start_seconds
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        # The server's death signal follows the thread that started it, so every start happens
        # on this one thread, which lives until `shutdown` (a job's or a request's would not).
        self._spawner = ThreadPoolExecutor(1, thread_name_prefix="spark-connect-start")
        self.restarts = 0
        self.jobs_run = 0
        self.started_at: datetime | None = None
        self.state = "external" if self.external else "stopped"

    def ensure(self) -> str:
        """The server's URL once it listens: started (or restarted) first when it is not up."""
        if self.external:
            if not listening(self._host, self._port):
                raise SparkUnavailableError(f"the Spark Connect server {self.url} does not answer")
            return self.url
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
        self._wait_listening()
        return self.url

    def _start(self) -> None:
        assert self._command is not None
        if self._stopping.is_set():
            raise SparkUnavailableError("the API is stopping")
        if listening(self._host, self._port):
            # Another program (or another API's server) holds the port: the probe would take it
            # for ours and send this API's jobs to it.
            raise SparkUnavailableError(
                f"port {self._port} is taken by another process: set C360_SPARK_CONNECT_PORT to "
                "a free port, or C360_SPARK_CONNECT_URL to use the server listening there"
            )
        if self._process is not None:
            self.restarts += 1
            log.warning("spark_connect_restarting", exit_code=self._process.returncode)
        self._command.log_dir.mkdir(parents=True, exist_ok=True)
        self._process = self._spawner.submit(self._popen, self._command).result()
        self.state = "starting"
        self.started_at = datetime.now(UTC)
        self.jobs_run = 0
        log.info("spark_connect_started", pid=self._process.pid, url=self.url)
        if self._watcher is None:
            self._watcher = threading.Thread(target=self._watch, name="spark-connect", daemon=True)
            self._watcher.start()

    @staticmethod
    def _popen(command: ServerCommand) -> subprocess.Popen[str]:
        with open(command.log_dir / "server.log", "ab") as out:
            return start_child(
                command.argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **command.env},
            )

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + self._start_seconds
        while not listening(self._host, self._port, PROBE_SECONDS):
            process = self._process
            if process is not None and process.poll() is not None:
                self.state = "dead"
                raise SparkUnavailableError(
                    f"the Spark Connect server exited with code {process.returncode} while "
                    f"starting (log: {self._command.log_dir if self._command else '?'})"
                )
            if time.monotonic() > deadline or self._stopping.wait(PROBE_SECONDS):
                raise SparkUnavailableError(
                    f"the Spark Connect server did not listen on {self.url} within "
                    f"{self._start_seconds:.0f} s"
                )
        self.state = "ready"

    def _watch(self) -> None:
        """Restart the server when it dies (it is kept up once started)."""
        while not self._stopping.wait(WATCH_SECONDS):
            process = self._process
            if process is not None and process.poll() is not None:
                self.state = "dead"
                log.error("spark_connect_died", exit_code=process.returncode)
                with contextlib.suppress(SparkUnavailableError):
                    self.ensure()

    def job_ran(self) -> None:
        """Count a job (an upload or a warm-up) the current server ran."""
        self.jobs_run += 1

    @property
    def warm(self) -> bool:
        """Whether the server has run WARM_AFTER_JOBS jobs since it started (its JVM has
        compiled the pipeline's paths)."""
        return self.jobs_run >= WARM_AFTER_JOBS

    def status(self) -> dict[str, Any]:
        process = self._process
        alive = process is not None and process.poll() is None
        state = self.state
        if self.external:
            state = "ready" if listening(self._host, self._port) else "unreachable"
        elif not alive and state != "stopped":
            state = "dead"
        return {
            "mode": "external" if self.external else "managed",
            "state": state,
            "url": self.url,
            "pid": process.pid if alive and process is not None else None,
            "restarts": self.restarts,
            "started_at": self.started_at,
            "jobs_run": self.jobs_run,
            "warm": self.warm,
        }

    def shutdown(self) -> None:
        """Stop the managed server and its process group (the JVM and its Python workers)."""
        self._stopping.set()
        if self._process is not None:
            stop_group(self._process, STOP_GRACE_SECONDS)
        self._spawner.shutdown(wait=False)
        self.state = "stopped"


def managed_command(port: int, master: str, driver_memory: str, log_dir: Path) -> ServerCommand:
    """The pyspark package's own `spark-submit` of the server, bound to loopback; its Python
    workers run this interpreter (the models' scientific packages are installed here)."""
    from c360_spark_processing.connect import connect_server_argv

    env = {
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
        "SPARK_CONNECT_MODE": "0",  # a classic (server-side) Spark, as the start script sets
    }
    return ServerCommand(connect_server_argv(port, master, driver_memory), env, log_dir)
