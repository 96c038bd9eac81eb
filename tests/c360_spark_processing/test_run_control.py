"""Run control that needs no JVM: Java check, master choice, partition sizing, CLI argument errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from c360_cli import main
from c360_spark_processing.cli import _master
from c360_spark_processing.pipeline import size_shuffle_partitions
from c360_spark_processing.settings import PipelineSettings
from c360_spark_processing.spark import JavaMissingError, start_spark


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
