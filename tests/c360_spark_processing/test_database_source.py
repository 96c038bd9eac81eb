"""The sources read from PostgreSQL: a real server (tests/databases.py: the machine's
packages, started as the `postgres` user in a temporary directory on a loopback port) loaded
with the suite's generated data set, the pipeline run from it, and the snapshot compared with
the one built from the files: every table and quarantine identical."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from pyspark.sql import SparkSession

from c360_contract.database import DatabaseUrl
from c360_contract.vocabulary import SOURCES
from c360_contract.warehouse import current_snapshot_id, snapshot_path
from c360_spark_processing.settings import PipelineSettings
from tests.databases import fresh_postgres_database

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def postgres(postgres_server: str) -> DatabaseUrl:
    """A fresh database on the session's PostgreSQL server (tests/databases.py)."""
    if not PipelineSettings().jdbc_driver_jar.is_file():
        pytest.skip("needs the PostgreSQL JDBC driver (apt-get install libpostgresql-jdbc-java)")
    url = fresh_postgres_database(postgres_server)
    return DatabaseUrl.parse(url.replace("postgresql+psycopg://", "postgresql://"))


def _snapshot(warehouse: Path) -> Path:
    snapshot_id = current_snapshot_id(warehouse)
    assert snapshot_id is not None
    return snapshot_path(warehouse, snapshot_id)


def test_a_snapshot_from_postgresql_equals_the_one_from_files(
    spark: SparkSession,
    postgres: DatabaseUrl,
    raw_data: Path,
    pipeline_warehouse: Path,
    tmp_path: Path,
) -> None:
    from c360_mock_data.database import load_exports
    from c360_spark_processing.pipeline import run_pipeline
    from c360_spark_processing.run_control import RunResult, plan_run

    loaded = load_exports(raw_data, postgres)
    assert set(loaded) == set(SOURCES)
    result = run_pipeline(spark, postgres, tmp_path / "warehouse", PipelineSettings())
    assert result.outcome == "published"
    files, database = _snapshot(pipeline_warehouse), _snapshot(tmp_path / "warehouse")

    for source, counts in result.manifest["sources"].items():
        assert counts["rows_read"] == loaded[source], source
    assert result.manifest["input_dir"] == postgres.redacted
    con = duckdb.connect()
    tables = sorted(p.relative_to(files).as_posix() for p in files.glob("**/*.parquet"))
    directories = sorted({str(Path(t).parent) for t in tables})
    assert directories == sorted(
        {str(p.relative_to(database).parent) for p in database.glob("**/*.parquet")}
    )
    for directory in directories:
        a = f"read_parquet('{files / directory}/*.parquet')"
        b = f"read_parquet('{database / directory}/*.parquet')"
        for left, right in ((a, b), (b, a)):
            extra = con.execute(f"SELECT count(*) FROM (FROM {left} EXCEPT ALL FROM {right})")
            assert extra.fetchone() == (0,), directory

    # Unchanged tables: the same fingerprint, so the next run is skipped.
    again = plan_run(postgres, tmp_path / "warehouse", force=False)
    assert isinstance(again, RunResult)
    assert again.outcome == "skipped"


def test_generate_writes_the_exports_of_the_same_seed_into_the_database(
    postgres: DatabaseUrl, tmp_path: Path
) -> None:
    import psycopg

    from c360_cli import main
    from c360_mock_data import GeneratorConfig, generate

    url = f"postgresql://postgres@{postgres.host}:{postgres.port}/{postgres.database}_generated"
    with psycopg.connect(postgres.conninfo, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{postgres.database}_generated"')
    assert main(["generate", "--customers", "40", "--seed", "5", "--out", url]) == 0
    files = generate(GeneratorConfig(customers=40, seed=5, out=tmp_path))
    with psycopg.connect(DatabaseUrl.parse(url).conninfo) as con:
        counts = {s: con.execute(f"SELECT count(*) FROM {s}").fetchone() for s in SOURCES}
    assert counts == {s: (files.rows[s],) for s in SOURCES}
