"""`c360 pipeline`: run the pipeline locally (`--master local[*]`) or under spark-submit on a cluster."""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

import structlog

from c360_contract.logs import configure_json_logging
from c360_contract.progress import PIPELINE_FAILED

log = structlog.get_logger("c360.pipeline")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, type=Path, help="Directory of source exports.")
    parser.add_argument(
        "--warehouse", required=True, type=Path, help="Warehouse directory (snapshots)."
    )
    parser.add_argument(
        "--master",
        default=None,
        help="Spark master URL. Default: the one spark-submit provides, else local[*].",
    )
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="End of the observation window (YYYY-MM-DD). Default: the day of the latest loaded order.",
    )
    parser.add_argument(
        "--force", action="store_true", help="Rebuild even if the input is unchanged."
    )
    parser.add_argument(
        "--driver-memory", default=None, help="spark.driver.memory, e.g. 4g (local runs)."
    )
    parser.add_argument("--log-level", default="INFO")


def _master(requested: str | None) -> str | None:
    """spark-submit starts the JVM first and passes its gateway port; then it owns the master."""
    if requested is not None:
        return requested
    return None if "PYSPARK_GATEWAY_PORT" in os.environ else "local[*]"


def run(args: argparse.Namespace) -> int:
    configure_json_logging(args.log_level)
    if not args.input.is_dir():
        # Checked before Spark starts, so a typo costs nothing and says what is wrong.
        log.error(PIPELINE_FAILED, error=f"input directory not found: {args.input}")
        return 2
    # Imported here so `c360 --help` and argument errors never pay for starting PySpark.
    from c360_spark_processing.pipeline import run_pipeline
    from c360_spark_processing.settings import PipelineSettings
    from c360_spark_processing.spark import start_spark

    try:
        settings = PipelineSettings()
        spark = start_spark(
            app_name="c360-pipeline", master=_master(args.master), driver_memory=args.driver_memory
        )
        try:
            run_pipeline(
                spark, args.input, args.warehouse, settings, as_of=args.as_of, force=args.force
            )
        finally:
            spark.stop()
    except Exception as exc:
        log.error(PIPELINE_FAILED, error=f"{type(exc).__name__}: {exc}", exc_info=True)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="c360-pipeline", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args())
