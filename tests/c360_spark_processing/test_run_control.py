"""Run control that needs no JVM: Java check, master choice, partition sizing, driver memory,
the CLI's answers before Spark (missing input, locked warehouse, unchanged input) and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import psutil
import pytest
from pyspark.sql import SparkSession

from c360_cli import main
from c360_contract.logs import configure_json_logging
from c360_contract.progress import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_REJECTED,
    PIPELINE_FAILED,
    PIPELINE_FINISHED,
    PIPELINE_REJECTED,
    GateFailure,
)
from c360_contract.warehouse import warehouse_lock
from c360_spark_processing import cli, pipeline
from c360_spark_processing.cli import _master
from c360_spark_processing.gates import GATE_REQUIRED, GateError
from c360_spark_processing.inputs import UnreadableSourceError
from c360_spark_processing.pipeline import size_shuffle_partitions
from c360_spark_processing.publish import input_fingerprint
from c360_spark_processing.resources import (
    GIB,
    MIB,
    driver_memory,
    machine_memory_bytes,
    sized_driver_memory,
)
from c360_spark_processing.run_control import RunPlan
from c360_spark_processing.settings import PipelineSettings
from c360_spark_processing.spark import JavaMissingError, start_spark
from tests.c360_spark_processing.test_inputs import truncate, write_inputs


class TestJavaCheck:
    def test_missing_java_names_the_fix(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("JAVA_HOME", raising=False)
        monkeypatch.setattr("c360_spark_processing.spark.shutil.which", lambda _name: None)
        with pytest.raises(JavaMissingError, match="openjdk-17-jre-headless"):
            start_spark(master="local[1]")


class TestMaster:
    def test_explicit_master_wins(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PYSPARK_GATEWAY_PORT", "1234")
        assert _master("spark://host:7077") == "spark://host:7077"

    def test_spark_submit_owns_the_master(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PYSPARK_GATEWAY_PORT", "1234")
        assert _master(None) is None

    def test_local_by_default(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("PYSPARK_GATEWAY_PORT", raising=False)
        assert _master(None) == "local[*]"


class TestShufflePartitions:
    @pytest.mark.parametrize(
        ("total_bytes", "expected"),
        [(0, 2), (64 * 2**20, 2), (3 * 64 * 2**20, 3), (3 * 64 * 2**20 + 1, 4), (10**15, 400)],
    )
    def test_one_partition_per_64_mib_within_bounds(self, total_bytes: int, expected: int) -> None:
        assert size_shuffle_partitions(total_bytes, PipelineSettings()) == expected


class TestCli:
    def test_missing_input_fails_before_spark(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code = main(
            ["pipeline", "--input", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "wh")]
        )
        assert code == 2
        event = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
        assert event["event"] == "pipeline_failed"
        assert "input directory not found" in event["error"]
        assert not (tmp_path / "wh").exists()

    def test_unknown_subcommand_is_an_argument_error(self) -> None:
        with pytest.raises(SystemExit) as exit_info:
            main(["frobnicate"])
        assert exit_info.value.code == 2


def _published(input_dir: Path, warehouse: Path) -> None:
    """A warehouse whose CURRENT snapshot was built from `input_dir` as it is now."""
    write_inputs(input_dir)
    snapshot = warehouse / "snapshots" / "S1"
    snapshot.mkdir(parents=True)
    manifest = {"snapshot_id": "S1", "input_fingerprint": input_fingerprint(input_dir)}
    (snapshot / "manifest.json").write_text(json.dumps(manifest))
    (warehouse / "CURRENT").write_text("S1\n")


def _events(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.strip().splitlines()]


@pytest.fixture
def no_spark(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the CLI tries to start Spark."""

    def refuse(*_: object) -> None:
        raise AssertionError("Spark was started")

    monkeypatch.setattr(cli, "spark_session", refuse)


