"""Reading and judging an uploaded transaction file: every row loads or is quarantined with one
reason, the first rule it fails (`c360_contract.uploads.QUARANTINE_REASONS`, in that order).

The file is read with an explicit all-string schema of its own header (never inferred), one
positional column per header field, so odd or repeated header names cannot clash. Pure Column
rules; the caller materialises the validated frame once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from c360_contract.uploads import (
    DUPLICATE_ROW,
    ENCODINGS,
    INVALID_AMOUNT,
    INVALID_DATE,
    INVALID_QUANTITY,
    INVOICE_OF_ANOTHER_CUSTOMER,
    MISSING_CUSTOMER_ID,
    MISSING_INVOICE_ID,
    SCHEMA_MISMATCH,
    UNCATEGORISED,
    UPLOAD_FILE,
    UploadSpec,
)
from c360_spark_processing.normalize import clean_string
from c360_spark_processing.schemas import CORRUPT_RECORD

REASON = "reason"
LOADED_COLUMNS: tuple[str, ...] = (
    "line_id",
    "customer_id",
    "invoice_id",
    "order_ts",
    "order_date",
    "amount",
    "quantity",
    "product_id",
    "category",
)


def raw_column(index: int) -> str:
    """The name of the file's `index`-th column (0-based) in Spark and in the quarantine table."""
    return f"c{index}"


def raw_schema(spec: UploadSpec) -> StructType:
    fields = [StructField(raw_column(i), StringType()) for i in range(len(spec.columns))]
    return StructType([*fields, StructField(CORRUPT_RECORD, StringType())])


def read_upload(spark: SparkSession, job_dir: Path, spec: UploadSpec) -> DataFrame:
    """The uploaded CSV, all strings, one column per header field plus `_corrupt_record` (a line
    with more or fewer fields than the header)."""
    return (
        spark.read.schema(raw_schema(spec))
        .options(
            header=spec.has_header,
            sep=spec.delimiter,
            encoding=ENCODINGS[spec.encoding],
            quote='"',
            escape='"',
            enforceSchema=True,
            mode="PERMISSIVE",
            columnNameOfCorruptRecord=CORRUPT_RECORD,
        )
        .csv(str(job_dir / UPLOAD_FILE))
    )


def _field(spec: UploadSpec, target: str) -> Column | None:
    """The trimmed text of the column mapped to `target` (empty is null), None when unmapped."""
    column = spec.mapping.get(target)
    if column is None:
        return None
    return clean_string(F.col(raw_column(spec.columns.index(column))))


def parse_amount(text: Column, decimal_separator: str) -> Column:
    """A signed decimal written with `decimal_separator` and no thousands separator; null when
    the text is not one (a plain cast would also take "NaN", "Infinity" or "1e3")."""
    sep = "[.]" if decimal_separator == "." else ","
    plain = F.regexp_replace(text, ",", ".") if decimal_separator == "," else text
    return F.when(text.rlike(rf"^[+-]?[0-9]+({sep}[0-9]+)?$"), plain.try_cast("double"))


def parse_quantity(text: Column) -> Column:
    """A non-zero whole number (negative for returned units); null otherwise."""
    value = F.when(text.rlike(r"^[+-]?[0-9]{1,9}$"), text.try_cast("int"))
    return F.when(value != 0, value)


def parse_timestamp(text: Column, spark_pattern: str) -> Column:
    return F.try_to_timestamp(text, F.lit(spark_pattern))


@dataclass(frozen=True)
class ParsedColumns:
    customer_id: Column
    invoice_id: Column
    order_ts: Column
    amount: Column
    quantity: Column | None
    product: Column | None
    category: Column | None


def _required(spec: UploadSpec, target: str) -> Column:
    column = _field(spec, target)
    if column is None:
        raise ValueError(f"the mapping names no column for {target}")
    return column


