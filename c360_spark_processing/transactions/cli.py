"""`c360 upload-job`: process one upload (a job directory the API wrote) into its workspace.

Runs as a Spark Connect client (`--remote sc://127.0.0.1:15002`): the JVM is the long-lived
server's, so the job pays no JVM start. `--master local[2]` starts a Spark of its own instead (no
server needed, a JVM start per job). Progress and the outcome are JSON lines on stderr
(`c360_contract.progress`), which the API's upload jobs parse; exit codes are the pipeline's.

Started with `-` (`STANDBY`) for the job directory, warehouse and server, the process imports
everything first and then waits for its `JobOrder` on stdin: the API keeps one such standby
beside the Spark Connect server, so an upload does not wait for a Python process's imports.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import threading
from pathlib import Path

import structlog

from c360_contract.logs import configure_json_logging
from c360_contract.progress import EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE, PIPELINE_FAILED
from c360_contract.uploads import SPEC_FILE, STANDBY, UPLOAD_FILE, JobOrder
from c360_contract.warehouse import WarehouseLockedError

log = structlog.get_logger("c360.pipeline")
MODELS_MODULE = "c360_spark_processing.models.stage"
UPLOAD_CONF: dict[str, str] = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}
"""An upload's session evaluates its plans without generated code. A job is ~40 small queries
whose ~400 generated classes are compiled anew every job (Janino, 20-30% of a warm 10k-row job's
time, few reused between jobs); interpreted evaluation costs less than that even at 1M rows
(docs/benchmarks.md, "Uploads without generated code")."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    later = f"; {STANDBY}: read from stdin (a standby process)"
    parser.add_argument(
        "--job-dir", required=True, type=Path, help=f"The upload's job directory{later}."
    )
    parser.add_argument(
        "--warehouse", required=True, type=Path, help=f"Its workspace warehouse{later}."
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--remote", help=f"Spark Connect server, e.g. sc://127.0.0.1:15002{later}.")
    where.add_argument("--master", help="Start a local Spark instead, e.g. local[2].")
    parser.add_argument("--log-level", default="INFO")


def _wait_for_order(args: argparse.Namespace) -> bool:
    """A standby's wait: everything the job needs imported, then its order read from stdin into
    `args`. False when stdin closes without one (the API stopped or replaced the standby)."""
    importlib.import_module(MODELS_MODULE)
    importlib.import_module("c360_spark_processing.transactions.pipeline")
    importlib.import_module("pyspark.sql.connect.session")
    order = JobOrder.parse(sys.stdin.readline())
    if order is None:
        return False
    args.job_dir, args.warehouse, args.remote = order.job_dir, order.warehouse, order.remote
    return True


def run(args: argparse.Namespace) -> int:
    configure_json_logging(args.log_level)
    if str(args.job_dir) == STANDBY and not _wait_for_order(args):
        return EXIT_OK
    missing = [n for n in (UPLOAD_FILE, SPEC_FILE) if not (args.job_dir / n).is_file()]
    if missing:
        log.error(PIPELINE_FAILED, error=f"{args.job_dir} lacks {', '.join(missing)}")
        return EXIT_USAGE
    # Imported here: a refused call never pays for importing PySpark.
    from c360_spark_processing.settings import PipelineSettings
    from c360_spark_processing.spark import connect_spark, start_spark
    from c360_spark_processing.transactions.pipeline import run_upload

    # The models stage's scikit-learn and SciPy (seconds of imports on a busy machine) load in a
    # thread while this process waits on the server's session, ingest and facts stages.
    threading.Thread(
        target=importlib.import_module, args=(MODELS_MODULE,), name="models-import", daemon=True
    ).start()
    try:
        if args.remote:
            spark = connect_spark(args.remote, shuffle_partitions=2, extra_conf=UPLOAD_CONF)
        else:
            spark = start_spark(
                app_name="c360-upload",
                master=args.master,
                shuffle_partitions=2,
                extra_conf=UPLOAD_CONF,
            )
        try:
            run_upload(spark, args.job_dir, args.warehouse, PipelineSettings())
        finally:
            if args.master:
                spark.stop()
    except WarehouseLockedError as exc:
        log.error(PIPELINE_FAILED, error=str(exc))
        return EXIT_LOCKED
    except Exception as exc:
        log.error(PIPELINE_FAILED, error=f"{type(exc).__name__}: {exc}")
        return EXIT_FAILED
    return EXIT_OK
