"""Orchestration: extract → ingest (publish gates per source) → identity → facts → profile → marts
→ publish.

Each stage's outputs are written to the staging snapshot and read back, which both times the stage
honestly (Spark is lazy) and cuts the lineage so later stages do not recompute earlier ones. The
run logs one JSON line when each stage starts and finishes; the API's refresh job parses them.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import structlog
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from c360_contract.database import DatabaseUrl
from c360_contract.progress import (
    PIPELINE_FINISHED,
    PIPELINE_STARTED,
    SOURCE_INGESTED,
    STAGE_FINISHED,
    STAGE_STARTED,
    STAGES,
    GateFailure,
)
from c360_contract.warehouse import warehouse_lock
from c360_spark_processing.columns import business_date
from c360_spark_processing.database import database_bytes
from c360_spark_processing.dimensions import dimension_tables
from c360_spark_processing.extract import read_sources
from c360_spark_processing.facts import Facts, build_facts
from c360_spark_processing.forecast import BACKTEST_COLUMNS, DAY_COLUMNS, demand_forecast
from c360_spark_processing.gates import GateError, gates_manifest, source_gates
from c360_spark_processing.golden_record import build_golden_record
from c360_spark_processing.identity import resolve_identities
from c360_spark_processing.ingest import (
    INGEST_ORDER,
    reconcile,
    split_validated,
    validate_source,
)
from c360_spark_processing.marts import build_marts
from c360_spark_processing.profile import build_customer_profile
from c360_spark_processing.publish import (
    PublishError,
    Staging,
    clear_staging,
    input_bytes,
    new_snapshot_id,
    prune_rejected,
    prune_snapshots,
    utc_now,
)
from c360_spark_processing.run_control import RunPlan, RunResult, log_rejection, plan_run
from c360_spark_processing.settings import PipelineSettings, code_version

CUSTOMER_TABLES: tuple[str, ...] = ("fact_orders", "fact_support_tickets", "customer_profile")
OPERATIONS_FACTS: tuple[str, ...] = (
    "fact_order_events",
    "fact_order_fulfilment",
    "fact_service_bookings",
    "fact_product_views",
)
IDENTITY_SOURCES: Mapping[str, str] = {
    "crm": "crm_customers",
    "ecommerce": "ecommerce_accounts",
    "loyalty": "loyalty_members",
    "support": "support_tickets",
}

WORK_PARQUET_OPTIONS: Mapping[str, str] = {
    "parquet.enable.dictionary": "false",
    "parquet.column.statistics.enabled": "false",
    "parquet.size.statistics.enabled": "false",
}
"""How intermediates (under the staging `_work/`) are written: the run reads each back in full,
so dictionaries and min/max statistics, which serve a reader skipping rows, cost 17-28% of a
write at 1M customers and save the run little (docs/benchmarks.md). Tables keep Parquet's
defaults: the API reads them, and skips row groups by their statistics."""

log = structlog.get_logger("c360.pipeline")


class EmptyInputError(ValueError):
    """The input holds no loaded orders, so there is no as-of date and nothing to score."""


@dataclass
class _Run:
    """Mutable bookkeeping of one run: what the manifest will say."""

    spark: SparkSession
    staging: Staging
    plan: RunPlan
    settings: PipelineSettings
    accept_shrink: bool
    started: datetime
    clock: Callable[[], datetime]
    stage_names: tuple[str, ...] = STAGES
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    stages: dict[str, dict[str, float | int]] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    intermediates: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[dict[str, int]]:
        index = self.stage_names.index(name) + 1
        count = len(self.stage_names)
        log.info(STAGE_STARTED, stage=name, stage_index=index, stage_count=count)
        started = time.perf_counter()
        rows: dict[str, int] = {"rows_in": 0, "rows_out": 0}
        yield rows
        seconds = round(time.perf_counter() - started, 3)
        self.stages[name] = {"seconds": seconds, **rows}
        log.info(
            STAGE_FINISHED,
            stage=name,
            stage_index=index,
            stage_count=count,
            seconds=seconds,
            **rows,
        )

    def write(
        self, df: DataFrame, path: Path, sort_by: str | None = None, files: int | None = None
    ) -> DataFrame:
        """Write Parquet and read it back; the count comes from Parquet footers, not a recompute.

        The seconds of each intermediate (a path under the staging work directory) go into the
        manifest: a stage's time is mostly its intermediates, which no table entry shows."""
        started = time.perf_counter()
        out = df
        if sort_by is not None and files == 1:
            # One sorted file: range partitioning would only add a sampling job over `df`.
            out = out.repartition(1).sortWithinPartitions(sort_by)
        elif sort_by is not None:
            # Range partitioning + sorted files give DuckDB tight row-group min/max for id lookups.
            out = out.repartitionByRange(sort_by).sortWithinPartitions(sort_by)
        elif files is not None:
            out = out.coalesce(files)
        work = self.staging.work_path("")
        intermediate = path.is_relative_to(work)
        out.write.options(**(WORK_PARQUET_OPTIONS if intermediate else {})).mode(
            "overwrite"
        ).parquet(str(path))
        if intermediate:
            self.intermediates[str(path.relative_to(work))] = round(
                time.perf_counter() - started, 3
            )
        return self.spark.read.parquet(str(path))

    def table(
        self, name: str, df: DataFrame, sort_by: str | None = None, files: int | None = None
    ) -> DataFrame:
        started = time.perf_counter()
        path = self.staging.table_path(name)
        written = self.write(df, path, sort_by=sort_by, files=files)
        rows, columns = parquet_footers(path)
        self.tables[name] = {
            "rows": rows,
            "columns": columns,
            "seconds": round(time.perf_counter() - started, 3),
        }
        return written

    def manifest(self, as_of: date | None, failures: Sequence[GateFailure] = ()) -> dict[str, Any]:
        """What the run did so far; a published and a rejected run's manifests share it."""
        previous = self.plan.previous
        return {
            "snapshot_id": self.staging.snapshot_id,
            "status": "rejected" if failures else "published",
            "as_of": as_of.isoformat() if as_of else None,
            "started_at": _iso(self.started),
            "finished_at": _iso(self.clock()),
            "input_fingerprint": self.plan.fingerprint,
            "input_dir": _input_name(self.plan.input_dir),
            "code_version": code_version(),
            "master": self.spark.conf.get("spark.master", None),
            "driver_memory": self.spark.conf.get("spark.driver.memory", None),
            "business_timezone": self.settings.business_timezone,
            "sources": self.sources,
            "tables": self.tables,
            "stages": self.stages,
            "intermediates": self.intermediates,
            "gates": gates_manifest(
                self.settings,
                self.accept_shrink,
                None if previous is None else previous["snapshot_id"],
                failures,
            ),
            "settings": self.settings.model_dump(mode="json"),
        }


