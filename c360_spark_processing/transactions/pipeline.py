"""An upload job's run: the uploaded file through ingest, facts, models, profile and marts into
its own workspace warehouse, as one immutable snapshot with a manifest (the retailer's publish
path).

What an upload cannot feed is not published, so the catalogue's metrics that need it answer 422
naming it: no sessions, tickets, loyalty, CRM segments, costs or stock are in a sales export.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import structlog
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from c360_contract.progress import SOURCE_INGESTED
from c360_contract.uploads import (
    BUSINESS_TIMEZONE,
    TIMES_OF_DAY,
    UPLOAD_SECTION,
    UPLOAD_STAGES,
    UploadSpec,
)
from c360_contract.warehouse import current_manifest, warehouse_lock
from c360_spark_processing.dimensions import dim_products
from c360_spark_processing.facts import build_facts
from c360_spark_processing.golden_record import build_golden_record
from c360_spark_processing.marts import build_marts
from c360_spark_processing.pipeline import (
    EmptyInputError,
    _check,
    _Run,
    build_snapshot,
)
from c360_spark_processing.profile import build_customer_profile
from c360_spark_processing.publish import input_fingerprint, utc_now
from c360_spark_processing.run_control import RunPlan, RunResult
from c360_spark_processing.settings import PipelineSettings
from c360_spark_processing.transactions.ingest import (
    REASON,
    any_time_of_day,
    loaded_rows,
    quarantined_rows,
    read_upload,
    validate_upload,
)
from c360_spark_processing.transactions.sources import crosswalk, loaded_sources

SOURCE = "transactions"
UPLOAD_MARTS: tuple[str, ...] = (
    "mart_health_overview",
    "mart_segment_summary",
    "mart_clv_by_segment",
    "mart_revenue_by_segment",
    "mart_rfm_segments",
    "mart_rfm_matrix",
    "mart_lifecycle",
)
"""Marts an upload feeds: the rest need sessions, tickets, loyalty tiers, costs or stock."""
FILE_FACTS: tuple[str, ...] = ("attributed_orders", "order_line_facts", "order_facts")
"""The intermediate facts (`build_facts`' names) built from the file's rows: cached once. The
others come from the sources an upload leaves empty and stay lazy, because Spark's optimiser
drops the joins and aggregations over an empty local relation, which a cached copy hides (a
shuffle job each for no row, in every action that reads them)."""

log = structlog.get_logger("c360.pipeline")


def upload_settings(settings: PipelineSettings, spec: UploadSpec) -> PipelineSettings:
    """The pipeline settings of an upload: its dates are read on the business's own clock, its
    profile's clusters are of the upload's method, at its k when it names one (else k is chosen
    by silhouette as for the retailer)."""
    update: dict[str, Any] = {
        "business_timezone": BUSINESS_TIMEZONE,
        "cluster_method": spec.clustering_method,
    }
    if spec.k is not None:
        update |= {"cluster_k_min": spec.k, "cluster_k_max": spec.k}
    return PipelineSettings.model_validate({**settings.model_dump(), **update})


def _ingest(
    run: _Run, spec: UploadSpec, keep: Callable[[DataFrame], DataFrame]
) -> tuple[DataFrame, dict[str, Any]]:
    """Validate once (kept in memory: an upload is small next to the retailer's exports), count
    every reason in one pass, publish the quarantine."""
    job = run.plan.input_dir
    if not isinstance(job, Path):
        raise TypeError(f"an upload is read from its job directory, not {job}")
    raw = read_upload(run.spark, job, spec)
    names = raw.columns
    validated = keep(validate_upload(raw, spec))
    by_reason = {r[REASON]: int(r["count"]) for r in validated.groupBy(REASON).count().collect()}
    rows_loaded = by_reason.pop(None, 0)
    rows_read = rows_loaded + sum(by_reason.values())
    run.write(quarantined_rows(validated, names), run.staging.quarantine_path(SOURCE), files=1)
    counts: dict[str, Any] = {
        "rows_read": rows_read,
        "rows_loaded": rows_loaded,
        "rows_quarantined": sum(by_reason.values()),
        "quarantine_reasons": by_reason,
        "warnings": {},
    }
    return keep(loaded_rows(validated, names)), counts


def _survey(rows: DataFrame, wanted: date | None) -> tuple[date, int, bool]:
    """The as-of date (given, else the latest transaction's day), the rows after it and whether
    any row has a time of day, in one pass."""
    day = F.col("order_date")
    after = F.count_if(day > F.lit(wanted)) if wanted else F.lit(0)
    found = rows.agg(
        F.max(day).alias("latest"), after.alias("after"), any_time_of_day().alias("times")
    ).first()
    if found is None or found["latest"] is None:
        raise EmptyInputError("no row of the file loaded: see the quarantine reasons")
    as_of: date = wanted or found["latest"]
    return as_of, int(found["after"]), bool(found["times"])


def upload_build(spec: UploadSpec) -> Callable[[_Run, date | None], dict[str, Any]]:
    """The run of the transactions-only source profile for `spec`."""

    def build(run: _Run, as_of: date | None) -> dict[str, Any]:
        kept: list[DataFrame] = []

        def keep(frame: DataFrame) -> DataFrame:
            kept.append(frame.cache())
            return kept[-1]

        try:
            return _build(run, as_of, keep)
        finally:
            for frame in kept:
                frame.unpersist()

    def _build(
        run: _Run, as_of: date | None, keep: Callable[[DataFrame], DataFrame]
    ) -> dict[str, Any]:
        settings = run.settings
        with run.stage("ingest") as stage:
            rows, counts = _ingest(run, spec, keep)
            run.sources[SOURCE] = counts
            log.info(SOURCE_INGESTED, source=SOURCE, **{k: counts[k] for k in (
                "rows_read", "rows_loaded", "rows_quarantined")})  # fmt: skip
            as_of, after, times = _survey(rows, as_of or spec.as_of)
            stage["rows_in"], stage["rows_out"] = counts["rows_read"], counts["rows_loaded"]
        with run.stage("facts") as stage:
            loaded = loaded_sources(run.spark, rows)
            xwalk = run.table("identity_crosswalk", crosswalk(rows), sort_by="customer_id", files=1)
            golden = run.table(
                "golden_record",
                build_golden_record(
                    xwalk,
                    loaded["crm_customers"],
                    loaded["ecommerce_accounts"],
                    loaded["loyalty_members"],
                ),
            )
            facts = build_facts(
                loaded,
                xwalk,
                as_of,
                settings,
                materialize=lambda name, df: keep(df) if name in FILE_FACTS else df,
            )
            published = {
                "fact_orders": run.table(
                    "fact_orders", facts.fact_orders, sort_by="customer_id", files=1
                ),
                "fact_order_lines": run.table("fact_order_lines", facts.fact_order_lines),
            }
            if "product" in spec.mapping:
                run.table("dim_products", dim_products(loaded["products"]), files=1)
            facts = type(facts)(**{**vars(facts), **published})
            stage["rows_in"] = counts["rows_loaded"]
            stage["rows_out"] = run.tables["fact_orders"]["rows"]
        with run.stage("models") as stage:
            # Imported here, so `c360 upload-job` can load it while the first stages run.
            from c360_spark_processing.models.stage import build_models

            models = build_models(
                run.spark,
                facts,
                loaded,
                xwalk,
                as_of,
                settings,
                materialize=lambda _name, df: keep(df),
            )
            for name, table in sorted(models.tables.items()):
                run.table(name, table, files=1)
            for name, table in sorted(models.customer_tables.items()):
                run.table(name, table, sort_by="customer_id", files=1)
            stage["rows_in"] = run.tables["fact_orders"]["rows"]
            stage["rows_out"] = sum(
                run.tables[name]["rows"] for name in (*models.tables, *models.customer_tables)
            )
        run.stages["models"].update({f"seconds_{name}": s for name, s in models.seconds.items()})
        with run.stage("profile") as stage:
            profile = run.table(
                "customer_profile",
                build_customer_profile(
                    golden, xwalk, loaded, facts, as_of, settings, models.customer_models
                ),
                sort_by="customer_id",
                files=1,
            )
            stage["rows_in"] = stage["rows_out"] = run.tables["customer_profile"]["rows"]
        with run.stage("marts") as stage:
            marts = build_marts(profile, facts, loaded["products"], settings)
            for name in UPLOAD_MARTS:
                run.table(name, marts[name], files=1)
            stage["rows_in"] = run.tables["customer_profile"]["rows"]
            stage["rows_out"] = sum(run.tables[name]["rows"] for name in UPLOAD_MARTS)
        with run.stage("publish") as stage:
            _check(run, profile, xwalk, facts)
            stage["rows_in"] = stage["rows_out"] = len(run.tables)
        customers = run.tables["customer_profile"]["rows"]
        manifest = {
            **run.manifest(as_of),
            "identity": {"records": customers, "customers": customers, "iterations": 0},
            "models": models.manifest,
            UPLOAD_SECTION: {
                **{k: counts[k] for k in ("rows_read", "rows_loaded", "rows_quarantined")},
                "quarantine_reasons": counts["quarantine_reasons"],
                "rows_after_as_of": after,
                TIMES_OF_DAY: times,
                "spec": json.loads(spec.to_json()),
            },
        }
        run.staging.publish(manifest)
        return manifest

    return build


def run_upload(
    spark: SparkSession,
    job_dir: Path,
    warehouse: Path,
    settings: PipelineSettings,
    clock: Callable[[], datetime] = utc_now,
) -> RunResult:
    """Process the upload in `job_dir` into `warehouse` (its workspace's): one published snapshot."""
    spec = UploadSpec.read(job_dir)
    with warehouse_lock(warehouse):
        plan = RunPlan(job_dir, warehouse, input_fingerprint(job_dir), current_manifest(warehouse))
        return build_snapshot(
            spark,
            plan,
            upload_settings(settings, spec),
            as_of=spec.as_of,
            accept_shrink=True,
            clock=clock,
            build=upload_build(spec),
            stages=UPLOAD_STAGES,
        )
