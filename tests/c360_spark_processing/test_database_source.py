"""The sources read from PostgreSQL: a real server (tests/databases.py: the machine's packages,
started as the `postgres` user in a temporary directory on a loopback port) loaded with the
suite's generated data set. The session's snapshot (`pipeline_warehouse`) is built from that
database, so every end-to-end and API test runs on it; here the database read is shown to give
exactly the rows the files give, and the run to record where it read from."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from c360_contract.database import PARTITIONED, DatabaseUrl
from c360_contract.vocabulary import SOURCES
from c360_contract.warehouse import current_snapshot_id, snapshot_path
from tests.conftest import DatabaseSources
from tests.databases import fresh_postgres_database

pytestmark = [pytest.mark.spark]


@pytest.fixture(scope="module")
def database(database_sources: DatabaseSources | None) -> DatabaseSources:
    if database_sources is None:
        pytest.skip(
            "needs PostgreSQL and its JDBC driver "
            "(apt-get install postgresql libpostgresql-jdbc-java)"
        )
    return database_sources


def _fingerprint(frame: DataFrame) -> tuple[int, int, int]:
    """Row count and the sum of the rows' 64-bit hashes (as two 32-bit halves, so the sums
    cannot overflow): equal for two frames holding the same rows, however often each occurs."""
    row_hash = F.xxhash64(*frame.columns)
    low, high = F.col("h").bitwiseAND(F.lit(0xFFFFFFFF)), F.shiftright(F.col("h"), 32)
    row = (
        frame.select(row_hash.alias("h"))
        .agg(F.count("*"), F.coalesce(F.sum(low), F.lit(0)), F.coalesce(F.sum(high), F.lit(0)))
        .first()
    )
    assert row is not None
    return row[0], row[1], row[2]


def test_every_table_reads_the_rows_of_its_export(
    spark: SparkSession, raw_data: Path, database: DatabaseSources
) -> None:
    from c360_spark_processing.extract import read_sources

    files, tables = read_sources(spark, raw_data), read_sources(spark, database.url)
    assert set(database.loaded) == set(SOURCES)
    for source in SOURCES:
        # By default a large table is read in one partition per core (the session is local[2]).
        assert tables[source].rdd.getNumPartitions() == (2 if source in PARTITIONED else 1), source
        assert tables[source].schema == files[source].schema, source
        from_table = _fingerprint(tables[source])
        assert from_table[0] == database.loaded[source], source
        assert from_table == _fingerprint(files[source]), source


def test_the_session_snapshot_was_read_from_the_database(
    database: DatabaseSources, pipeline_warehouse: Path
) -> None:
    import json

    from c360_spark_processing.run_control import RunResult, plan_run

    snapshot_id = current_snapshot_id(pipeline_warehouse)
    assert snapshot_id is not None
    manifest = json.loads(
        (snapshot_path(pipeline_warehouse, snapshot_id) / "manifest.json").read_text()
    )
    assert manifest["input_dir"] == database.url.redacted
    assert {s: c["rows_read"] for s, c in manifest["sources"].items()} == database.loaded
    # Unchanged tables: the same fingerprint, so the next run is skipped without Spark.
    again = plan_run(database.url, pipeline_warehouse, force=False)
    assert isinstance(again, RunResult)
    assert again.outcome == "skipped"


def test_generate_writes_the_exports_of_the_same_seed_into_the_database(
    postgres_server: str, database: DatabaseSources, tmp_path: Path
) -> None:
    import psycopg

    from c360_cli import main
    from c360_mock_data import GeneratorConfig, generate

    url = fresh_postgres_database(postgres_server).replace("postgresql+psycopg://", "postgresql://")
    assert main(["generate", "--customers", "40", "--seed", "5", "--out", url]) == 0
    files = generate(GeneratorConfig(customers=40, seed=5, out=tmp_path))
    with psycopg.connect(DatabaseUrl.parse(url).conninfo) as con:
        counts = {s: con.execute(f"SELECT count(*) FROM {s}").fetchone() for s in SOURCES}
    assert counts == {s: (files.rows[s],) for s in SOURCES}
