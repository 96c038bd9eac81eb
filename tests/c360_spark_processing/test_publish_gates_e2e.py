"""Broken inputs are refused: `c360 pipeline` exits 4 naming the gate or file, CURRENT and the
served snapshot stay as they were, and a gate refusal is kept under WH/.rejected for inspection.

Each input is the session's generated exports with one file broken (the others are symlinks to the
originals), run through the CLI on the session's SparkSession, into a warehouse holding a copy of
the session's good snapshot. Expectations come from the raw files, never from the pipeline.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient
from pyspark.sql import SparkSession

from c360_api.admin.schemas import JobStatus
from c360_api.jobs import Job
from c360_api.main import create_app
from c360_cli import main
from c360_contract.progress import EXIT_REJECTED, PIPELINE_REJECTED
from c360_contract.warehouse import current_snapshot_id, rejected_path
from c360_spark_processing import cli
from c360_spark_processing.gates import GATE_QUARANTINED, GATE_REQUIRED, GATE_SHRINK
from c360_spark_processing.ingest import INGEST_ORDER
from tests.c360_api.conftest import Expect, build_test_warehouse, headers, make_settings

pytestmark = [pytest.mark.spark, pytest.mark.slow]

OVERVIEW = "/marketing/customer-health-overview"


@pytest.fixture
def on_session_spark(spark: SparkSession, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI runs on the test session's Spark instead of starting (and stopping) its own."""

    @contextmanager
    def session(
        _master: str | None, _memory: str | None, _extra_conf: dict[str, str] | None = None
    ) -> Iterator[SparkSession]:
        yield spark

    monkeypatch.setattr(cli, "spark_session", session)


@pytest.fixture
def served(pipeline_warehouse: Path, tmp_path: Path) -> Iterator[tuple[Path, TestClient]]:
    """A warehouse holding a good snapshot, and an API serving it."""
    warehouse = build_test_warehouse(pipeline_warehouse, tmp_path)
    with TestClient(create_app(make_settings(warehouse, snapshot_in_memory=False))) as client:
        yield warehouse, client


def broken_input(raw_data: Path, root: Path, damage: Callable[[Path], None]) -> Path:
    """`raw_data` as symlinks, with `damage` applied to the input (it replaces what it breaks)."""
    out = root / "raw"
    shutil.copytree(raw_data, out, copy_function=os.symlink)
    damage(out)
    return out


def replace(path: Path, data: bytes) -> None:
    """Write `data` in place of a symlink, never through it into the shared exports."""
    path.unlink()
    path.write_bytes(data)


def refuse(input_dir: Path, warehouse: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """Run `c360 pipeline`, expect exit 4, return its last event (JSON lines: not a terminal)."""
    code = main(["pipeline", "--input", str(input_dir), "--warehouse", str(warehouse)])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("{")]
    assert code == EXIT_REJECTED, err[-3000:]
    event: dict[str, Any] = json.loads(lines[-1])
    assert event["event"] == PIPELINE_REJECTED
    return event


def assert_still_served(warehouse: Path, client: TestClient, before: str) -> None:
    """CURRENT, the snapshots and the API's answers are those of the good snapshot."""
    assert current_snapshot_id(warehouse) == before
    assert [p.name for p in (warehouse / "snapshots").iterdir()] == [before]
    assert list((warehouse / ".staging").glob("*")) == []  # absent or empty
    assert client.get("/health").json()["data"]["snapshot_id"] == before
    body = client.get(OVERVIEW, headers=headers("marketing")).json()
    assert body["snapshot_id"] == before
    revenue = Expect(warehouse).df("SELECT sum(net_revenue) r FROM customer_profile")["r"][0]
    assert revenue > 0
    served = sum(row["total_net_revenue"] for row in body["data"])
    assert served == pytest.approx(revenue, abs=0.01 * len(body["data"]))


def rejected_manifest(warehouse: Path, event: dict[str, Any]) -> dict[str, Any]:
    kept = rejected_path(warehouse, event["rejected_snapshot_id"])
    manifest: dict[str, Any] = json.loads((kept / "manifest.json").read_text())
    assert manifest["status"] == "rejected"
    assert manifest["gates"]["failures"] == event["gate_failures"]
    assert not (kept / "_work").exists()
    assert sorted(p.name for p in (kept / "quarantine").iterdir()) == sorted(manifest["sources"])
    return manifest


