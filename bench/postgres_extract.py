"""PostgreSQL extract benchmark (`make bench-postgres`): the orders of N customers (1M by
default) read by the pipeline's own extract (`extract.read_source`) from their Parquet export and
from a PostgreSQL table holding the same rows, in one SparkSession started as `c360 pipeline`
starts it (default master, driver memory sized from the machine, the JDBC driver jar from the
settings, the partitions the pipeline reads the table in by default).

The server is a throw-away one from the machine's packages (`c360_mock_data.local_postgres`,
loopback only); the table is loaded with `c360_mock_data.database.load_exports`, the code behind
`c360 generate --out postgresql://`. A read is timed to its end by Spark's `noop` sink, which
pulls every row and column and writes nothing. The two reads alternate, so drift in the
machine's speed falls on both; after one untimed pair that warms the JVM up, the median of
`--repeat` pairs is reported.

Not a test: run by hand. `python -m bench.postgres_extract --customers 1000000 --repeat 3`.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from pyspark.sql import DataFrame

from bench.pipeline import generate
from bench.report import WORK, machine, median, write_section
from c360_contract.database import DatabaseUrl
from c360_mock_data.database import load_exports
from c360_mock_data.local_postgres import create_database, local_postgres
from c360_spark_processing.cli import spark_session
from c360_spark_processing.database import driver_conf
from c360_spark_processing.extract import jdbc_partitions, read_source
from c360_spark_processing.resources import driver_memory
from c360_spark_processing.settings import PipelineSettings

SOURCE = "orders"
TARGET_RATIO = 2.0


def _timed_read(frame: DataFrame) -> float:
    started = time.perf_counter()
    frame.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - started


def _render(
    customers: int,
    rows: int,
    load_seconds: float,
    load_average: tuple[float, float, float],
    partitions: int,
    parquet: list[float],
    database: list[float],
) -> str:
    ratio = median(database) / median(parquet)
    verdict = "met" if ratio <= TARGET_RATIO else "**not met**"
    return "\n".join(
        [
            "## PostgreSQL extract (`make bench-postgres`)",
            "",
            f"Machine: {machine()}; load average at the start "
            f"{' '.join(f'{x:.2f}' for x in load_average)}. The `{SOURCE}` of "
            f"{customers:,} customers ({rows:,} rows) read by the pipeline's extract from the "
            f"Parquet export and from PostgreSQL 15 (JDBC, {partitions} partitions "
            f"split on the id's hash, fetch size 10,000), every row and column pulled (Spark's "
            f"`noop` sink); the two alternate, median of {len(parquet)} pairs. Loading the table "
            f"(COPY from Python, not timed as extract) took {load_seconds:.0f} s.",
            "",
            "| read | median s | runs s | rows/s |",
            "|---|---:|---|---:|",
            *[
                f"| {name} | {median(runs):.1f} | {', '.join(f'{r:.1f}' for r in runs)} | "
                f"{rows / median(runs):,.0f} |"
                for name, runs in (("Parquet export", parquet), ("PostgreSQL table", database))
            ],
            "",
            f"PostgreSQL / Parquet: **{ratio:.2f}x** (target ≤ {TARGET_RATIO:.0f}x: {verdict}).",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    load_average = os.getloadavg()
    WORK.mkdir(parents=True, exist_ok=True)
    data, _ = generate(args.customers, args.seed)
    settings = PipelineSettings()
    with local_postgres() as server:
        url = DatabaseUrl.parse(create_database(server, "c360_bench"))
        started = time.perf_counter()
        rows = load_exports(data, url, sources=(SOURCE,))[SOURCE]
        load_seconds = time.perf_counter() - started
        print(json.dumps({"loaded_rows": rows, "seconds": round(load_seconds, 1)}), flush=True)
        memory = driver_memory(None, settings, True)
        jar = driver_conf(settings.jdbc_driver_jar)
        parquet: list[float] = []
        database: list[float] = []
        with spark_session("local[*]", memory, jar) as spark:
            inputs: tuple[tuple[Path | DatabaseUrl, list[float]], ...] = (
                (data, parquet),
                (url, database),
            )
            partitions = jdbc_partitions(
                settings.jdbc_partitions, spark.sparkContext.defaultParallelism
            )
            for round_ in range(args.repeat + 1):
                for source_input, runs in inputs:
                    frame = read_source(spark, source_input, SOURCE, partitions)
                    seconds = _timed_read(frame)
                    if round_:  # the first pair only warms the JVM up
                        runs.append(seconds)
                if round_:
                    print(json.dumps({"parquet": parquet, "postgresql": database}), flush=True)
    write_section(
        "postgres_extract",
        _render(
            args.customers,
            rows,
            load_seconds,
            load_average,
            partitions,
            parquet,
            database,
        ),
    )


if __name__ == "__main__":
    main()
