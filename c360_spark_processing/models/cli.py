"""`c360 models clv`: the pipeline's BG/NBD + Gamma-Gamma code on any transaction file.

The file and its named columns are checked before Spark starts: a wrong file exits 2 with a
message naming the missing column, and nothing is written. Exit 0 when both models converged,
1 when the report (still written) says a fit failed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from c360_contract.progress import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from c360_spark_processing.cli import _master, spark_session
from c360_spark_processing.models.summary import TIME_UNIT_DAYS
from c360_spark_processing.models.transactions_file import (
    TransactionFileError,
    TransactionSource,
    inspect_source,
)
from c360_spark_processing.resources import driver_memory
from c360_spark_processing.settings import PipelineSettings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def add_arguments(parser: argparse.ArgumentParser) -> None:
    models = parser.add_subparsers(dest="model", required=True, metavar="{clv}")
    clv = models.add_parser(
        "clv",
        help="Fit BG/NBD + Gamma-Gamma on a transaction file.",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    clv.add_argument("--transactions", required=True, type=Path, help="CSV (header) or Parquet.")
    clv.add_argument("--customer-col", default="customer_id", help="Customer id column.")
    clv.add_argument("--date-col", default="date", help="Purchase date or timestamp column.")
    clv.add_argument("--amount-col", default="amount", help="Purchase amount column.")
    clv.add_argument(
        "--date-format",
        default=None,
        help="Spark datetime pattern of the date column, e.g. yyyyMMdd. Default: ISO dates or "
        "timestamps (and Parquet date/timestamp columns as they are).",
    )
    clv.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="End of the observation (YYYY-MM-DD); later transactions are ignored. "
        "Default: the latest purchase date.",
    )
    clv.add_argument("--time-unit", choices=sorted(TIME_UNIT_DAYS), default="day")
    clv.add_argument("--out", required=True, type=Path, help="The report (JSON).")
    clv.add_argument("--scores", type=Path, default=None, help="Per-customer scores (Parquet).")
    clv.add_argument(
        "--master", default=None, help="Spark master URL, as for `c360 pipeline` (local[*])."
    )


def run(args: argparse.Namespace) -> int:
    try:
        source = inspect_source(
            args.transactions, args.customer_col, args.date_col, args.amount_col, args.date_format
        )
        for target in (args.out, args.scores):
            if target is not None and not target.parent.is_dir():
                raise TransactionFileError(f"output directory {target.parent} does not exist")
    except TransactionFileError as exc:
        print(f"c360 models clv: {exc}", file=sys.stderr)
        return EXIT_USAGE
    settings = PipelineSettings()
    master = _master(args.master)
    local = master is not None and master.startswith("local")
    with spark_session(master, driver_memory(None, settings, local)) as spark:
        report = clv_report(
            spark,
            source,
            args.as_of,
            args.time_unit,
            settings.clv_annual_discount_rate,
            args.scores,
        )
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["bgnbd"] | {"problem": report["problem"]}))
    return EXIT_OK if report["problem"] is None else EXIT_FAILED


def clv_report(
    spark: SparkSession,
    source: TransactionSource,
    as_of: date | None,
    time_unit: str,
    annual_discount_rate: float,
    scores_path: Path | None = None,
) -> dict[str, Any]:
    """Summarise, fit and (optionally) score the file; the JSON report as a dict."""
    from pyspark.sql import functions as F

    from c360_spark_processing.models.clv import clv_scores, fit_clv
    from c360_spark_processing.models.summary import purchase_days, rfm_summary
    from c360_spark_processing.models.transactions_file import read_transactions

    transactions = read_transactions(spark, source)
    valid = F.col("customer_id").isNotNull() & F.col("purchase_date").isNotNull()
    valid = valid & F.col("amount").isNotNull()
    counts = transactions.agg(
        F.count("*").alias("rows"),
        F.count_if(~valid).alias("invalid"),
        F.max(F.when(valid, F.col("purchase_date"))).alias("latest"),
    ).first()
    assert counts is not None
    as_of = as_of or counts["latest"]
    if as_of is None:
        raise TransactionFileError(f"{source.path} holds no parseable transaction")
    usable = transactions.filter(valid)
    after = usable.filter(F.col("purchase_date") > F.lit(as_of)).count()
    summary = rfm_summary(purchase_days(usable, as_of), as_of, time_unit).cache()
    model = fit_clv(summary, time_unit)
    if scores_path is not None:
        scored = summary.join(clv_scores(summary, model, annual_discount_rate), "customer_id")
        _write_single_parquet(
            scored.withColumnRenamed("model_clv_12m", "predicted_clv_12m"), scores_path
        )
    report = {
        "transactions": str(source.path.resolve()),
        "columns": {
            "customer": source.customer_col,
            "date": source.date_col,
            "amount": source.amount_col,
            "date_format": source.date_format,
        },
        "as_of": as_of.isoformat(),
        "rows": {
            "read": counts["rows"],
            "unparseable": counts["invalid"],
            "after_as_of": after,
            "used": counts["rows"] - counts["invalid"] - after,
        },
        "customers": model.bgnbd.customers if model.bgnbd else summary.count(),
        "annual_discount_rate": annual_discount_rate,
        **model.summary(),
    }
    summary.unpersist()
    return report


def _write_single_parquet(frame: DataFrame, path: Path) -> None:
    """One Parquet file at `path`: Spark writes a directory, whose one part file is moved there."""
    staging = path.with_name(f".{path.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    frame.coalesce(1).write.parquet(str(staging))
    (part,) = staging.glob("part-*.parquet")
    part.replace(path)
    shutil.rmtree(staging)