@pytest.fixture
def spark_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record what the CLI would start Spark with and build, without a JVM."""
    calls: list[dict[str, Any]] = []

    @contextmanager
    def session(
        master: str | None, memory: str | None, extra_conf: dict[str, str] | None = None
    ) -> Iterator[object]:
        calls.append({"master": master, "memory": memory, "conf": extra_conf})
        yield object()

    def build(_spark: object, plan: object, _settings: object, **kwargs: Any) -> None:
        calls[-1].update(kwargs, plan=plan)

    monkeypatch.setattr(cli, "spark_session", session)
    monkeypatch.setattr(pipeline, "build_snapshot", build)
    return calls


class TestAnswersWithoutSpark:
    def test_unchanged_input_is_skipped_with_exact_json_lines(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_spark: None
    ) -> None:
        _published(tmp_path / "in", tmp_path / "wh")
        code = main(
            ["pipeline", "--input", str(tmp_path / "in"), "--warehouse", str(tmp_path / "wh")]
        )
        assert code == EXIT_OK
        [event] = _events(capsys.readouterr().err)
        assert set(event) == {"event", "outcome", "snapshot_id", "level", "timestamp"}
        assert (event["event"], event["outcome"], event["snapshot_id"]) == (
            PIPELINE_FINISHED,
            "skipped",
            "S1",
        )

    def test_skip_never_imports_pyspark_or_other_heavy_packages(self, tmp_path: Path) -> None:
        """The skip answers in about a second: nothing a build needs is imported for it."""
        _published(tmp_path / "in", tmp_path / "wh")
        argv = ["pipeline", "--input", str(tmp_path / "in"), "--warehouse", str(tmp_path / "wh")]
        heavy = ("pyspark", "pyarrow", "pydantic_settings", "psutil", "numpy")
        code = (
            "import json, sys\nfrom c360_cli import main\n"
            f"code = main({argv!r})\n"
            f"print(json.dumps([code, sorted(m for m in sys.modules if m.startswith({heavy!r}))]))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout
        assert json.loads(out) == [EXIT_OK, []]

    def test_changed_input_is_built(
        self, tmp_path: Path, spark_calls: list[dict[str, Any]]
    ) -> None:
        _published(tmp_path / "in", tmp_path / "wh")
        (tmp_path / "in" / "products.csv").write_text("product_id\nP-00001\n")
        code = main(
            ["pipeline", "--input", str(tmp_path / "in"), "--warehouse", str(tmp_path / "wh")]
        )
        assert code == EXIT_OK
        assert spark_calls[0]["plan"].previous["snapshot_id"] == "S1"

    def test_locked_warehouse_is_exit_3_naming_the_holder(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_spark: None
    ) -> None:
        _published(tmp_path / "in", tmp_path / "wh")
        with warehouse_lock(tmp_path / "wh"):
            code = main(
                ["pipeline", "--input", str(tmp_path / "in"), "--warehouse", str(tmp_path / "wh")]
            )
        assert code == EXIT_LOCKED
        [event] = _events(capsys.readouterr().err)
        assert event["event"] == PIPELINE_FAILED
        assert event["error"] == (
            f"another pipeline run (pid {os.getpid()}) holds {tmp_path / 'wh' / '.lock'}"
        )

    @pytest.mark.parametrize("damage", ["truncated", "missing"])
    def test_a_broken_export_is_refused_with_exit_4(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_spark: None, damage: str
    ) -> None:
        root = write_inputs(tmp_path / "in")
        if damage == "truncated":
            truncate(root / "orders.parquet")
        else:
            (root / "orders.parquet").unlink()
        code = main(["pipeline", "--input", str(root), "--warehouse", str(tmp_path / "wh")])
        assert code == EXIT_REJECTED
        [event] = _events(capsys.readouterr().err)
        assert (event["event"], event["gate_failures"], event["rejected_snapshot_id"]) == (
            PIPELINE_REJECTED,
            [],
            None,
        )
        assert event["error"].startswith(
            "orders.parquet is not readable Parquet (truncated or corrupt?): "
            if damage == "truncated"
            else "orders: orders.parquet not found in "
        )


class TestBuildArguments:
    def test_flags_reach_the_build(self, tmp_path: Path, spark_calls: list[dict[str, Any]]) -> None:
        write_inputs(tmp_path / "in")
        argv = ["pipeline", "--input", str(tmp_path / "in"), "--warehouse", str(tmp_path / "wh")]
        assert main([*argv, "--accept-shrink", "--as-of", "2025-06-30"]) == EXIT_OK
        [call] = spark_calls
        assert call["accept_shrink"] is True
        assert str(call["as_of"]) == "2025-06-30"
        assert call["master"] == "local[*]"
        assert call["memory"] == sized_driver_memory(machine_memory_bytes(), PipelineSettings())
        assert call["conf"] == {}  # the JDBC driver only for a database input

    @pytest.mark.parametrize(
        ("flags", "env", "memory"),
        [
            (["--driver-memory", "3g"], "5g", "3g"),
            ([], "5g", "5g"),
            (["--master", "local[1]"], None, "sized"),
            (["--master", "spark://host:7077"], None, None),
        ],
    )
    def test_driver_memory_precedence(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        spark_calls: list[dict[str, Any]],
        flags: list[str],
        env: str | None,
        memory: str | None,
    ) -> None:
        if env:
            monkeypatch.setenv("C360_PIPELINE_DRIVER_MEMORY", env)
        write_inputs(tmp_path / "in")
        argv = ["pipeline", "--input", str(tmp_path / "in"), "--warehouse", str(tmp_path / "wh")]
        assert main([*argv, *flags]) == EXIT_OK
        expected = sized_driver_memory(machine_memory_bytes(), PipelineSettings())
        assert spark_calls[0]["memory"] == (expected if memory == "sized" else memory)

    @pytest.mark.parametrize(
        ("error", "code"),
        [
            (UnreadableSourceError("orders.parquet is not readable"), EXIT_REJECTED),
            (RuntimeError("boom"), EXIT_FAILED),
        ],
    )
    def test_exit_codes(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        spark_calls: list[dict[str, Any]],
        capsys: pytest.CaptureFixture[str],
        error: Exception,
        code: int,
    ) -> None:
        def build(*_: object, **__: object) -> None:
            raise error

        monkeypatch.setattr(pipeline, "build_snapshot", build)
        write_inputs(tmp_path / "in")
        argv = ["pipeline", "--input", str(tmp_path / "in"), "--warehouse", str(tmp_path / "wh")]
        assert main(argv) == code
        events = _events(capsys.readouterr().err)
        # A refusal was already reported by the pipeline; an error is reported by the CLI.
        assert [e["event"] for e in events] == ([] if code == EXIT_REJECTED else [PIPELINE_FAILED])


class TestDriverMemory:
    @pytest.mark.parametrize(
        ("total_gib", "expected"),
        [
            (23.5, "8192m"),  # this benchmark machine: capped at 8 GiB
            (20, "8192m"),  # (20 - 4) / 2 = 8: exactly the cap
            (16, "6144m"),
            (8, "2048m"),
            (6, "1024m"),  # (6 - 4) / 2 = 1: exactly the floor
            (4, "1024m"),  # nothing beyond the reserve: the floor
        ],
    )
    def test_half_of_what_is_left_after_the_reserve(self, total_gib: float, expected: str) -> None:
        assert sized_driver_memory(int(total_gib * GIB), PipelineSettings()) == expected

    def test_rounds_down_to_whole_mib(self) -> None:
        assert sized_driver_memory(16 * GIB + 3 * MIB, PipelineSettings()) == "6145m"

    def test_settings_move_reserve_fraction_and_bounds(self) -> None:
        settings = PipelineSettings(
            driver_memory_reserve_gib=2,
            driver_memory_fraction=0.75,
            driver_memory_min_gib=2,
            driver_memory_max_gib=16,
        )
        assert sized_driver_memory(18 * GIB, settings) == "12288m"
        assert sized_driver_memory(3 * GIB, settings) == "2048m"

    def test_explicit_values_win_and_clusters_are_left_alone(self) -> None:
        settings = PipelineSettings(driver_memory="5g")
        assert driver_memory("3g", settings, local=True) == "3g"
        assert driver_memory(None, settings, local=True) == "5g"
        assert driver_memory(None, PipelineSettings(), local=False) is None

    def test_container_limit_below_ram_wins(self, tmp_path: Path) -> None:
        limit, unlimited = tmp_path / "memory.max", tmp_path / "v1"
        limit.write_text(f"{3 * GIB}\n")
        unlimited.write_text("max\n")
        assert machine_memory_bytes((unlimited, limit, tmp_path / "absent")) == 3 * GIB
        assert machine_memory_bytes((unlimited,)) == psutil.virtual_memory().total


class _Conf:
    """The two calls a run makes on `spark.conf`, without a JVM."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def set(self, key: str, value: str) -> None:
        self.values[key] = value

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)


