"""The pipeline's models stage: every model fitted and scored from the facts, as of the run's date.

It returns the per-customer model columns the profile joins (`customer_models`), the small report
tables the snapshot publishes, and the manifest's `models` section with each model's seconds. A
model that fails never fails the run: its columns stay null (the profile falls back to the
heuristics) and the manifest says why.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BooleanType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from c360_spark_processing.columns import rate
from c360_spark_processing.facts import Facts, Materialize
from c360_spark_processing.facts.orders import COMPLETED
from c360_spark_processing.models import churn
from c360_spark_processing.models.clusters import cluster_buyers
from c360_spark_processing.models.clv import ClvModel, clv_scores, fit_bgnbd, fit_clv
from c360_spark_processing.models.fitting import Fit
from c360_spark_processing.models.holdout import (
    BY_FREQUENCY_SCHEMA,
    WEEKLY_SCHEMA,
    holdout_check,
)
from c360_spark_processing.models.summary import (
    purchase_days,
    rfm_summary,
    tuple_counts,
    unit_days,
)
from c360_spark_processing.profile import loyalty_record
from c360_spark_processing.settings import PipelineSettings

PIPELINE_TIME_UNIT = "day"

CHURN_SCORES_SCHEMA = StructType(
    [StructField("customer_id", StringType()), StructField("churn_probability", DoubleType())]
)
COMPARISON_SCHEMA = StructType(
    [
        StructField("scorer", StringType(), False),
        StructField("customers", LongType(), False),
        StructField("churners", LongType(), False),
        StructField("auc_roc", DoubleType()),
        StructField("auc_pr", DoubleType()),
        StructField("brier", DoubleType()),
        StructField("top_decile_lift", DoubleType()),
    ]
)
ROC_SCHEMA = StructType(
    [
        StructField("scorer", StringType(), False),
        StructField("false_positive_share", DoubleType(), False),
        StructField("true_positive_share", DoubleType(), False),
    ]
)
CALIBRATION_SCHEMA = StructType(
    [
        StructField("scorer", StringType(), False),
        StructField("decile", IntegerType(), False),
        StructField("customers", DoubleType(), False),
        StructField("mean_value", DoubleType(), False),
        StructField("churners", DoubleType(), False),
    ]
)
CLUSTER_LABEL_SCHEMA = StructType(
    [StructField("customer_id", StringType()), StructField("cluster_label", StringType())]
)
CLUSTERS_SCHEMA = StructType(
    [
        StructField("method", StringType(), False),
        StructField("cluster", IntegerType(), False),
        StructField("customers", LongType(), False),
        StructField("pct_of_buyers", DoubleType(), False),
        StructField("recency_days", DoubleType(), False),
        StructField("frequency", DoubleType(), False),
        StructField("monetary", DoubleType(), False),
        StructField("label", StringType(), True),
        StructField("action", StringType(), True),
        StructField("silhouette", DoubleType(), False),
    ]
)
SELECTION_SCHEMA = StructType(
    [
        StructField("method", StringType(), False),
        StructField("k", IntegerType(), False),
        StructField("silhouette", DoubleType(), False),
        StructField("smallest_cluster_pct", DoubleType(), False),
        StructField("eligible", BooleanType(), False),
        StructField("chosen", BooleanType(), False),
    ]
)
IMPORTANCE_SCHEMA = StructType(
    [
        StructField("feature", StringType(), False),
        StructField("coefficient", DoubleType(), False),
        StructField("importance_share", DoubleType(), False),
    ]
)


@dataclass
class ModelOutputs:
    """What the stage hands on: profile columns, published tables, manifest section, timings."""

    customer_models: DataFrame | None = None
    tables: dict[str, DataFrame] = field(default_factory=dict)
    """Small report tables (one file each)."""
    customer_tables: dict[str, DataFrame] = field(default_factory=dict)
    """Tables with rows per customer (sorted by customer_id)."""
    manifest: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, model: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds[model] = round(time.perf_counter() - started, 3)


def completed_orders(fact_orders: DataFrame) -> DataFrame:
    """Attributed completed orders (customer_id, order_date, net_amount, channel): the models' input."""
    return fact_orders.filter(
        (F.col("status") == COMPLETED) & F.col("customer_id").isNotNull()
    ).select("customer_id", "order_date", "net_amount", "channel")


def transactions(orders: DataFrame) -> DataFrame:
    """The orders as the CLV model's transactions: customer_id, purchase_date, amount."""
    return orders.select(
        "customer_id",
        F.col("order_date").alias("purchase_date"),
        F.col("net_amount").alias("amount"),
    )


