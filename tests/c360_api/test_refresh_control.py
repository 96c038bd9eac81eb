"""Refresh jobs and the warehouse: gate refusals in the job status, --accept-shrink, the lock,
and refresh children that never outlive the API unreported (graceful stop, SIGKILL, restart).

The refresh command is tests/c360_api/fake_pipeline.py: it holds the warehouse lock like the real
pipeline and, in "wait" mode, runs a helper that lives until its stdin closes, as Spark's JVM does.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
from fastapi.testclient import TestClient

from c360_api.jobs import RefreshState
from c360_api.main import create_app
from c360_contract.progress import EXIT_REJECTED
from c360_contract.warehouse import current_snapshot_id, warehouse_lock, warehouse_locked
from tests.c360_api.conftest import api_keys, headers, make_settings
from tests.c360_api.fake_pipeline import GATE_FAILURE
from tests.c360_api.helpers import c360_serve, error, fake_pipeline_mode, ok, wait_for

FAKE_PIPELINE = Path(__file__).with_name("fake_pipeline.py")
control = fake_pipeline_mode


def job(client: TestClient, job_id: str) -> dict[str, Any]:
    return ok(client.get(f"/admin/jobs/{job_id}", headers=headers("admin")))["data"]


def finished(client: TestClient, job_id: str) -> dict[str, Any]:
    return wait_for(lambda: (j := job(client, job_id))["state"] not in ("queued", "running") and j)


def refresh(client: TestClient, query: str = "") -> str:
    response = client.post(f"/admin/refresh-data{query}", headers=headers("admin"))
    assert response.status_code == 202, response.text
    return str(response.json()["data"]["job_id"])


def gone(pid: int) -> bool:
    """Exited (a zombie nobody reaped yet counts as exited)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def waiting_pids(warehouse: Path) -> dict[str, int]:
    """The fake pipeline's and its JVM-like helper's pids, once it waits (holding the lock)."""
    path = warehouse.parent / "pids.json"
    pids: dict[str, int] = wait_for(
        lambda: path.exists() and json.loads(path.read_text()), timeout=60
    )
    return pids


class TestJobStatus:
    def test_gate_refusal_is_reported_structured(self, own_warehouse: Path) -> None:
        before = current_snapshot_id(own_warehouse)
        control(own_warehouse, "reject")
        with TestClient(create_app(make_settings(own_warehouse))) as client:
            status = finished(client, refresh(client))
            assert status["state"] == "rejected"
            assert status["outcome"] == "rejected"
            assert status["exit_code"] == EXIT_REJECTED
            assert status["gate_failures"] == [GATE_FAILURE.to_dict()]
            assert status["gate_failures"][0]["top_reasons"][0] == {
                "reason": "schema_mismatch",
                "count": 1660,
            }
            assert status["error"] == "failed 1 publish gate: " + GATE_FAILURE.message
            assert status["rejected_snapshot_id"] == "20260101T000000000Z-deadbeef"
            assert ok(client.get("/health"))["snapshot_id"] == before
            assert not RefreshState.path(own_warehouse).exists()

    def test_accept_shrink_reaches_the_pipeline(self, own_warehouse: Path) -> None:
        control(own_warehouse, "succeed")
        with TestClient(create_app(make_settings(own_warehouse))) as client:
            status = finished(client, refresh(client, "?force_refresh=true&accept_shrink=true"))
            assert (status["state"], status["accept_shrink"], status["force"]) == (
                "succeeded",
                True,
                True,
            )
        argv = json.loads((own_warehouse.parent / "argv.json").read_text())
        assert argv[-2:] == ["--force", "--accept-shrink"]
        control(own_warehouse, "succeed")
        with TestClient(create_app(make_settings(own_warehouse))) as client:
            assert not finished(client, refresh(client))["accept_shrink"]
        argv = json.loads((own_warehouse.parent / "argv.json").read_text())
        assert "--accept-shrink" not in argv
        assert "--force" not in argv


class TestWarehouseLock:
    def test_another_holder_is_409_before_anything_starts(self, own_warehouse: Path) -> None:
        control(own_warehouse, "succeed")
        with (
            TestClient(create_app(make_settings(own_warehouse))) as client,
            warehouse_lock(own_warehouse),
        ):
            body = error(client.post("/admin/refresh-data", headers=headers("admin")), 409)
            assert body["error_details"]["holder_pid"] == os.getpid()
            assert "warehouse lock" in body["error_message"]
            metrics = ok(client.get("/admin/metrics", headers=headers("admin")))["data"]
            assert metrics["last_job"] is None
        assert not (own_warehouse.parent / "argv.json").exists(), "no child was started"


