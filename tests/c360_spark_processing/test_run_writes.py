"""How a run writes: intermediates under `_work/` without dictionaries or statistics (read back
whole by the run), published tables with Parquet's defaults (the API skips row groups by their
statistics); both read back the rows written, and the manifest times each."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pyspark.sql import DataFrame, SparkSession

from c360_spark_processing.pipeline import _Run
from c360_spark_processing.publish import Staging
from c360_spark_processing.run_control import RunPlan
from c360_spark_processing.settings import PipelineSettings

pytestmark = pytest.mark.spark

ROWS = [(f"ORD-{i:08d}", "completed" if i % 3 else "cancelled", i * 1.25) for i in range(40)]


def _run(spark: SparkSession, warehouse: Path) -> _Run:
    started = datetime(2026, 11, 24, tzinfo=UTC)
    staging = Staging(warehouse, "S1")
    staging.create()
    plan = RunPlan(input_dir=warehouse, warehouse=warehouse, fingerprint="f", previous=None)
    return _Run(spark, staging, plan, PipelineSettings(), False, started, lambda: started)


def _frame(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(ROWS, "order_id string, status string, amount double")


def _chunks(path: Path) -> list[pq.ColumnChunkMetaData]:
    files = sorted(path.glob("*.parquet"))
    assert files
    return [
        meta.row_group(g).column(c)
        for meta in (pq.ParquetFile(f).metadata for f in files)
        for g in range(meta.num_row_groups)
        for c in range(meta.num_columns)
    ]


def _rows(frame: DataFrame) -> list[tuple[object, ...]]:
    return sorted(tuple(r) for r in frame.collect())


def test_an_intermediate_has_no_dictionary_and_no_statistics(
    spark: SparkSession, tmp_path: Path
) -> None:
    run = _run(spark, tmp_path)
    path = run.staging.work_path("order_facts")
    back = run.write(_frame(spark).coalesce(1), path)
    assert _rows(back) == sorted(ROWS)
    chunks = _chunks(path)
    assert all(c.dictionary_page_offset is None for c in chunks)
    assert all("PLAIN_DICTIONARY" not in c.encodings for c in chunks)
    assert all(c.statistics is None for c in chunks)
    assert set(run.intermediates) == {"order_facts"}


def test_a_table_keeps_dictionaries_and_statistics(spark: SparkSession, tmp_path: Path) -> None:
    run = _run(spark, tmp_path)
    back = run.table("fact_orders", _frame(spark), sort_by="order_id")
    assert _rows(back) == sorted(ROWS)
    chunks = _chunks(run.staging.table_path("fact_orders"))
    status = [c for c in chunks if c.path_in_schema == "status"]
    assert status
    assert all(c.dictionary_page_offset is not None for c in status)
    ids = [c.statistics for c in chunks if c.path_in_schema == "order_id"]
    assert ids
    assert all(s is not None and s.has_min_max for s in ids)
    assert run.tables["fact_orders"]["rows"] == len(ROWS)
    assert run.intermediates == {}
