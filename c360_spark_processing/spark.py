"""The one place a SparkSession is created, for the CLI, spark-submit and the test suite alike."""

from __future__ import annotations

import os
import shutil
import sys

from pyspark.sql import SparkSession

from c360_spark_processing.connect import SESSION_CONF


class JavaMissingError(RuntimeError):
    """Raised before Spark starts when no Java runtime can be found."""


def _check_java() -> None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.path.exists(os.path.join(java_home, "bin", "java")):
        return
    if shutil.which("java") is None:
        raise JavaMissingError(
            "PySpark 4 needs Java 17 or newer and no `java` was found. Install it "
            "(Debian/Ubuntu: `apt-get install -y openjdk-17-jre-headless`) or set JAVA_HOME."
        )


def connect_spark(
    remote: str, shuffle_partitions: int = 8, extra_conf: dict[str, str] | None = None
) -> SparkSession:
    """A Spark Connect client session on `remote` (sc://host:port): no JVM in this process.

    The server (`connect.connect_server_argv`, supervised by the API or run separately) holds the
    one long-lived JVM, so a job pays no JVM start. `extra_conf` holds runtime settings of this
    session only.
    """
    spark = SparkSession.builder.remote(remote).getOrCreate()
    for key, value in {
        **SESSION_CONF,
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        **(extra_conf or {}),
    }.items():
        spark.conf.set(key, value)
    return spark


def start_spark(
    app_name: str = "c360",
    master: str | None = "local[*]",
    shuffle_partitions: int = 8,
    ui_enabled: bool = False,
    driver_memory: str | None = None,
    extra_conf: dict[str, str] | None = None,
) -> SparkSession:
    """Start (or reuse) the SparkSession, bound to loopback when running locally.

    `master=None` leaves the master to spark-submit, so the same code runs on a cluster.
    """
    _check_java()
    local = master is None or master.startswith("local")
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        # Python workers (the models' pandas UDFs) run this interpreter, whose scipy they need,
        # not whichever `python3` comes first on the PATH.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    conf: dict[str, str] = {
        **SESSION_CONF,
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.ui.enabled": str(ui_enabled).lower(),
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
        "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
    }
    if local:
        conf["spark.driver.host"] = "127.0.0.1"
        conf["spark.driver.bindAddress"] = "127.0.0.1"
    if driver_memory:
        conf["spark.driver.memory"] = driver_memory
    conf.update(extra_conf or {})
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark
