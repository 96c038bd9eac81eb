"""Spark Connect without importing PySpark: the session settings a client sets, and the command
that runs a server from the pyspark package's own start script and server jar.

`c360 serve` supervises such a server for upload jobs; to run one separately (README, "Uploads"):
`$(python -c "from c360_spark_processing.connect import connect_server_argv as a; print(' '.join(a(15002)))")`.
"""

from __future__ import annotations

import importlib.util
import os

# What a client session sets on a Spark Connect server (session-scoped, runtime settings only;
# the server's own start command sets the rest, see `connect_server_argv`).
SESSION_CONF: dict[str, str] = {
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.adaptive.coalescePartitions.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}


def connect_server_argv(
    port: int, master: str = "local[2]", driver_memory: str = "4g", host: str = "127.0.0.1"
) -> list[str]:
    """The command running a Spark Connect server in the foreground, from the pyspark package's
    own start script and server jar, bound to `host` (loopback by default)."""
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
    argv = [os.path.join(home, "sbin", "start-connect-server.sh"), "--wait", "--master", master]
    for key, value in conf.items():
        argv += ["--conf", f"{key}={value}"]
    return argv