def _at(moment: datetime) -> datetime:
    return moment


class TestRejectedRuns:
    def test_a_refused_run_is_kept_and_older_refusals_are_pruned(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Each refused run lands in WH/.rejected/<id>; past `keep_rejected` the oldest go, and
        CURRENT is never touched."""
        configure_json_logging()
        warehouse = tmp_path / "wh"
        _published(tmp_path / "in", warehouse)
        failure = GateFailure(
            gate=GATE_REQUIRED,
            source="products",
            observed=0,
            threshold=1,
            rows=0,
            of_rows=0,
            message="products: required source loaded no rows (0 read)",
        )

        def refused(_run: object, _as_of: object) -> dict[str, Any]:
            raise GateError([failure])

        plan = RunPlan(tmp_path / "in", warehouse, "f" * 64, None)
        spark = cast(SparkSession, SimpleNamespace(conf=_Conf()))
        kept: list[str] = []
        for minute in range(4):
            moment = datetime(2026, 1, 1, 0, minute, tzinfo=UTC)
            with pytest.raises(GateError) as refusal:
                pipeline.build_snapshot(
                    spark,
                    plan,
                    PipelineSettings(keep_rejected=2),
                    clock=partial(_at, moment),
                    build=refused,
                )
            assert refusal.value.rejected_snapshot_id == f"20260101T00{minute:02d}00000Z-ffffffff"
            kept.append(refusal.value.rejected_snapshot_id)
        assert sorted(p.name for p in (warehouse / ".rejected").iterdir()) == kept[-2:]
        manifest = json.loads((warehouse / ".rejected" / kept[-1] / "manifest.json").read_text())
        assert (manifest["status"], manifest["gates"]["failures"]) == (
            "rejected",
            [failure.to_dict()],
        )
        assert (warehouse / "CURRENT").read_text() == "S1\n"
        assert list((warehouse / ".staging").iterdir()) == []
        events = _events(capsys.readouterr().err)
        assert [
            e["rejected_snapshot_id"] for e in events if e["event"] == PIPELINE_REJECTED
        ] == kept
