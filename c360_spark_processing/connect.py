"""Spark Connect without importing PySpark: the session settings a client sets, and the command
that runs a server from the pyspark package's own `spark-submit` and server jar.

`c360 serve` supervises such a server for upload jobs; to run one separately (README, "Uploads"):
`$(python -c "from c360_spark_processing.connect import connect_server_argv as a; print(' '.join(a(15002)))")`.
"""

from __future__ import annotations

import importlib.util
import os

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"

# What a client session sets on a Spark Connect server (session-scoped, runtime settings only;
# the server's own start command sets the rest, see `connect_server_argv`).
SESSION_CONF: dict[str, str] = {
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.adaptive.coalescePartitions.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    # A shuffled join becomes a hash join when every partition of one side is under this size.
    # A sort-merge join sorts both sides on string ids whose 8-byte sort prefixes mostly tie
    # ("ORD-0000"), so comparisons read whole rows: at 1M customers the identity rounds and the
    # profile's joins ran 42 s faster (docs/benchmarks.md, "Where a 1M run's CPU goes").
    "spark.sql.adaptive.maxShuffledHashJoinLocalMapThreshold": "64MB",
}


def connect_server_argv(
    port: int, master: str = "local[2]", driver_memory: str = "4g", host: str = "127.0.0.1"
) -> list[str]:
    """The command running a Spark Connect server in the foreground, from the pyspark package's
    own `spark-submit` and server jar, bound to `host` (loopback by default).

    `spark-submit` rather than `sbin/start-connect-server.sh --wait`: it execs the JVM, so the
    process started is the JVM itself and a death signal set on it (the API's, when the API
    dies) reaches the JVM, where the start script would run it as a child and die alone."""
    spec = importlib.util.find_spec("pyspark")  # located, not imported: the API never loads it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pyspark is not installed")
    home = next(iter(spec.submodule_search_locations))
    conf = {
        **SESSION_CONF,
        "spark.connect.grpc.binding.address": host,
        "spark.connect.grpc.binding.port": str(port),
        "spark.driver.host": host,
        "spark.driver.bindAddress": host,
        "spark.driver.memory": driver_memory,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
        "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
    }
    argv = [
        os.path.join(home, "bin", "spark-submit"),
        "--class",
        SERVER_CLASS,
        "--name",
        "c360-spark-connect",
        "--master",
        master,
    ]
    for key, value in conf.items():
        argv += ["--conf", f"{key}={value}"]
    return argv
