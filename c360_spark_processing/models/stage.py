"""The pipeline's models stage: every model fitted and scored from the facts, as of the run's date.

It returns the per-customer model columns the profile joins (`customer_models`), the small report
tables the snapshot publishes, and the manifest's `models` section with each model's seconds. A
model that fails never fails the run: its columns stay null (the profile falls back to the
heuristics) and the manifest says why.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from c360_spark_processing.facts import Facts, Materialize
from c360_spark_processing.facts.orders import COMPLETED
from c360_spark_processing.models.clv import clv_scores, fit_clv
from c360_spark_processing.models.holdout import (
    BY_FREQUENCY_SCHEMA,
    WEEKLY_SCHEMA,
    holdout_check,
)
from c360_spark_processing.models.summary import purchase_days, rfm_summary
from c360_spark_processing.settings import PipelineSettings

PIPELINE_TIME_UNIT = "day"


@dataclass
class ModelOutputs:
    """What the stage hands on: profile columns, published tables, manifest section, timings."""

    customer_models: DataFrame | None = None
    tables: dict[str, DataFrame] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, model: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds[model] = round(time.perf_counter() - started, 3)


def completed_transactions(fact_orders: DataFrame) -> DataFrame:
    """customer_id, purchase_date, amount of the attributed completed orders: the models' input."""
    return fact_orders.filter(
        (F.col("status") == COMPLETED) & F.col("customer_id").isNotNull()
    ).select(
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
    as_of: date,
    settings: PipelineSettings,
    materialize: Materialize,
) -> ModelOutputs:
    """Fit and score the CLV model and its holdout check on the completed orders up to as-of."""
    days = materialize(
        "model_purchase_days", purchase_days(completed_transactions(facts.fact_orders), as_of)
    )
    summary = materialize("model_clv_summary", rfm_summary(days, as_of, PIPELINE_TIME_UNIT))
    outputs = ModelOutputs()
    with outputs.timed("clv"):
        model = fit_clv(summary, PIPELINE_TIME_UNIT)
        outputs.customer_models = materialize(
            "customer_models", clv_scores(summary, model, settings.clv_annual_discount_rate)
        )
    with outputs.timed("clv_holdout"):
        report = holdout_check(days, as_of, settings.clv_holdout_days, PIPELINE_TIME_UNIT)
    outputs.tables["model_clv_holdout_by_frequency"] = small_table(
        spark, report.by_frequency, BY_FREQUENCY_SCHEMA
    )
    outputs.tables["model_clv_holdout_weekly"] = small_table(spark, report.weekly, WEEKLY_SCHEMA)
    outputs.manifest["clv"] = {
        **model.summary(),
        "customers": model.bgnbd.customers if model.bgnbd else None,
        "seconds": outputs.seconds["clv"],
        "holdout": {**report.summary, "seconds": outputs.seconds["clv_holdout"]},
    }
    return outputs
