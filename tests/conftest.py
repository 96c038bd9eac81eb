"""Session-wide fixtures: one SparkSession for the whole suite."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from c360_contract.database import DatabaseUrl
from tests.builds import Builds, Prepare
from tests.c360_api.metric_values.world import AS_OF as WORLD_AS_OF
from tests.c360_api.metric_values.world import write_world

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
# Every JVM the suite starts (its SparkSession, `c360 pipeline` children, the Spark Connect
# server) comes through spark-submit, which adds SPARK_SUBMIT_OPTS. The suite's jobs are many and
# tiny: the JVM's optimising compiler (C2) spent more CPU compiling than it saved, and the quick
# compiler alone took a third less CPU over the metric-values pipeline (docs/benchmarks.md, "The
# suite's time"). Compilation levels never change results. Without the tiered compiler the JVM
# reserves a fifth of the code cache (48 MB), which Spark's generated classes filled ("Out of
# space in CodeCache"): the tiered default, 240 MB, is kept.
JIT_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=240m")
os.environ["SPARK_SUBMIT_OPTS"] = " ".join(
    filter(None, (os.environ.get("SPARK_SUBMIT_OPTS"), *JIT_OPTIONS))
)

pytest_plugins = ["tests.databases"]


@dataclass(frozen=True)
class DatabaseSources:
    """`raw_data` loaded into a PostgreSQL database: its URL and the rows loaded per table."""

    url: DatabaseUrl
    loaded: dict[str, int]


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    from c360_spark_processing.settings import PipelineSettings
    from c360_spark_processing.spark import start_spark

    # The PostgreSQL JDBC driver, when the machine has it: the session's snapshot is read from a
    # database (`pipeline_source`).
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
def database_sources(request: pytest.FixtureRequest, raw_data: Path) -> DatabaseSources | None:
    """`raw_data` loaded into a fresh database on the session's PostgreSQL server
    (tests/databases.py), or None when the machine lacks the server or Spark's JDBC driver."""
    from c360_mock_data.database import load_exports
    from c360_spark_processing.settings import PipelineSettings
    from tests.databases import PG_BIN, fresh_postgres_database

    if not (PG_BIN / "initdb").exists() or not PipelineSettings().jdbc_driver_jar.is_file():
        return None
    server: str = request.getfixturevalue("postgres_server")
    url = DatabaseUrl.parse(
        fresh_postgres_database(server).replace("postgresql+psycopg://", "postgresql://")
    )
    return DatabaseSources(url, load_exports(raw_data, url))


@pytest.fixture(scope="session")
def pipeline_source(raw_data: Path, database_sources: DatabaseSources | None) -> Path | DatabaseUrl:
    """What the session's snapshot is built from: the database holding `raw_data` where the
    machine can serve one (so the database read path feeds every end-to-end and API test), else
    the files themselves. tests/c360_spark_processing/test_database_source.py shows both read
    the same rows."""
    return database_sources.url if database_sources is not None else raw_data


def _snapshot(source: str, directory: str, as_of: date | None = None) -> Prepare:
    """A build publishing one pipeline run over the fixture `source` into a fresh warehouse."""

    def prepare(request: pytest.FixtureRequest) -> Callable[[], Path]:
        from c360_spark_processing.pipeline import run_pipeline
        from c360_spark_processing.settings import PipelineSettings

        spark: SparkSession = request.getfixturevalue("spark")
        raw: Path | DatabaseUrl = request.getfixturevalue(source)
        warehouse = request.getfixturevalue("tmp_path_factory").mktemp(directory) / "warehouse"

        def build() -> Path:
            result = run_pipeline(spark, raw, warehouse, PipelineSettings(), as_of=as_of)
            assert result.outcome == "published"
            return warehouse

        return build

    return prepare


def _upload_workspace(request: pytest.FixtureRequest) -> Callable[[], Any]:
    from c360_contract.uploads import UPLOAD_FILE, UploadSpec
    from c360_spark_processing.settings import PipelineSettings
    from c360_spark_processing.transactions.pipeline import run_upload
    from tests.upload_data import HEADER, MAPPING, make_sales

    spark: SparkSession = request.getfixturevalue("spark")
    factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    sales = make_sales()
    job = factory.mktemp("job")
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
    warehouse = factory.mktemp("workspace")

    def build() -> Any:
        return sales, warehouse, run_upload(spark, job, warehouse, PipelineSettings()).manifest

    return build


@pytest.fixture(scope="session")
def builds(request: pytest.FixtureRequest, spark: SparkSession) -> Iterator[Builds]:
    """The session's shared Spark builds, run side by side (tests/builds.py); after them the
    session's Spark stops, never under a build still running."""
    started = Builds(
        request,
        {
            "pipeline_warehouse": _snapshot("pipeline_source", "session"),
            "world_warehouse": _snapshot("world_raw", "world", as_of=WORLD_AS_OF),
            "upload_warehouse": _upload_workspace,
        },
    )
    yield started
    started.close()


@pytest.fixture(scope="session")
def pipeline_warehouse(builds: Builds) -> Path:
    """One real pipeline run over `pipeline_source`, shared by the end-to-end and API tests
    (read-only)."""
    warehouse: Path = builds.result("pipeline_warehouse")
    return warehouse


@pytest.fixture(scope="session")
def world_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The metric-values world's exports (tests/c360_api/metric_values/world.py)."""
    return write_world(tmp_path_factory.mktemp("world_raw"))


@pytest.fixture(scope="session")
def world_warehouse(builds: Builds) -> Path:
    """One real pipeline run over the metric-values world, shared read-only by its tests."""
    warehouse: Path = builds.result("world_warehouse")
    return warehouse


@pytest.fixture(scope="session")
def upload_warehouse(builds: Builds) -> Any:
    """The upload test file (`tests.upload_data.make_sales`) published once by the upload
    pipeline into a workspace warehouse: (sales, warehouse, manifest). Read-only."""
    return builds.result("upload_warehouse")
