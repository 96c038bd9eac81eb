"""Snapshot publishing: atomic switch, pruning, lock, fingerprint — plain filesystem, no Spark."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from c360_contract.warehouse import (
    WarehouseLockedError,
    current_manifest,
    current_snapshot_id,
    lock_holder_pid,
    rejected_path,
    snapshot_path,
    warehouse_lock,
    warehouse_locked,
)
from c360_spark_processing.publish import (
    PublishError,
    Staging,
    clear_staging,
    input_fingerprint,
    new_snapshot_id,
    prune_rejected,
    prune_snapshots,
)


def _stage(
    warehouse: Path, snapshot_id: str, tables: tuple[str, ...] = ("customer_profile",)
) -> Staging:
    staging = Staging(warehouse, snapshot_id)
    staging.create()
    for table in tables:
        staging.table_path(table).mkdir()
        (staging.table_path(table) / "part-0.parquet").write_bytes(b"x")
    staging.work_path("loaded").mkdir(parents=True)
    return staging


def _manifest(
    snapshot_id: str, tables: tuple[str, ...] = ("customer_profile",)
) -> dict[str, object]:
    return {
        "snapshot_id": snapshot_id,
        "input_fingerprint": "f",
        "tables": {t: {"rows": 1} for t in tables},
    }


class TestInputFingerprint:
    def test_changes_with_content_size_and_ignores_truth(self, tmp_path: Path) -> None:
        (tmp_path / "a.csv").write_text("1\n")
        (tmp_path / "_truth").mkdir()
        (tmp_path / "_truth" / "identity.csv").write_text("x")
        first = input_fingerprint(tmp_path)
        assert input_fingerprint(tmp_path) == first
        (tmp_path / "_truth" / "identity.csv").write_text("changed")
        assert input_fingerprint(tmp_path) == first
        (tmp_path / "a.csv").write_text("12\n")
        assert input_fingerprint(tmp_path) != first

    def test_changes_with_mtime(self, tmp_path: Path) -> None:
        path = tmp_path / "a.csv"
        path.write_text("1\n")
        first = input_fingerprint(tmp_path)
        os.utime(path, ns=(1, 1))
        assert input_fingerprint(tmp_path) != first


class TestSnapshotId:
    def test_sortable_and_tagged_with_fingerprint(self) -> None:
        early = new_snapshot_id(datetime(2025, 1, 2, 3, 4, 5, 6000, tzinfo=UTC), "abcdef0123")
        late = new_snapshot_id(datetime(2025, 1, 2, 3, 4, 5, 7000, tzinfo=UTC), "abcdef0123")
        assert early == "20250102T030405006Z-abcdef01"
        assert early < late


class TestPublish:
    def test_moves_staging_and_switches_current(self, tmp_path: Path) -> None:
        staging = _stage(tmp_path, "s1")
        final = staging.publish(_manifest("s1"))
        assert final == snapshot_path(tmp_path, "s1")
        assert current_snapshot_id(tmp_path) == "s1"
        assert not staging.path.exists()
        assert not (final / "_work").exists()
        assert json.loads((final / "manifest.json").read_text())["snapshot_id"] == "s1"
        assert current_manifest(tmp_path) == _manifest("s1")
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".CURRENT")]

    def test_missing_table_refuses_and_keeps_current(self, tmp_path: Path) -> None:
        _stage(tmp_path, "s1").publish(_manifest("s1"))
        staging = _stage(tmp_path, "s2", tables=())
        with pytest.raises(PublishError, match="customer_profile"):
            staging.publish(_manifest("s2"))
        assert current_snapshot_id(tmp_path) == "s1"
        assert not snapshot_path(tmp_path, "s2").exists()

    def test_no_current_before_first_publish(self, tmp_path: Path) -> None:
        assert current_snapshot_id(tmp_path) is None
        assert current_manifest(tmp_path) is None


class TestReject:
    def test_keeps_the_run_for_inspection_and_never_touches_current(self, tmp_path: Path) -> None:
        _stage(tmp_path, "s1").publish(_manifest("s1"))
        staging = _stage(tmp_path, "s2", tables=())
        (staging.quarantine_path("orders")).mkdir(parents=True)
        kept = staging.reject({"snapshot_id": "s2", "status": "rejected"})
        assert kept == rejected_path(tmp_path, "s2") == tmp_path / ".rejected" / "s2"
        assert json.loads((kept / "manifest.json").read_text())["status"] == "rejected"
        assert (kept / "quarantine" / "orders").is_dir()
        assert not (kept / "_work").exists()
        assert not staging.path.exists()
        assert current_snapshot_id(tmp_path) == "s1"
        assert sorted(p.name for p in (tmp_path / "snapshots").iterdir()) == ["s1"]

    def test_prune_keeps_the_newest(self, tmp_path: Path) -> None:
        for sid in ("r1", "r2", "r3"):
            _stage(tmp_path, sid).reject({"snapshot_id": sid})
        assert prune_rejected(tmp_path, keep=2) == ["r1"]
        assert sorted(p.name for p in (tmp_path / ".rejected").iterdir()) == ["r2", "r3"]
        assert prune_rejected(tmp_path / "none", keep=2) == []


class TestPrune:
    def test_keeps_newest_and_never_current(self, tmp_path: Path) -> None:
        for sid in ("s1", "s2", "s3", "s4"):
            _stage(tmp_path, sid).publish(_manifest(sid))
        (tmp_path / "CURRENT").write_text("s1\n")
        removed = prune_snapshots(tmp_path, keep=2)
        assert sorted(removed) == ["s2"]
        assert sorted(p.name for p in (tmp_path / "snapshots").iterdir()) == ["s1", "s3", "s4"]


class TestLockAndStaging:
    def test_second_holder_is_refused(self, tmp_path: Path) -> None:
        with (
            warehouse_lock(tmp_path),
            pytest.raises(WarehouseLockedError),
            warehouse_lock(tmp_path),
        ):
            pass
        with warehouse_lock(tmp_path):
            pass

    def test_holder_is_named_and_probing_does_not_take_it(self, tmp_path: Path) -> None:
        assert not warehouse_locked(tmp_path / "absent")
        with warehouse_lock(tmp_path):
            assert warehouse_locked(tmp_path)
            assert lock_holder_pid(tmp_path) == os.getpid()
            refused = pytest.raises(WarehouseLockedError, match=rf"run \(pid {os.getpid()}\) holds")
            with refused, warehouse_lock(tmp_path):
                pass
        assert not warehouse_locked(tmp_path)
        with warehouse_lock(tmp_path):  # the probe left nothing behind
            pass

    def test_clear_staging_removes_leftovers(self, tmp_path: Path) -> None:
        _stage(tmp_path, "dead-run")
        assert clear_staging(tmp_path) == ["dead-run"]
        assert list((tmp_path / ".staging").iterdir()) == []
