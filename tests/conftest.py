"""Session-wide fixtures: one SparkSession for the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

pytest_plugins = ["tests.databases"]


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    from c360_spark_processing.settings import PipelineSettings
    from c360_spark_processing.spark import start_spark

    # The PostgreSQL JDBC driver, when the machine has it, for the database-source tests.
    jar = PipelineSettings().jdbc_driver_jar
    session = start_spark(
        app_name="c360-tests",
        master="local[2]",
        shuffle_partitions=2,
        extra_conf={"spark.jars": str(jar)} if jar.is_file() else None,
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def raw_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~2,000 generated customers with the default rate of injected defects, written once."""
    from c360_mock_data import GeneratorConfig, generate

    out = tmp_path_factory.mktemp("raw")
    generate(GeneratorConfig(customers=2000, seed=7, out=out, dirty_rate=0.01, chunk_size=1000))
    return out


@pytest.fixture(scope="session")
def pipeline_warehouse(
    spark: SparkSession, raw_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """One real pipeline run over `raw_data`, shared by the end-to-end and API tests (read-only)."""
    from c360_spark_processing.pipeline import run_pipeline
    from c360_spark_processing.settings import PipelineSettings

    warehouse = tmp_path_factory.mktemp("warehouse")
    result = run_pipeline(spark, raw_data, warehouse, PipelineSettings())
    assert result.outcome == "published"
    return warehouse


@pytest.fixture(scope="session")
def upload_warehouse(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory):
    """The upload test file (`tests.upload_data.make_sales`) published once by the upload
    pipeline into a workspace warehouse: (sales, warehouse, manifest). Read-only."""
    from c360_contract.uploads import UPLOAD_FILE, UploadSpec
    from c360_spark_processing.settings import PipelineSettings
    from c360_spark_processing.transactions.pipeline import run_upload
    from tests.upload_data import HEADER, MAPPING, make_sales

    sales = make_sales()
    job = tmp_path_factory.mktemp("job")
    (job / UPLOAD_FILE).write_text(sales.text)
    spec = UploadSpec(
        columns=HEADER,
        delimiter=";",
        encoding="utf-8",
        decimal_separator=",",
        mapping=MAPPING,
        date_format="%d/%m/%Y",
    )
    spec.write(job)
    warehouse = tmp_path_factory.mktemp("workspace")
    result = run_upload(spark, job, warehouse, PipelineSettings())
    return sales, warehouse, result.manifest
