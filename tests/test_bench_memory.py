"""The benchmarks' process-tree memory counts each address space once.

A child sharing its parent's address space (what `posix_spawn` makes while the JVM starts the
Python daemon) reads as the parent's whole RSS; summed, the JVM counted twice. The tree here is
built by hand: a root holding a ballast, a real child process holding its own, and a CLONE_VM
child of the root. The expected total is computed from psutil's per-process readings.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import psutil
import pytest

from bench.report import PeakTreeMemory, shares_address_space
from tests.c360_api.helpers import wait_for

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="kcmp(2) and clone(2) are Linux's")

MIB = 2**20
TREE = """
import ctypes, signal, subprocess, sys, time
ballast = b"x" * (200 * 2**20)
child = subprocess.Popen([sys.executable, "-c",
    "import time; b = b'y' * (100 * 2**20); print(flush=True); time.sleep(60)"],
    stdout=subprocess.PIPE)
child.stdout.readline()
libc = ctypes.CDLL(None, use_errno=True)
libc.clone.restype = ctypes.c_int
libc.clone.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
stack = ctypes.create_string_buffer(1 << 16)
top = ctypes.c_void_p(ctypes.addressof(stack) + len(stack) - 16)
CLONE_VM = 0x100
shared = libc.clone(ctypes.cast(libc.pause, ctypes.c_void_p), top, CLONE_VM | signal.SIGCHLD, None)
print(child.pid, shared, flush=True)
time.sleep(60)
"""


@pytest.fixture
def tree() -> Iterator[tuple[psutil.Process, psutil.Process, psutil.Process]]:
    proc = subprocess.Popen([sys.executable, "-c", TREE], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    child, shared = (int(pid) for pid in proc.stdout.readline().split())
    root = psutil.Process(proc.pid)
    yield root, psutil.Process(child), psutil.Process(shared)
    for pid in (shared, child):
        psutil.Process(pid).kill()
    proc.kill()
    proc.wait()


def test_a_shared_address_space_is_counted_once(
    tree: tuple[psutil.Process, psutil.Process, psutil.Process],
) -> None:
    root, child, shared = tree
    assert shares_address_space(shared.pid, root.pid)
    assert not shares_address_space(child.pid, root.pid)
    # The artefact itself: the CLONE_VM child reads as the root's RSS.
    assert shared.memory_info().rss > 200 * MIB
    with PeakTreeMemory(root.pid, interval=0.05) as mem:
        # One whole sample of the tree: its roles are recorded together, after its total.
        wait_for(lambda: {"driver", "python workers"} <= mem.peak_by_role.keys())
    expected = root.memory_info().rss + child.memory_info().rss
    assert expected > 300 * MIB
    assert mem.peak_bytes == pytest.approx(expected, rel=0.05)
    assert mem.peak_by_role["driver"] == pytest.approx(root.memory_info().rss, rel=0.05)
    assert mem.peak_by_role["python workers"] == pytest.approx(child.memory_info().rss, rel=0.05)