@contextmanager
def api_process(warehouse: Path, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`c360 serve` as its own process over `warehouse`, with the fake refresh command."""
    env = {
        **os.environ,
        "C360_WAREHOUSE": str(warehouse),
        "C360_API_KEYS": json.dumps([k.model_dump(mode="json") for k in api_keys()]),
        "C360_REFRESH_COMMAND": json.dumps(make_settings(warehouse).refresh_command),
        "C360_SNAPSHOT_IN_MEMORY": "false",
    }
    with c360_serve(env=env, log=log) as running:
        yield running


class TestOrphans:
    def test_graceful_shutdown_stops_the_child_and_its_jvm(self, own_warehouse: Path) -> None:
        control(own_warehouse, "wait")
        with TestClient(create_app(make_settings(own_warehouse))) as client:
            refresh(client)
            pids = waiting_pids(own_warehouse)
            # The API records the job once the child has started: the child may be waiting first.
            wait_for(RefreshState.path(own_warehouse).exists)
        wait_for(lambda: gone(pids["pipeline"]) and gone(pids["jvm"]), timeout=15)
        wait_for(lambda: not RefreshState.path(own_warehouse).exists())
        assert not warehouse_locked(own_warehouse)

    def test_sigkilled_api_takes_its_child_along_and_the_restart_reports_it(
        self, own_warehouse: Path, tmp_path: Path
    ) -> None:
        before = current_snapshot_id(own_warehouse)
        control(own_warehouse, "wait")
        with api_process(own_warehouse, tmp_path / "api.log") as (api, base):
            response = httpx.post(f"{base}/admin/refresh-data", headers=headers("admin"))
            assert response.status_code == 202, response.text
            job_id = response.json()["data"]["job_id"]
            pids = waiting_pids(own_warehouse)
            # The API records the job once the child has started: the child may be waiting first.
            state = wait_for(lambda: RefreshState.read(own_warehouse))
            assert (state.job_id, state.pid, state.api_pid) == (job_id, pids["pipeline"], api.pid)
            api.send_signal(signal.SIGKILL)
            api.wait()
        wait_for(lambda: gone(pids["pipeline"]) and gone(pids["jvm"]), timeout=15)
        assert not warehouse_locked(own_warehouse)
        with TestClient(create_app(make_settings(own_warehouse))) as client:
            status = job(client, job_id)
            assert (status["state"], status["orphaned"], status["pid"]) == (
                "failed",
                True,
                pids["pipeline"],
            )
            assert (
                f"(pid {api.pid}) that started this refresh stopped while it ran"
                in (status["error"])
            )
            assert f"published nothing (CURRENT is still {before})" in status["error"]
            assert ok(client.get("/health"))["data"]["refresh"] is None
            assert not RefreshState.path(own_warehouse).exists()
            control(own_warehouse, "succeed")
            assert finished(client, refresh(client))["state"] == "succeeded"

    def test_a_live_orphan_is_reported_and_blocks_refreshes_until_it_ends(
        self, own_warehouse: Path
    ) -> None:
        control(own_warehouse, "wait")
        orphan = subprocess.Popen(
            [
                sys.executable,
                str(FAKE_PIPELINE),
                "--warehouse",
                str(own_warehouse),
                "--control",
                str(own_warehouse.parent / "control.json"),
            ],
            stderr=subprocess.DEVNULL,
        )
        try:
            waiting_pids(own_warehouse)
            RefreshState(
                job_id="orphan-job",
                pid=orphan.pid,
                pid_started=psutil.Process(orphan.pid).create_time(),
                api_pid=1,
                started_at=datetime.now(UTC).isoformat(),
                snapshot_before=current_snapshot_id(own_warehouse),
                force=False,
                accept_shrink=False,
            ).write(own_warehouse)
            with TestClient(create_app(make_settings(own_warehouse))) as client:
                assert ok(client.get("/health"))["data"]["refresh"] == {
                    "job_id": "orphan-job",
                    "pid": orphan.pid,
                    "orphaned": True,
                    "current_stage": None,
                }
                body = error(client.post("/admin/refresh-data", headers=headers("admin")), 409)
                assert body["error_details"]["running_job_id"] == "orphan-job"
                assert job(client, "orphan-job")["state"] == "running"
                control(own_warehouse, "succeed")
                orphan.wait(timeout=30)
                status = finished(client, "orphan-job")
                assert status["state"] == "succeeded"
                assert status["snapshot_id"] == current_snapshot_id(own_warehouse)
                assert ok(client.get("/health"))["snapshot_id"] == status["snapshot_id"]
                assert ok(client.get("/health"))["data"]["refresh"] is None
        finally:
            if orphan.poll() is None:
                orphan.kill()
                orphan.wait()

    def test_a_reused_pid_is_not_the_orphan_and_a_lock_holder_is_named(
        self, own_warehouse: Path
    ) -> None:
        """The recorded pid now belongs to another process (this one, started at another time)."""
        RefreshState(
            job_id="lost-job",
            pid=os.getpid(),
            pid_started=0.0,
            api_pid=1,
            started_at=datetime.now(UTC).isoformat(),
            snapshot_before=current_snapshot_id(own_warehouse),
            force=True,
            accept_shrink=False,
        ).write(own_warehouse)
        with (
            warehouse_lock(own_warehouse),
            TestClient(create_app(make_settings(own_warehouse))) as client,
        ):
            status = job(client, "lost-job")
            assert (status["state"], status["orphaned"], status["force"]) == ("failed", True, True)
            assert status["error"].endswith(f"; pid {os.getpid()} holds the warehouse lock")
            body = error(client.post("/admin/refresh-data", headers=headers("admin")), 409)
            assert body["error_details"]["holder_pid"] == os.getpid()