def test_empty_products_is_refused_right_after_products(
    raw_data: Path,
    served: tuple[Path, TestClient],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    on_session_spark: None,
) -> None:
    warehouse, client = served
    before = current_snapshot_id(warehouse)
    assert before is not None
    [(products,)] = (
        duckdb.connect()
        .execute(f"SELECT count(*) FROM read_csv('{raw_data}/products.csv', all_varchar=true)")
        .fetchall()
    )
    event = refuse(
        broken_input(raw_data, tmp_path, lambda d: replace(d / "products.csv", b"")),
        warehouse,
        capsys,
    )
    failures = [(f["gate"], f["source"], f["rows"], f["of_rows"]) for f in event["gate_failures"]]
    assert failures == [
        (GATE_REQUIRED, "products", 0, 0),
        (GATE_SHRINK, "products", 0, products),
    ]
    assert event["error"].startswith(
        "failed 2 publish gates: products: required source loaded no rows (0 read); "
    )
    manifest = rejected_manifest(warehouse, event)
    # Fail fast: nothing after products was ingested, no later stage ran.
    assert set(manifest["sources"]) == set(INGEST_ORDER[: INGEST_ORDER.index("products") + 1])
    assert manifest["tables"] == {}
    assert_still_served(warehouse, client, before)
    # The refresh job reads this very line into its status.
    job = Job(job_id="j", force=False, accept_shrink=False, argv=[])
    job.progress.apply(event)
    status = JobStatus.model_validate(job.as_dict())
    assert [g.model_dump() for g in status.gate_failures] == event["gate_failures"]
    assert (status.outcome, status.rejected_snapshot_id) == (
        "rejected",
        event["rejected_snapshot_id"],
    )


def test_truncated_orders_parquet_is_refused_naming_the_file(
    raw_data: Path,
    served: tuple[Path, TestClient],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    on_session_spark: None,
) -> None:
    warehouse, client = served
    before = current_snapshot_id(warehouse)
    assert before is not None
    whole = (raw_data / "orders.parquet").read_bytes()
    event = refuse(
        broken_input(
            raw_data, tmp_path, lambda d: replace(d / "orders.parquet", whole[: len(whole) // 2])
        ),
        warehouse,
        capsys,
    )
    assert event["error"].startswith(
        "orders.parquet is not readable Parquet (truncated or corrupt?): "
    )
    assert (event["gate_failures"], event["rejected_snapshot_id"]) == ([], None)
    assert not (warehouse / ".rejected").exists()
    assert_still_served(warehouse, client, before)


def test_app_events_with_a_third_of_lines_corrupted_is_refused(
    raw_data: Path,
    served: tuple[Path, TestClient],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    on_session_spark: None,
) -> None:
    warehouse, client = served
    before = current_snapshot_id(warehouse)
    assert before is not None
    tally = {"lines": 0, "corrupted": 0}

    def corrupt_every_third_line(root: Path) -> None:
        for path in sorted((root / "app_events").rglob("*.jsonl")):
            lines = path.read_text().splitlines(keepends=True)
            for i, line in enumerate(lines):
                if (tally["lines"] + i) % 3 == 0:
                    lines[i] = line[: len(line) // 2] + "\n"  # cut mid-object: not JSON
                    tally["corrupted"] += 1
            tally["lines"] += len(lines)
            replace(path, "".join(lines).encode())

    event = refuse(broken_input(raw_data, tmp_path, corrupt_every_third_line), warehouse, capsys)
    [failure] = event["gate_failures"]
    assert (failure["gate"], failure["source"], failure["of_rows"]) == (
        GATE_QUARANTINED,
        "app_events",
        tally["lines"],
    )
    assert failure["top_reasons"][0] == {"reason": "schema_mismatch", "count": tally["corrupted"]}
    assert failure["rows"] >= tally["corrupted"] > tally["lines"] // 3 - 1
    assert failure["observed"] == failure["rows"] / failure["of_rows"]
    manifest = rejected_manifest(warehouse, event)
    assert set(manifest["sources"]) == set(INGEST_ORDER[: INGEST_ORDER.index("app_events") + 1])
    assert_still_served(warehouse, client, before)
