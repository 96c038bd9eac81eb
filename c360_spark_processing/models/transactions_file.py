"""Reading any transaction file (CSV or Parquet) for `c360 models clv`.

The named columns are checked from the CSV header or the Parquet footer before Spark starts, so a
wrong file is refused in a second with nothing written. CSV is read with an explicit all-string
schema built from that header (never inferred) and cast: customer ids stay strings, amounts become
doubles and dates are parsed with the given Spark datetime pattern (ISO dates or timestamps when
none is given). Rows whose customer, date or amount do not parse are counted, never silently lost.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

FORMATS: dict[str, str] = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


class TransactionFileError(ValueError):
    """The transaction file is missing, of an unknown format or lacks a named column."""


@dataclass(frozen=True)
class TransactionSource:
    path: Path
    format: str
    columns: tuple[str, ...]
    customer_col: str
    date_col: str
    amount_col: str
    date_format: str | None = None


def _parquet_columns(path: Path) -> tuple[str, ...]:
    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    if not files:
        raise TransactionFileError(f"{path} holds no Parquet file")
    try:
        return tuple(pq.read_schema(files[0]).names)
    except Exception as exc:  # pyarrow raises several types for a damaged footer
        raise TransactionFileError(f"{path} is not readable Parquet: {exc}") from exc


def _csv_columns(path: Path) -> tuple[str, ...]:
    with path.open(newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise TransactionFileError(f"{path} is empty: a CSV needs a header line")
    return tuple(name.strip() for name in header)


def inspect_source(
    path: Path,
    customer_col: str,
    date_col: str,
    amount_col: str,
    date_format: str | None = None,
) -> TransactionSource:
    """Check the file and its named columns without Spark; raise TransactionFileError if wrong."""
    if not path.exists():
        raise TransactionFileError(f"{path} does not exist")
    fmt = "parquet" if path.is_dir() else FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise TransactionFileError(
            f"{path}: unknown format {path.suffix!r}; use {', '.join(sorted(FORMATS))}"
        )
    columns = _parquet_columns(path) if fmt == "parquet" else _csv_columns(path)
    named = {"--customer-col": customer_col, "--date-col": date_col, "--amount-col": amount_col}
    missing = [f"{flag} {name}" for flag, name in named.items() if name not in columns]
    if missing:
        raise TransactionFileError(
            f"{path} has no column {', '.join(missing)}; its columns are {', '.join(columns)}"
        )
    return TransactionSource(path, fmt, columns, customer_col, date_col, amount_col, date_format)


def read_transactions(spark: SparkSession, source: TransactionSource) -> DataFrame:
    """customer_id, purchase_date (date), amount (double); null where a value did not parse."""
    if source.format == "csv":
        schema = StructType([StructField(c, StringType()) for c in source.columns])
        raw = spark.read.csv(str(source.path), header=True, schema=schema, mode="PERMISSIVE")
    else:
        raw = spark.read.parquet(str(source.path))
    return raw.select(
        F.col(source.customer_col).cast("string").alias("customer_id"),
        F.try_to_date(F.col(source.date_col), source.date_format).alias("purchase_date"),
        F.col(source.amount_col).try_cast("double").alias("amount"),
    )