def small_table(spark: SparkSession, rows: list[Any], schema: StructType) -> DataFrame:
    """A report table built on the driver from aggregates (a few dozen rows at most)."""
    return spark.createDataFrame(rows, schema)


def build_models(
    spark: SparkSession,
    facts: Facts,
    loaded: Mapping[str, DataFrame],
    crosswalk: DataFrame,
    as_of: date,
    settings: PipelineSettings,
    materialize: Materialize,
) -> ModelOutputs:
    """Fit, check and score every model on the facts up to as-of; see the module docstring."""
    orders = completed_orders(facts.fact_orders)
    days = materialize("model_purchase_days", purchase_days(transactions(orders), as_of))
    outputs = ModelOutputs()
    with outputs.timed("clv"):
        clv, summary, model = _clv(days, as_of, settings, materialize, outputs)
    with outputs.timed("clv_holdout"):
        _clv_holdout(spark, days, as_of, settings, outputs)
    with outputs.timed("churn"):
        no_purchase = _no_purchase(summary, model.bgnbd, settings)
        churn_scores = _churn(
            spark,
            facts,
            loaded,
            crosswalk,
            orders,
            days,
            no_purchase,
            as_of,
            settings,
            materialize,
            outputs,
        )
    with outputs.timed("clusters"):
        labels = _clusters(spark, orders, as_of, settings, materialize, outputs)
    outputs.customer_models = clv.join(churn_scores, "customer_id", "left").join(
        labels, "customer_id", "left"
    )
    for name in ("clv", "churn", "clusters"):
        outputs.manifest[name]["seconds"] = outputs.seconds[name]
    outputs.manifest["clv"]["holdout"]["seconds"] = outputs.seconds["clv_holdout"]
    return outputs


def _clusters(
    spark: SparkSession,
    orders: DataFrame,
    as_of: date,
    settings: PipelineSettings,
    materialize: Materialize,
    outputs: ModelOutputs,
) -> DataFrame:
    """Cluster the buyers three ways; customer_id, cluster_label of the `cluster_method`."""
    result = cluster_buyers(spark, orders, as_of, settings, materialize)
    if isinstance(result, str):
        outputs.manifest["clusters"] = {"problem": result}
        return spark.createDataFrame([], CLUSTER_LABEL_SCHEMA)
    outputs.manifest["clusters"] = {**result.manifest, "profile_method": settings.cluster_method}
    outputs.customer_tables["customer_clusters"] = result.assignments
    outputs.tables["model_clusters"] = small_table(spark, result.summary, CLUSTERS_SCHEMA)
    outputs.tables["model_cluster_selection"] = small_table(
        spark,
        [
            (
                c.method,
                c.k,
                c.silhouette,
                round(100 * c.smallest_share, 2),
                c.eligible,
                result.manifest["chosen"][c.method]["k"] == c.k,
            )
            for c in result.candidates
        ],
        SELECTION_SCHEMA,
    )
    outputs.tables["model_cluster_points"] = result.points
    return result.assignments.filter(F.col("method") == settings.cluster_method).select(
        "customer_id", F.col("label").alias("cluster_label")
    )


def _clv(
    days: DataFrame,
    as_of: date,
    settings: PipelineSettings,
    materialize: Materialize,
    outputs: ModelOutputs,
) -> tuple[DataFrame, DataFrame, ClvModel]:
    """BG/NBD + Gamma-Gamma on every buyer: the manifest's fit, the per-customer scores, and the
    summary and model the churn model reuses."""
    summary = materialize("model_clv_summary", rfm_summary(days, as_of, PIPELINE_TIME_UNIT))
    model = fit_clv(summary, PIPELINE_TIME_UNIT)
    outputs.manifest["clv"] = {
        **model.summary(),
        "customers": model.bgnbd.customers if model.bgnbd else None,
    }
    scores = materialize(
        "model_clv_scores", clv_scores(summary, model, settings.clv_annual_discount_rate)
    )
    return scores, summary, model


def _clv_holdout(
    spark: SparkSession,
    days: DataFrame,
    as_of: date,
    settings: PipelineSettings,
    outputs: ModelOutputs,
) -> None:
    """The holdout check: its two tables and `models.clv.holdout`."""
    report = holdout_check(days, as_of, settings.clv_holdout_days, PIPELINE_TIME_UNIT)
    outputs.tables["model_clv_holdout_by_frequency"] = small_table(
        spark, report.by_frequency, BY_FREQUENCY_SCHEMA
    )
    outputs.tables["model_clv_holdout_weekly"] = small_table(spark, report.weekly, WEEKLY_SCHEMA)
    outputs.manifest["clv"]["holdout"] = report.summary


