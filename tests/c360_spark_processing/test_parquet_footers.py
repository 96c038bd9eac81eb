"""A written table's rows and columns from its Parquet footers agree with Spark's own reading,
for several files and for an empty table."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from c360_spark_processing.pipeline import parquet_footers
from c360_spark_processing.publish import PublishError

pytestmark = pytest.mark.spark


@pytest.mark.parametrize("rows", [0, 7])
def test_footers_agree_with_spark(spark: SparkSession, tmp_path: Path, rows: int) -> None:
    frame = spark.range(rows).selectExpr("id AS customer_id", "id * 2.5 AS net_revenue")
    frame.repartition(3).write.parquet(str(tmp_path / "t"))
    back = spark.read.parquet(str(tmp_path / "t"))
    assert parquet_footers(tmp_path / "t") == (back.count(), back.columns) == (rows, back.columns)
    assert back.columns == ["customer_id", "net_revenue"]


def test_a_directory_without_parquet_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PublishError):
        parquet_footers(tmp_path)
