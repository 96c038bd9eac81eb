"""The API's child processes (the refresh pipeline, the Spark Connect server, upload jobs): they
die with the API, and are stopped with their whole process group (a JVM and its Python workers).

One place for both, so every kind of child is started and stopped the same way.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def dies_with(parent: int) -> Callable[[], None]:
    """preexec_fn: SIGKILL the child when `parent` dies (Linux), and never start it orphaned."""

    def preexec() -> None:
        if _prctl is not None:
            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the API died before prctl took effect
            os._exit(1)

    return preexec


def stop_group(process: subprocess.Popen[Any], grace_seconds: float) -> None:
    """SIGTERM the child's process group, SIGKILL it after `grace_seconds`; a no-op once it
    has exited."""
    if process.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(grace_seconds)
            return
        except subprocess.TimeoutExpired:
            continue