def _churn(
    spark: SparkSession,
    facts: Facts,
    loaded: Mapping[str, DataFrame],
    crosswalk: DataFrame,
    orders: DataFrame,
    days: DataFrame,
    no_purchase: DataFrame,
    as_of: date,
    settings: PipelineSettings,
    materialize: Materialize,
    outputs: ModelOutputs,
) -> DataFrame:
    """Train and test the churn model at the cut-off, publish its report, score every buyer.

    `no_purchase` is the BG/NBD feature at the as-of date; at the cut-off it comes from BG/NBD
    refitted on the data up to the cut-off, which is also the `bgnbd` baseline.
    """
    cutoff = churn.cutoff_date(as_of, settings)
    sessions = facts.sessions.filter(F.col("customer_id").isNotNull()).select(
        "customer_id", F.col("first_date").alias("start_date")
    )
    tiers = loyalty_record(loaded["loyalty_members"], crosswalk).select(
        "customer_id", "loyalty_tier"
    )
    tickets = facts.fact_support_tickets

    def features(at: date) -> DataFrame:
        return churn.churn_features(orders, sessions, tickets, tiers, at, settings)

    labelled = materialize(
        "model_churn_training",
        churn.with_bgnbd(features(cutoff), _no_purchase_at(days, cutoff, settings))
        .join(churn.churn_labels(orders, cutoff, as_of), "customer_id")
        .withColumn("_train", churn.in_training(F.col("customer_id"), settings)),
    )
    training = labelled.filter(F.col("_train"))
    counts = training.agg(F.count("*").alias("n"), F.sum("label").alias("churners")).first()
    assert counts is not None
    manifest: dict[str, Any] = {"cutoff": cutoff.isoformat(), "model": "logistic_regression"}
    outputs.manifest["churn"] = manifest
    if not counts["n"] or not 0 < (counts["churners"] or 0) < counts["n"]:
        manifest["problem"] = (
            f"the training set ({counts['n']} customers, {counts['churners'] or 0} churners) "
            "needs churners and stayers: risk_status comes from churn_risk_score"
        )
        return spark.createDataFrame([], CHURN_SCORES_SCHEMA)
    model = churn.train(training, settings)
    scored = churn.scored_test_set(model, labelled.filter(~F.col("_train")), settings)
    report = churn.report(churn.histograms(scored), model, cutoff, int(counts["n"]))
    manifest.update(report.summary)
    outputs.tables["model_churn_comparison"] = small_table(
        spark, report.comparison, COMPARISON_SCHEMA
    )
    outputs.tables["model_churn_roc"] = small_table(spark, report.roc, ROC_SCHEMA)
    outputs.tables["model_churn_calibration"] = small_table(
        spark, report.calibration, CALIBRATION_SCHEMA
    )
    outputs.tables["model_churn_importance"] = small_table(
        spark, report.importance, IMPORTANCE_SCHEMA
    )
    now = churn.with_bgnbd(features(as_of), no_purchase)
    return materialize("model_churn_scores", churn.score(model, now))


def _no_purchase(summary: DataFrame, fit: Fit | None, settings: PipelineSettings) -> DataFrame:
    """customer_id, bgnbd: P(no purchase in the next churn_cutoff_days) under `fit` (null
    without a converged fit), rounded to its published 4 decimals."""
    if fit is None or not fit.converged:
        return summary.select("customer_id", F.lit(None).cast("double").alias("bgnbd"))
    horizon = settings.churn_cutoff_days / unit_days(PIPELINE_TIME_UNIT)
    baseline = churn.bgnbd_no_purchase(summary, fit, horizon)
    return baseline.select("customer_id", rate(F.col("bgnbd")).alias("bgnbd"))


def _no_purchase_at(days: DataFrame, cutoff: date, settings: PipelineSettings) -> DataFrame:
    """The same under BG/NBD refitted on the purchase days up to the cut-off."""
    summary = rfm_summary(
        days.filter(F.col("purchase_date") <= F.lit(cutoff)), cutoff, PIPELINE_TIME_UNIT
    )
    fit, _ = fit_bgnbd(tuple_counts(summary, ("x", "t_x", "T")))
    return _no_purchase(summary, fit, settings)
