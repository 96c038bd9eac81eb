"""The warehouse layout (docs/data_model.md §2): where snapshots, CURRENT and their siblings live.

The pipeline writes this layout and the API reads it; both name its parts only through here.
Reading helpers are plain file I/O, so a reader never needs Spark.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CURRENT_FILE = "CURRENT"
SNAPSHOTS_DIR = "snapshots"
STAGING_DIR = ".staging"
REJECTED_DIR = ".rejected"
LOCK_FILE = ".lock"
REFRESH_STATE_FILE = ".refresh.json"
MANIFEST_FILE = "manifest.json"
QUARANTINE_DIR = "quarantine"


def current_file(warehouse: Path) -> Path:
    return warehouse / CURRENT_FILE


def current_snapshot_id(warehouse: Path) -> str | None:
    """The id CURRENT names, or None before the first publish."""
    try:
        text = current_file(warehouse).read_text().strip()
    except FileNotFoundError:
        return None
    return text or None


def snapshot_path(warehouse: Path, snapshot_id: str) -> Path:
    return warehouse / SNAPSHOTS_DIR / snapshot_id


def rejected_path(warehouse: Path, snapshot_id: str) -> Path:
    """Where a run refused by a publish gate keeps its staged result for inspection."""
    return warehouse / REJECTED_DIR / snapshot_id


def read_manifest(snapshot_dir: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((snapshot_dir / MANIFEST_FILE).read_text())
    return manifest


def current_manifest(warehouse: Path) -> dict[str, Any] | None:
    """The manifest of the snapshot CURRENT names, or None when there is none."""
    snapshot_id = current_snapshot_id(warehouse)
    if snapshot_id is None:
        return None
    path = snapshot_path(warehouse, snapshot_id)
    if not (path / MANIFEST_FILE).exists():
        return None
    return read_manifest(path)


def table_dirs(snapshot_dir: Path) -> list[Path]:
    """A snapshot's table directories (the quarantine is not a table)."""
    return sorted(p for p in snapshot_dir.iterdir() if p.is_dir() and p.name != QUARANTINE_DIR)


class WarehouseLockedError(RuntimeError):
    """Another pipeline run holds the warehouse lock."""


@contextlib.contextmanager
def warehouse_lock(warehouse: Path) -> Iterator[None]:
    """Exclusive, non-blocking lock so two runs never publish into one warehouse at once.

    flock is released by the kernel when the process dies, so a killed run never leaves it stuck.
    The holder writes its pid into the lock file, so a refusal can say who holds it.
    """
    warehouse.mkdir(parents=True, exist_ok=True)
    with open(warehouse / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            holder = lock_holder_pid(warehouse)
            by = f" (pid {holder})" if holder else ""
            raise WarehouseLockedError(
                f"another pipeline run{by} holds {warehouse / LOCK_FILE}"
            ) from exc
        try:
            handle.truncate(0)
            handle.write(json.dumps({"pid": os.getpid()}))
            handle.flush()
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def lock_holder_pid(warehouse: Path) -> int | None:
    """The pid the lock file names (the last holder's; only meaningful while it is held)."""
    try:
        pid = json.loads((warehouse / LOCK_FILE).read_text())["pid"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return int(pid)


def warehouse_locked(warehouse: Path) -> bool:
    """Whether a run holds the warehouse lock, probed without waiting.

    The probe takes a shared lock for an instant, so a run starting in that same instant is
    refused as if locked (and says so); callers probe on demand, never in a loop.
    """
    try:
        with open(warehouse / LOCK_FILE) as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    except FileNotFoundError:
        pass
    return False