def parsed_columns(spec: UploadSpec) -> ParsedColumns:
    quantity = _field(spec, "quantity")
    return ParsedColumns(
        customer_id=_required(spec, "customer_id"),
        invoice_id=_required(spec, "invoice_id"),
        order_ts=parse_timestamp(_required(spec, "invoice_date"), spec.spark_date_pattern),
        amount=parse_amount(_required(spec, "amount"), spec.decimal_separator),
        quantity=None if quantity is None else parse_quantity(quantity),
        product=_field(spec, "product"),
        category=_field(spec, "category"),
    )


def validate_upload(raw: DataFrame, spec: UploadSpec) -> DataFrame:
    """One row per raw row: the raw columns, the parsed ones and `reason` (null when it loads)."""
    raw_names = raw.columns
    p = parsed_columns(spec)
    work = raw.select(
        *raw_names,
        p.customer_id.alias("customer_id"),
        p.invoice_id.alias("invoice_id"),
        p.order_ts.alias("order_ts"),
        p.amount.alias("amount"),
        (p.quantity if p.quantity is not None else F.lit(1)).alias("quantity"),
        (p.product if p.product is not None else F.lit(None).cast("string")).alias("product_id"),
        (
            F.lit(UNCATEGORISED)
            if p.category is None
            else F.coalesce(p.category, F.lit(UNCATEGORISED))
        ).alias("category"),
    )
    broken = F.col(CORRUPT_RECORD).isNotNull()
    copies = Window.partitionBy(*raw_names).orderBy(F.lit(1))
    work = work.withColumn("_copy", F.row_number().over(copies))
    reason = (
        F.when(broken, F.lit(SCHEMA_MISMATCH))
        .when(F.col("_copy") > 1, F.lit(DUPLICATE_ROW))
        .when(F.col("customer_id").isNull(), F.lit(MISSING_CUSTOMER_ID))
        .when(F.col("invoice_id").isNull(), F.lit(MISSING_INVOICE_ID))
        .when(F.col("order_ts").isNull(), F.lit(INVALID_DATE))
        .when(F.col("amount").isNull(), F.lit(INVALID_AMOUNT))
    )
    if p.quantity is not None:
        reason = reason.when(F.col("quantity").isNull(), F.lit(INVALID_QUANTITY))
    work = work.withColumn(REASON, reason)
    # An invoice belongs to one customer: the smallest id among its otherwise valid rows.
    owner = F.min(F.when(F.col(REASON).isNull(), F.col("customer_id"))).over(
        Window.partitionBy("invoice_id")
    )
    return work.withColumn(
        REASON,
        F.when(
            F.col(REASON).isNull() & (F.col("customer_id") != owner),
            F.lit(INVOICE_OF_ANOTHER_CUSTOMER),
        ).otherwise(F.col(REASON)),
    ).drop("_copy")


def _row_key(raw_names: list[str]) -> Column:
    """A stable id of a row from its raw values (exact copies were quarantined, so kept rows
    differ in at least one value)."""
    values = [F.coalesce(F.col(c), F.lit("\u0002")) for c in raw_names]
    return F.substring(F.sha2(F.concat_ws("\u0001", *values), 256), 1, 24)


def loaded_rows(validated: DataFrame, raw_names: list[str]) -> DataFrame:
    """The rows that load, typed: LOADED_COLUMNS."""
    return validated.filter(F.col(REASON).isNull()).select(
        _row_key(raw_names).alias("line_id"),
        "customer_id",
        "invoice_id",
        "order_ts",
        F.to_date("order_ts").alias("order_date"),
        "amount",
        F.col("quantity").cast("int").alias("quantity"),
        "product_id",
        "category",
    )


def any_time_of_day() -> Column:
    """An aggregate over loaded rows: whether any invoice has a time other than midnight. A file
    of dates alone (or of dates with a zero time) has none, so charts by hour would mislead."""
    ts = F.col("order_ts")
    return F.coalesce(F.bool_or(ts != F.date_trunc("day", ts)), F.lit(False))


def quarantined_rows(validated: DataFrame, raw_names: list[str]) -> DataFrame:
    """The rows that do not load: their raw text and the reason."""
    return validated.filter(F.col(REASON).isNotNull()).select(*raw_names, REASON)