def parquet_footers(path: Path) -> tuple[int, list[str]]:
    """Rows and column names of a Parquet directory the run just wrote, from its footers on the
    driver. A read-back `count()` and `columns` cost a Spark job and a plan analysis per table
    (each a Spark Connect round trip): over a third of a small upload's Spark queries. Spark
    writes one file with the schema even for an empty table."""
    import pyarrow.parquet as pq  # imported where used, as for the unchanged-input check

    files = sorted(path.glob("*.parquet"))
    if not files:
        raise PublishError(f"{path} holds no Parquet file")
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    return rows, pq.read_schema(files[0]).names


def _input_name(input_dir: Path | DatabaseUrl) -> str:
    """The input as the manifest names it: the absolute directory, or the URL without password."""
    return input_dir.redacted if isinstance(input_dir, DatabaseUrl) else str(input_dir.resolve())


def _input_bytes(input_dir: Path | DatabaseUrl) -> int:
    return (
        database_bytes(input_dir) if isinstance(input_dir, DatabaseUrl) else input_bytes(input_dir)
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def size_shuffle_partitions(total_bytes: int, settings: PipelineSettings) -> int:
    """One shuffle partition per `bytes_per_shuffle_partition` of input, within the configured bounds."""
    wanted = -(-total_bytes // settings.bytes_per_shuffle_partition)
    return max(settings.min_shuffle_partitions, min(settings.max_shuffle_partitions, wanted))


def default_as_of(orders: DataFrame, settings: PipelineSettings) -> date:
    """The business day of the latest loaded order: the end of the observation window when none
    is given."""
    day = business_date(F.col("order_ts"), settings.business_timezone)
    latest = orders.agg(F.max(day).alias("d")).first()
    if latest is None or latest["d"] is None:
        raise EmptyInputError("no loaded orders: pass --as-of or check the input")
    value: date = latest["d"]
    return value


def _ingest(run: _Run, raw: Mapping[str, DataFrame]) -> dict[str, DataFrame]:
    """Validate each source in one pass written to Parquet, then decide its publish gates.

    The validated frame has exactly one row per raw row, so its Parquet footer count is the rows
    read; loaded rows and warnings are projections of it, and only the quarantine is written
    again (it is published). One heavy job per source instead of one per output. A source that
    fails a gate stops the run there: nothing after it is computed for a refused input.
    """
    loaded: dict[str, DataFrame] = {}
    previous = run.plan.previous_sources
    for source in INGEST_ORDER:
        started = time.perf_counter()
        validated = run.write(
            validate_source(source, raw[source], loaded),
            run.staging.work_path(f"validated/{source}"),
        )
        result = split_validated(source, validated, raw[source].columns, loaded)
        result = dataclasses.replace(
            result,
            quarantine=run.write(result.quarantine, run.staging.quarantine_path(source), files=1),
        )
        counts = run.sources[source] = {
            **reconcile(validated, result).to_dict(),
            "seconds": round(time.perf_counter() - started, 3),
        }
        log.info(
            SOURCE_INGESTED,
            source=source,
            **{k: counts[k] for k in ("rows_read", "rows_loaded", "rows_quarantined", "seconds")},
        )
        failures = source_gates(
            source, counts, previous.get(source), run.settings, run.accept_shrink
        )
        if failures:
            raise GateError(failures)
        loaded[source] = result.loaded
    return loaded


def _facts(run: _Run, facts: Facts) -> Facts:
    per_customer = {
        f.name: run.write(getattr(facts, f.name), run.staging.work_path(f.name))
        for f in dataclasses.fields(facts)
        if f.name.startswith("customer_")
    }
    published = {
        "fact_orders": run.table("fact_orders", facts.fact_orders, sort_by="customer_id"),
        "fact_order_lines": run.table("fact_order_lines", facts.fact_order_lines),
        "fact_support_tickets": run.table(
            "fact_support_tickets", facts.fact_support_tickets, sort_by="customer_id"
        ),
        "fact_sessions": run.table("fact_sessions", facts.fact_sessions),
        **{
            # A table written as an intermediate (`_materialize_fact`) is already published.
            name: getattr(facts, name)
            if name in run.tables
            else run.table(name, getattr(facts, name))
            for name in OPERATIONS_FACTS
        },
    }
    return Facts(**published, **per_customer, sessions=facts.sessions)


def _materialize_fact(run: _Run, name: str, frame: DataFrame) -> DataFrame:
    """An intermediate of `build_facts`, written once: as the published table when it is named
    for one (its rows as published), else under the work directory."""
    if name in OPERATIONS_FACTS:
        return run.table(name, frame)
    return run.write(frame, run.staging.work_path(name))


def _sessions_manifest(run: _Run, facts: Facts) -> dict[str, int]:
    """Every session up to as-of, and how many fact_sessions leaves out for want of a
    session_start event, so none disappears unaccounted."""
    sessions = facts.sessions.count()
    published = int(run.tables["fact_sessions"]["rows"])
    return {
        "sessions": sessions,
        "fact_sessions": published,
        "without_session_start": sessions - published,
    }


def _forecast(run: _Run, facts: Facts, as_of: date) -> list[dict[str, Any]]:
    """Publish the demand forecast (one row per series and day ahead) and its backtest (one row
    per series); the backtest also goes into the manifest."""
    rows = run.write(
        demand_forecast(facts.fact_order_lines, as_of, run.settings),
        run.staging.work_path("demand_forecast"),
    )
    run.table("demand_forecast", rows.select(*DAY_COLUMNS), files=1)
    backtest = run.table(
        "demand_forecast_backtest", rows.select(*BACKTEST_COLUMNS).distinct(), files=1
    )
    return [r.asDict() for r in backtest.orderBy("category", "measure").collect()]


def _check(run: _Run, profile: DataFrame, crosswalk: DataFrame, facts: Facts) -> None:
    """Refuse to publish a snapshot whose core invariants do not hold."""
    stats = profile.agg(
        F.count("*").alias("rows"),
        F.countDistinct("customer_id").alias("ids"),
        F.round(F.sum("net_revenue"), 2).alias("revenue"),
    ).first()
    linked = crosswalk.select("customer_id").distinct().count()
    fact_revenue = facts.fact_orders.agg(F.round(F.sum("net_amount"), 2).alias("r")).first()
    assert stats is not None
    assert fact_revenue is not None
    problems = []
    if stats["rows"] == 0:
        problems.append("customer_profile is empty")
    if stats["rows"] != stats["ids"]:
        problems.append(
            f"customer_profile has {stats['rows']} rows for {stats['ids']} customer ids"
        )
    if stats["ids"] != linked:
        problems.append(f"customer_profile has {stats['ids']} customers, the crosswalk {linked}")
    if abs((stats["revenue"] or 0.0) - (fact_revenue["r"] or 0.0)) >= 0.01:
        problems.append(
            f"profile net revenue {stats['revenue']} != fact_orders {fact_revenue['r']}"
        )
    empty = [
        name for name, meta in run.tables.items() if meta["rows"] == 0 and name in CUSTOMER_TABLES
    ]
    if empty:
        problems.append(f"empty tables: {empty}")
    if problems:
        raise PublishError("; ".join(problems))


def run_pipeline(
    spark: SparkSession,
    input_dir: Path | DatabaseUrl,
    warehouse: Path,
    settings: PipelineSettings,
    as_of: date | None = None,
    force: bool = False,
    accept_shrink: bool = False,
    clock: Callable[[], datetime] = utc_now,
) -> RunResult:
    """Build and publish one snapshot, or skip when the input is unchanged since the current one."""
    with warehouse_lock(warehouse):
        plan = plan_run(input_dir, warehouse, force)
        if isinstance(plan, RunResult):
            return plan
        return build_snapshot(
            spark, plan, settings, as_of=as_of, accept_shrink=accept_shrink, clock=clock
        )


Build = Callable[["_Run", date | None], dict[str, Any]]
"""What a source profile does between the run's start and its publish: the retailer's eight
exports (`_build`) or an uploaded transaction file (`c360_spark_processing.transactions`)."""


def build_snapshot(
    spark: SparkSession,
    plan: RunPlan,
    settings: PipelineSettings,
    as_of: date | None = None,
    accept_shrink: bool = False,
    clock: Callable[[], datetime] = utc_now,
    build: Build | None = None,
    stages: tuple[str, ...] = STAGES,
) -> RunResult:
    """Build, check and publish one snapshot; the caller holds the warehouse lock.

    A failed gate raises `InputRejectedError` after logging `pipeline_rejected`, and keeps the
    staged quarantine under `WH/.rejected/<id>`. `build` and `stages` choose the source profile
    (default: the retailer's exports).
    """
    warehouse = plan.warehouse
    stale = clear_staging(warehouse)
    if stale:
        log.info("staging_cleared", snapshots=stale)
    started = clock()
    staging = Staging(warehouse, new_snapshot_id(started, plan.fingerprint))
    staging.create()
    partitions = size_shuffle_partitions(_input_bytes(plan.input_dir), settings)
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    run = _Run(spark, staging, plan, settings, accept_shrink, started, clock, stages)
    log.info(
        PIPELINE_STARTED,
        snapshot_id=staging.snapshot_id,
        stage_count=len(stages),
        shuffle_partitions=partitions,
        driver_memory=spark.conf.get("spark.driver.memory", None),
    )
    try:
        manifest = (build or _build)(run, as_of)
    except GateError as exc:
        _reject(run, exc)
        raise
    except BaseException:
        # Keep nothing half-written around; CURRENT was never touched.
        shutil.rmtree(staging.path, ignore_errors=True)
        raise
    pruned = prune_snapshots(warehouse, settings.keep_snapshots)
    log.info(
        PIPELINE_FINISHED,
        outcome="published",
        snapshot_id=staging.snapshot_id,
        pruned=pruned,
        seconds=round(sum(float(s["seconds"]) for s in run.stages.values()), 3),
    )
    return RunResult("published", staging.snapshot_id, manifest)


def _reject(run: _Run, exc: GateError) -> None:
    """Keep the refused run's staged quarantine and manifest for inspection, then log it."""
    exc.rejected_snapshot_id = run.staging.snapshot_id
    run.staging.reject(run.manifest(None, exc.failures))
    prune_rejected(run.plan.warehouse, run.settings.keep_rejected)
    log_rejection(exc)


def _build(run: _Run, as_of: date | None) -> dict[str, Any]:
    settings = run.settings
    with run.stage("ingest") as rows:
        raw = read_sources(run.spark, run.plan.input_dir, settings.jdbc_partitions)
        loaded = _ingest(run, raw)
        sources = run.sources
        rows["rows_in"] = sum(s["rows_read"] for s in sources.values())
        rows["rows_out"] = sum(s["rows_loaded"] for s in sources.values())
    as_of = as_of or default_as_of(loaded["orders"], settings)
    with run.stage("identity") as rows:
        identity = resolve_identities(
            loaded["crm_customers"],
            loaded["ecommerce_accounts"],
            loaded["loyalty_members"],
            loaded["support_tickets"],
            settings,
        )
        crosswalk = run.table("identity_crosswalk", identity.crosswalk, sort_by="customer_id")
        golden = run.table(
            "golden_record",
            build_golden_record(
                crosswalk,
                loaded["crm_customers"],
                loaded["ecommerce_accounts"],
                loaded["loyalty_members"],
                tickets=loaded["support_tickets"],
            ),
        )
        rows["rows_in"] = sum(sources[s]["rows_loaded"] for s in IDENTITY_SOURCES.values())
        rows["rows_out"] = run.tables["golden_record"]["rows"]
    with run.stage("facts") as rows:
        facts = _facts(
            run,
            build_facts(
                loaded,
                crosswalk,
                as_of,
                settings,
                materialize=lambda name, df: _materialize_fact(run, name, df),
            ),
        )
        for name, dimension in dimension_tables(loaded).items():
            run.table(name, dimension, files=1)
        sessions = _sessions_manifest(run, facts)
        rows["rows_in"] = sources["orders"]["rows_loaded"] + sources["order_lines"]["rows_loaded"]
        rows["rows_out"] = (
            run.tables["fact_orders"]["rows"] + run.tables["fact_order_lines"]["rows"]
        )
    with run.stage("models") as rows:
        # Imported here: scikit-learn and SciPy load only for a run that fits models.
        from c360_spark_processing.models.stage import build_models

        models = build_models(
            run.spark,
            facts,
            loaded,
            crosswalk,
            as_of,
            settings,
            materialize=lambda name, df: run.write(df, run.staging.work_path(name)),
        )
        for name, table in sorted(models.tables.items()):
            run.table(name, table, files=1)
        for name, table in sorted(models.customer_tables.items()):
            run.table(name, table, sort_by="customer_id")
        rows["rows_in"] = run.tables["fact_orders"]["rows"]
        rows["rows_out"] = sum(
            run.tables[name]["rows"] for name in (*models.tables, *models.customer_tables)
        )
    run.stages["models"].update({f"seconds_{name}": s for name, s in models.seconds.items()})
    with run.stage("profile") as rows:
        # Written unsorted first: the range partitioning of the sorted table samples its input
        # in a job of its own, which over the profile's joins computed them all twice (59 s of
        # 141 at 1M customers); over the written rows the sample is a scan.
        joined = run.write(
            build_customer_profile(
                golden, crosswalk, loaded, facts, as_of, settings, models.customer_models
            ),
            run.staging.work_path("customer_profile"),
        )
        profile = run.table("customer_profile", joined, sort_by="customer_id")
        rows["rows_in"] = run.tables["golden_record"]["rows"]
        rows["rows_out"] = run.tables["customer_profile"]["rows"]
    with run.stage("marts") as rows:
        marts = build_marts(profile, facts, loaded["products"], settings)
        for name, mart in sorted(marts.items()):
            run.table(name, mart, files=1)
        forecast = _forecast(run, facts, as_of)
        rows["rows_in"] = run.tables["customer_profile"]["rows"]
        rows["rows_out"] = sum(run.tables[name]["rows"] for name in marts)
    with run.stage("publish") as rows:
        _check(run, profile, crosswalk, facts)
        rows["rows_in"] = rows["rows_out"] = len(run.tables)
    manifest = {
        **run.manifest(as_of),
        "identity": {
            "records": run.tables["identity_crosswalk"]["rows"],
            "customers": run.tables["customer_profile"]["rows"],
            "iterations": identity.iterations,
        },
        "models": models.manifest,
        "sessions": sessions,
        "forecast": forecast,
    }
    run.staging.publish(manifest)
    return manifest
