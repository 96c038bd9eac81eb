"""How many partitions a large source table is read in from PostgreSQL."""

from __future__ import annotations

import pytest

from c360_spark_processing.extract import jdbc_partitions
from c360_spark_processing.settings import PipelineSettings


@pytest.mark.parametrize(
    ("setting", "cores", "expected"),
    [
        (None, 1, 1),
        (None, 2, 2),
        (None, 8, 8),
        (None, 9, 8),  # one scan of the table per partition: capped on a large cluster
        (None, 64, 8),
        (3, 2, 3),  # a setting is taken as it is, above the cores or the cap
        (16, 64, 16),
    ],
)
def test_the_setting_else_one_per_core_at_most_eight(
    setting: int | None, cores: int, expected: int
) -> None:
    assert jdbc_partitions(setting, cores) == expected


def test_unset_by_default_and_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert PipelineSettings(_env_file=None).jdbc_partitions is None  # type: ignore[call-arg]
    monkeypatch.setenv("C360_PIPELINE_JDBC_PARTITIONS", "5")
    assert PipelineSettings(_env_file=None).jdbc_partitions == 5  # type: ignore[call-arg]
    monkeypatch.setenv("C360_PIPELINE_JDBC_PARTITIONS", "0")
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        PipelineSettings(_env_file=None)  # type: ignore[call-arg]
