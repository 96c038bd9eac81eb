"""Immutable snapshots: staging, manifest, atomic `CURRENT` switch, rejected runs and pruning.

Layout (docs/data_model.md §2): tables are written under `WH/.staging/<id>/`; only when every table is
written and checked does the directory move to `WH/snapshots/<id>/` (one rename) and then `CURRENT`
is replaced by another rename. A run killed at any point leaves the old `CURRENT` and, at worst, a
staging directory that nothing reads and the next run deletes. A run a publish gate refuses moves
its staging directory to `WH/.rejected/<id>/` instead, and never touches `CURRENT`.

The warehouse must be a filesystem path the driver can rename in (local disk, or a shared mount on a
cluster); executors write the Parquet parts into it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from c360_contract.warehouse import (
    CURRENT_FILE,
    MANIFEST_FILE,
    REJECTED_DIR,
    SNAPSHOTS_DIR,
    STAGING_DIR,
    current_snapshot_id,
    rejected_path,
    snapshot_path,
)

WORK_DIR = "_work"
IGNORED_INPUT_DIRS = frozenset({"_truth"})


class PublishError(RuntimeError):
    """A snapshot failed its checks and was not published."""


def input_fingerprint(input_dir: Path) -> str:
    """Hash of every input file's relative path, size and mtime (not `_truth/`, which the pipeline never reads).

    Metadata rather than content keeps this instant on gigabytes of input; regenerating or touching
    a file therefore counts as a change, which errs on the side of rebuilding.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in input_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(input_dir)
        if rel.parts[0] in IGNORED_INPUT_DIRS or path.name.startswith("."):
            continue
        stat = path.stat()
        digest.update(f"{rel.as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def input_bytes(input_dir: Path) -> int:
    """Total size of the inputs, used to size shuffle partitions to the data."""
    return sum(p.stat().st_size for p in input_dir.rglob("*") if p.is_file())


def new_snapshot_id(now: datetime, fingerprint: str) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%S')}{now.microsecond // 1000:03d}Z-{fingerprint[:8]}"


def clear_staging(warehouse: Path) -> list[str]:
    """Remove leftovers of killed runs; safe because the caller holds the warehouse lock."""
    staging = warehouse / STAGING_DIR
    removed = []
    if staging.exists():
        for child in staging.iterdir():
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child.name)
    return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


@dataclass(frozen=True)
class Staging:
    """A snapshot under construction."""

    warehouse: Path
    snapshot_id: str

    @property
    def path(self) -> Path:
        return self.warehouse / STAGING_DIR / self.snapshot_id

    def table_path(self, table: str) -> Path:
        return self.path / table

    def quarantine_path(self, source: str) -> Path:
        return self.path / "quarantine" / source

    def work_path(self, name: str) -> Path:
        return self.path / WORK_DIR / name

    def create(self) -> None:
        self.path.mkdir(parents=True, exist_ok=False)

    def _move(self, manifest: dict[str, Any], final: Path) -> Path:
        """Drop the work files, write the manifest, then move the directory to `final` at once."""
        shutil.rmtree(self.path / WORK_DIR, ignore_errors=True)
        _atomic_write_text(
            self.path / MANIFEST_FILE, json.dumps(manifest, indent=2, sort_keys=True)
        )
        final.parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.path, final)
        _fsync_dir(final.parent)
        return final

    def publish(self, manifest: dict[str, Any]) -> Path:
        """Write the manifest, move staging into place, then switch CURRENT — in that order."""
        missing = [t for t in manifest["tables"] if not (self.table_path(t)).is_dir()]
        if missing:
            raise PublishError(f"tables missing from staging: {missing}")
        final = self._move(manifest, snapshot_path(self.warehouse, self.snapshot_id))
        _atomic_write_text(self.warehouse / CURRENT_FILE, self.snapshot_id + "\n")
        return final

    def reject(self, manifest: dict[str, Any]) -> Path:
        """Keep a refused run (its quarantine and manifest) for inspection; CURRENT is untouched."""
        return self._move(manifest, rejected_path(self.warehouse, self.snapshot_id))


def _prune(root: Path, keep: int, protected: str | None) -> list[str]:
    if not root.exists():
        return []
    ids = sorted((p.name for p in root.iterdir() if p.is_dir()), reverse=True)
    doomed = [s for s in ids[keep:] if s != protected]
    for snapshot_id in doomed:
        shutil.rmtree(root / snapshot_id, ignore_errors=True)
    return doomed


def prune_snapshots(warehouse: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` snapshots; the current one is never deleted."""
    return _prune(warehouse / SNAPSHOTS_DIR, keep, current_snapshot_id(warehouse))


def prune_rejected(warehouse: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` rejected runs."""
    return _prune(warehouse / REJECTED_DIR, keep, None)


def utc_now() -> datetime:
    return datetime.now(UTC)
