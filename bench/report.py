"""Shared by the benchmarks: machine description, process-tree memory sampling, and writing one
marked section of docs/benchmarks.md without disturbing the others."""

from __future__ import annotations

import ctypes
import functools
import os
import platform
import re
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType

import psutil

ROOT = Path(__file__).resolve().parent.parent
BENCH_DOC = ROOT / "docs" / "benchmarks.md"
WORK = ROOT / "bench" / ".work"


def machine() -> str:
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    return (
        f"{platform.platform()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM, Python {platform.python_version()}, "
        f"{java[0] if java else 'java: not found'}"
    )


# kcmp(2)'s syscall number per architecture (no libc wrapper) and its "same address space" type.
KCMP_SYSCALL = {"x86_64": 312, "aarch64": 272}
KCMP_VM = 1


def shares_address_space(pid: int, other: int) -> bool:
    """Whether two processes are one address space (Linux `kcmp(KCMP_VM)`); False where that
    cannot be asked (another OS, or the call is refused), so memory is then counted twice rather
    than missed."""
    number = KCMP_SYSCALL.get(platform.machine())
    if sys.platform != "linux" or number is None:
        return False
    return int(_libc().syscall(number, pid, other, KCMP_VM, 0, 0)) == 0


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


class PeakTreeMemory:
    """Samples the summed RSS of a process and all its children (the JVM is a child of PySpark).

    Each address space counts once. When the JVM starts a process (the pandas UDFs' Python
    daemon, a shell command) the child shares the JVM's memory until it execs (`posix_spawn`
    uses CLONE_VM), and for that moment its RSS reads as the whole JVM's: summing both reported
    twice the JVM (the 16 GiB peaks at 1M customers are twice an 8 GiB JVM). Besides the total,
    `peak_by_role` keeps each role's own maximum: the Python driver (the root), the JVM, and the
    Python workers (with anything else the JVM starts).
    """

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_bytes = 0
        self.peak_by_role: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _role(self, proc: psutil.Process) -> str:
        if proc.pid == self.pid:
            return "driver"
        return "jvm" if proc.name() == "java" else "python workers"

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
                by_role: dict[str, int] = {}
                for proc in procs:
                    try:
                        if proc.pid != self.pid and shares_address_space(proc.pid, proc.ppid()):
                            continue
                        role = self._role(proc)
                        by_role[role] = by_role.get(role, 0) + proc.memory_info().rss
                    except psutil.Error:
                        continue
                self.peak_bytes = max(self.peak_bytes, sum(by_role.values()))
                for role, rss in by_role.items():
                    self.peak_by_role[role] = max(self.peak_by_role.get(role, 0), rss)
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakTreeMemory:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section between `<!-- name:start -->` and `<!-- name:end -->`."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = BENCH_DOC.read_text() if BENCH_DOC.exists() else "# Benchmarks\n"
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _: block, text)
        if pattern.search(text)
        else f"{text.rstrip()}\n\n{block}\n"
    )
    BENCH_DOC.write_text(text)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
