"""Read the source exports (`docs/data_model.md` §1) with their explicit schemas, from files or
from a PostgreSQL database. Only I/O lives here.

A database is read with Spark's JDBC source and the PostgreSQL driver jar from the machine's
packages (`jdbc_driver_jar`, on the classpath from the start), never a download. The large tables
are read in partitions split on the hash of their id column, so the read runs in parallel without
a numeric key: `jdbc_partitions` of them, or by default one per core Spark runs tasks on. Each
table is cast to its source's raw schema, so ingest sees what it sees from the files.
"""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import DataFrame, DataFrameReader, SparkSession
from pyspark.sql import functions as F

from c360_contract.database import ID_COLUMNS, PARTITIONED, DatabaseUrl
from c360_contract.vocabulary import SOURCES
from c360_spark_processing.inputs import SOURCE_PATHS
from c360_spark_processing.schemas import CORRUPT_RECORD, RAW_SCHEMAS


def _permissive(reader: DataFrameReader) -> DataFrameReader:
    # A row that does not fit lands in `_corrupt_record` (quarantined as schema_mismatch) instead of
    # failing the job or being dropped.
    return reader.option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT_RECORD)


def _read(spark: SparkSession, source: str, path: Path) -> DataFrame:
    reader = spark.read.schema(RAW_SCHEMAS[source])
    if path.suffix == ".csv":
        # RFC 4180: fields quoted with `"`, a quote inside a field doubled. Line-oriented (no
        # multiLine) so files split across tasks and a stray quote damages one row, not the rest.
        csv = reader.options(header=True, enforceSchema=True, quote='"', escape='"')
        return _permissive(csv).csv(str(path))
    if path.suffix == ".parquet":
        return reader.parquet(str(path))
    if source == "app_events":
        # dt=YYYY-MM-DD directories: recursive lookup disables partition discovery, so no `dt`
        # column is inferred as a date; every event carries its own `ts`.
        reader = reader.options(recursiveFileLookup=True, pathGlobFilter="*.jsonl")
    return _permissive(reader).json(str(path))


def _predicates(id_column: str, partitions: int) -> list[str]:
    """Disjoint WHERE clauses covering every row, rows with a null id in the first."""
    column = f'"{id_column}"'
    hashed = f"mod(abs(hashtext({column}::text)::bigint), {partitions})"
    return [
        f"{hashed} = {k}" + (f" OR {column} IS NULL" if k == 0 else "") for k in range(partitions)
    ]


AUTO_JDBC_PARTITIONS_MAX = 8
"""The most partitions chosen by default: each one is a query that scans the whole table (the ids
are not indexed), so a large cluster must not start dozens of them against the source database."""


def jdbc_partitions(setting: int | None, cores: int) -> int:
    """Partitions a large table is read in: the setting, else one per core, at most
    `AUTO_JDBC_PARTITIONS_MAX`. More than the cores only adds scans that compete for them
    (docs/benchmarks.md, "PostgreSQL extract")."""
    return setting if setting is not None else max(1, min(cores, AUTO_JDBC_PARTITIONS_MAX))


def _jdbc_properties(url: DatabaseUrl) -> dict[str, str]:
    properties = {"driver": "org.postgresql.Driver", "fetchsize": "10000"}
    if url.user:
        properties["user"] = url.user
    if url.password:
        properties["password"] = url.password
    return properties


def _read_table(spark: SparkSession, url: DatabaseUrl, source: str, partitions: int) -> DataFrame:
    """One source's table, lazily, cast to its raw schema."""
    properties = _jdbc_properties(url)
    if source in PARTITIONED and partitions > 1:
        predicates = _predicates(ID_COLUMNS[source], partitions)
        table = spark.read.jdbc(url.jdbc, source, predicates=predicates, properties=properties)
    else:
        table = spark.read.jdbc(url.jdbc, source, properties=properties)
    return table.select(
        *[F.col(f.name).cast(f.dataType).alias(f.name) for f in RAW_SCHEMAS[source].fields]
    )


def read_source(
    spark: SparkSession, input_dir: Path | DatabaseUrl, source: str, partitions: int | None = None
) -> DataFrame:
    """One source, lazily read with its raw schema from `input_dir` (a directory of exports or a
    database, whose large tables are read in `jdbc_partitions(partitions, ...)` partitions)."""
    if isinstance(input_dir, DatabaseUrl):
        cores = spark.sparkContext.defaultParallelism
        return _read_table(spark, input_dir, source, jdbc_partitions(partitions, cores))
    return _read(spark, source, input_dir / SOURCE_PATHS[source])


def read_sources(
    spark: SparkSession, input_dir: Path | DatabaseUrl, partitions: int | None = None
) -> dict[str, DataFrame]:
    """Every source in `SOURCES` (`read_source`).

    The run checked the files or tables first (`run_control.plan_run`), before Spark started.
    """
    return {source: read_source(spark, input_dir, source, partitions) for source in SOURCES}
