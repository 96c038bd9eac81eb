"""Read the source exports (`docs/data_model.md` §1) with their explicit schemas. Only I/O lives here."""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import DataFrame, DataFrameReader, SparkSession

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


def read_sources(spark: SparkSession, input_dir: Path) -> dict[str, DataFrame]:
    """Every source in `SOURCES`, lazily read with its raw schema from `input_dir`.

    The run checked the files first (`inputs.check_inputs`), before Spark started.
    """
    return {source: _read(spark, source, input_dir / SOURCE_PATHS[source]) for source in SOURCES}
