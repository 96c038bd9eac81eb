"""The API's child processes (the refresh pipeline, the Spark Connect server, upload jobs): they
die with the API, and are stopped with their whole process group (a JVM and its Python workers).

One place for both, so every kind of child is started and stopped the same way.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

PR_SET_PDEATHSIG = 1
GROUP_POLL_SECONDS = 0.05
PROC = Path("/proc")
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def dies_with(parent: int) -> Callable[[], None]:
    """preexec_fn: SIGKILL the child when `parent` dies (Linux), and never start it orphaned."""

    def preexec() -> None:
        if _prctl is not None:
            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the API died before prctl took effect
            os._exit(1)

    return preexec


def start_child(
    argv: list[str],
    *,
    stdin: int = subprocess.DEVNULL,
    stdout: int | IO[Any] = subprocess.DEVNULL,
    stderr: int | IO[Any] = subprocess.PIPE,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    """A child in its own process group (stopped as one by `stop_group`) that dies with the API.

    Start it from a thread that lives as long as the child may: Linux sends the death signal when
    the starting *thread* ends, not the process."""
    return subprocess.Popen(
        argv,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        text=True,
        env=env,
        start_new_session=True,
        preexec_fn=dies_with(os.getpid()),
    )


def stop_group(process: subprocess.Popen[Any], grace_seconds: float) -> None:
    """SIGTERM the child's process group, SIGKILL what is left of it after `grace_seconds`.

    The group is stopped even when the child itself has exited: a death signal (or a crash) can
    take the leader alone and leave its children running (a JVM under its start script)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:  # nothing left in the group
            break
        if _group_gone(process, grace_seconds):
            break
    process.poll()


def _group_gone(process: subprocess.Popen[Any], timeout: float) -> bool:
    """Wait until no process of the child's group runs (its leader reaped on the way)."""
    deadline = time.monotonic() + timeout
    while True:
        process.poll()
        if not _group_runs(process.pid):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(GROUP_POLL_SECONDS)


def _group_runs(pgid: int) -> bool:
    """Whether a process of group `pgid` is alive. Zombies do not count: a member orphaned to
    init stays one until init reaps it, seconds later on some machines."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    if not PROC.is_dir():
        return True
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it exited while being read
            continue
        state, group, threads = fields[0], int(fields[2]), int(fields[17])
        # A "Z" with other threads is a JVM whose main thread ended while it shuts down.
        if group == pgid and (state != "Z" or threads > 1):
            return True
    return False
