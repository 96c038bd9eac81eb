"""`c360 pipeline`: run the pipeline locally (`--master local[*]`) or under spark-submit on a cluster.

Everything that can answer without Spark does so before PySpark is imported: a missing input
directory (exit 2), a locked warehouse (exit 3), an unchanged input (skipped, exit 0) and a missing
or truncated export (exit 4) cost about a second, not a JVM start. Exit codes are in
`c360_contract.progress`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from c360_contract.database import DatabaseUrl, is_database_url
from c360_contract.logs import configure_json_logging
from c360_contract.progress import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    PIPELINE_FAILED,
)
from c360_contract.warehouse import WarehouseLockedError, warehouse_lock
from c360_spark_processing.database import driver_conf
from c360_spark_processing.inputs import InputRejectedError
from c360_spark_processing.run_control import RunPlan, plan_run

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = structlog.get_logger("c360.pipeline")

LOG_FORMATS = ("auto", "json", "console")


def _input(value: str) -> Path | DatabaseUrl:
    return DatabaseUrl.parse(value) if is_database_url(value) else Path(value)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input",
        required=True,
        type=_input,
        help="Directory of source exports, or a postgresql://user[:password]@host[:port]/db "
        "URL of a database holding them (c360 generate --out URL).",
    )
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
        "--accept-shrink",
        action="store_true",
        help="Publish even when a source loads fewer rows than min_rows_loaded_ratio of the "
        "current snapshot's (the other publish gates still apply).",
    )
    parser.add_argument(
        "--driver-memory",
        default=None,
        help="spark.driver.memory, e.g. 8g. Default: C360_PIPELINE_DRIVER_MEMORY, else sized "
        "from the machine's RAM in local mode (README, 'Memory').",
    )
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default="auto",
        help="console: a progress bar of the stages; json: one JSON object per line. "
        "auto: console on a terminal, else json.",
    )
    parser.add_argument("--log-level", default="INFO")


def _master(requested: str | None) -> str | None:
    """spark-submit starts the JVM first and passes its gateway port; then it owns the master."""
    if requested is not None:
        return requested
    return None if "PYSPARK_GATEWAY_PORT" in os.environ else "local[*]"


def configure_output(log_format: str, level: str) -> None:
    """JSON lines, or the terminal progress display fed by the very same events."""
    console = log_format == "console" or (log_format == "auto" and sys.stderr.isatty())
    if console:
        from c360_spark_processing.console import configure_console_logging

        configure_console_logging(level)
    else:
        configure_json_logging(level)


@contextmanager
def spark_session(
    master: str | None, memory: str | None, extra_conf: dict[str, str] | None = None
) -> Iterator[SparkSession]:
    """The run's SparkSession, stopped at the end; the only place the CLI starts Spark."""
    from c360_spark_processing.spark import start_spark

    spark = start_spark(
        app_name="c360-pipeline", master=master, driver_memory=memory, extra_conf=extra_conf
    )
    try:
        yield spark
    finally:
        spark.stop()


def _build(args: argparse.Namespace, plan: RunPlan) -> None:
    # Imported here so every answer that needs no Spark (an unchanged input's skip above all)
    # never pays for importing PySpark, pydantic-settings or psutil.
    from c360_spark_processing.pipeline import build_snapshot
    from c360_spark_processing.resources import driver_memory
    from c360_spark_processing.settings import PipelineSettings

    settings = PipelineSettings()

    master = _master(args.master)
    local = master is not None and master.startswith("local")
    memory = driver_memory(args.driver_memory, settings, local)
    jdbc = driver_conf(settings.jdbc_driver_jar) if isinstance(plan.input_dir, DatabaseUrl) else {}
    with spark_session(master, memory, jdbc) as spark:
        build_snapshot(spark, plan, settings, as_of=args.as_of, accept_shrink=args.accept_shrink)


def run(args: argparse.Namespace) -> int:
    configure_output(args.log_format, args.log_level)
    if isinstance(args.input, Path) and not args.input.is_dir():
        log.error(PIPELINE_FAILED, error=f"input directory not found: {args.input}")
        return EXIT_USAGE
    try:
        with warehouse_lock(args.warehouse):
            plan = plan_run(args.input, args.warehouse, args.force)
            if isinstance(plan, RunPlan):
                _build(args, plan)
    except WarehouseLockedError as exc:
        log.error(PIPELINE_FAILED, error=str(exc))
        return EXIT_LOCKED
    except InputRejectedError:
        return EXIT_REJECTED  # the pipeline logged pipeline_rejected with the gates and figures
    except Exception as exc:
        log.error(PIPELINE_FAILED, error=f"{type(exc).__name__}: {exc}", exc_info=True)
        return EXIT_FAILED
    return EXIT_OK


def main() -> int:
    parser = argparse.ArgumentParser(prog="c360-pipeline", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args())
