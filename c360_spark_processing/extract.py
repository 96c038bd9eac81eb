"""Read the source exports (`docs/data_model.md` §1) with their explicit schemas. Only I/O lives here."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.sql import DataFrame, DataFrameReader, SparkSession

from c360_contract.vocabulary import SOURCES
from c360_spark_processing.run_control import InputRejectedError
from c360_spark_processing.schemas import CORRUPT_RECORD, RAW_SCHEMAS

SOURCE_PATHS: dict[str, str] = {
    "crm_customers": "crm_customers.csv",
    "ecommerce_accounts": "ecommerce_accounts.jsonl",
    "loyalty_members": "loyalty_members.csv",
    "products": "products.csv",
    "orders": "orders.parquet",
    "order_lines": "order_lines.parquet",
    "app_events": "app_events",
    "support_tickets": "support_tickets.csv",
}


class MissingSourceError(FileNotFoundError):
    """Raised when an expected export is absent from the input directory."""


class UnreadableSourceError(InputRejectedError):
    """A source file cannot be read at all (a truncated or corrupt Parquet file)."""


def check_parquet(input_dir: Path, path: Path) -> None:
    """Read the footer of every Parquet file of a source (one file or a directory of parts).

    A truncated file has lost its footer. Spark would only find out in the middle of ingest, with a
    JVM stack trace; this takes milliseconds, before any Spark job, and names the file.
    """
    files = [path] if path.is_file() else sorted(_data_files(path))
    for file in files:
        try:
            pq.read_metadata(file)
        except (OSError, pa.ArrowException) as exc:
            name = file.relative_to(input_dir).as_posix()
            raise UnreadableSourceError(
                f"{name} is not readable Parquet (truncated or corrupt?): {exc}"
            ) from exc


def _data_files(directory: Path) -> list[Path]:
    """The files Spark reads from a directory: not `_SUCCESS`, `_metadata` or hidden ones."""
    return [p for p in directory.rglob("*") if p.is_file() and not p.name.startswith(("_", "."))]


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

    Raises before any Spark job when a file is missing or a Parquet file is unreadable.
    """
    frames: dict[str, DataFrame] = {}
    for source in SOURCES:
        path = input_dir / SOURCE_PATHS[source]
        if not path.exists():
            raise MissingSourceError(f"{source}: {path} not found")
        if path.suffix == ".parquet":
            check_parquet(input_dir, path)
        frames[source] = _read(spark, source, path)
    return frames
