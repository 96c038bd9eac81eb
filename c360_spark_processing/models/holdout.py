"""The CLV model's holdout check: refit on data up to as-of - holdout, predict, compare.

Customers whose first purchase falls in the calibration period are summarised there and their
purchase days in the holdout counted. Spark reduces that to distinct (x, t_x, T, y) tuples with
counts and the holdout purchases per week; predictions, errors and both tables are computed on
the driver from those aggregates alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, IntegerType, LongType, StringType, StructField, StructType

from c360_spark_processing.models import bgnbd
from c360_spark_processing.models.bgnbd import BgNbdParams
from c360_spark_processing.models.clv import fit_bgnbd, fit_summary
from c360_spark_processing.models.summary import rfm_summary, tuple_counts, unit_days

TOP_FREQUENCY = 7
"""Calibration frequencies from this one up share the table's last row (`7+`)."""
DAYS_PER_WEEK = 7

BY_FREQUENCY_SCHEMA = StructType(
    [
        StructField("calibration_frequency", StringType(), False),
        StructField("customers", LongType(), False),
        StructField("actual_mean", DoubleType(), True),
        StructField("predicted_mean", DoubleType(), True),
    ]
)
WEEKLY_SCHEMA = StructType(
    [
        StructField("week", IntegerType(), False),
        StructField("days_after_calibration", IntegerType(), False),
        StructField("actual_cumulative", LongType(), False),
        StructField("predicted_cumulative", DoubleType(), True),
    ]
)


@dataclass(frozen=True)
class HoldoutReport:
    """The manifest's summary and the rows of the two published tables."""

    summary: dict[str, Any]
    by_frequency: list[tuple[str, int, float | None, float | None]] = field(default_factory=list)
    weekly: list[tuple[int, int, int, float | None]] = field(default_factory=list)


def _frequency_label(x: int) -> str:
    return f"{TOP_FREQUENCY}+" if x >= TOP_FREQUENCY else str(x)


def holdout_check(days: DataFrame, as_of: date, holdout_days: int, time_unit: str) -> HoldoutReport:
    """Fit on purchase days up to as-of - holdout_days, predict the holdout and compare.

    `days` are purchase days (customer_id, purchase_date, amount) up to as-of.
    """
    calibration_end = as_of - timedelta(days=holdout_days)
    per_unit = unit_days(time_unit)
    base: dict[str, Any] = {
        "calibration_end": calibration_end.isoformat(),
        "holdout_days": holdout_days,
        "time_unit": time_unit,
    }
    calibration = rfm_summary(
        days.filter(F.col("purchase_date") <= F.lit(calibration_end)), calibration_end, time_unit
    )
    holdout = days.filter(F.col("purchase_date") > F.lit(calibration_end))
    actual = holdout.groupBy("customer_id").agg(F.count("*").cast("int").alias("y"))
    joined = calibration.join(actual, "customer_id", "left").fillna(0, subset=["y"])
    tuples = tuple_counts(joined, ("x", "t_x", "T", "y"))
    if len(tuples) == 0:
        return HoldoutReport({**base, "customers": 0, "problem": "no purchase before the holdout"})
    fit, problem = fit_bgnbd(tuples)
    base = {**base, "fit": fit_summary(fit, ("r", "alpha", "a", "b")), "problem": problem}
    weeks = math.ceil(holdout_days / DAYS_PER_WEEK)
    week_of = F.ceil(F.datediff("purchase_date", F.lit(calibration_end)) / DAYS_PER_WEEK)
    weekly_actual: dict[int, int] = dict(
        holdout.join(calibration.select("customer_id"), "customer_id")
        .groupBy(week_of.cast("int").alias("week"))
        .count()
        .collect()
    )
    cumulative_actual = np.cumsum([int(weekly_actual.get(w, 0)) for w in range(1, weeks + 1)])
    horizons = [min(w * DAYS_PER_WEEK, holdout_days) for w in range(1, weeks + 1)]
    x, t_x, age, y, n = tuples["x"], tuples["t_x"], tuples["T"], tuples["y"], tuples.count
    customers = int(n.sum())
    predicted = None
    cumulative_predicted: list[float | None] = [None] * weeks
    if fit is not None and fit.converged:
        params = BgNbdParams.of(fit)
        predicted = bgnbd.expected_purchases(params, holdout_days / per_unit, x, t_x, age)
        cumulative_predicted = [
            float(np.dot(n, bgnbd.expected_purchases(params, h / per_unit, x, t_x, age)))
            for h in horizons
        ]
    actual_total = float(np.dot(n, y))
    summary = {
        **base,
        "customers": customers,
        "actual_repeat_purchases": int(actual_total),
        "predicted_repeat_purchases": None if predicted is None else float(np.dot(n, predicted)),
        "error_pct": None
        if predicted is None or actual_total == 0
        else round((float(np.dot(n, predicted)) - actual_total) / actual_total * 100, 2),
        "mae_per_customer": None
        if predicted is None
        else float(np.dot(n, np.abs(predicted - y)) / customers),
    }
    bucket = np.minimum(x, TOP_FREQUENCY)
    by_frequency: list[tuple[str, int, float | None, float | None]] = []
    for b in range(TOP_FREQUENCY + 1):
        rows = bucket == b
        count = float(n[rows].sum())
        if count == 0:
            continue
        by_frequency.append(
            (
                _frequency_label(b),
                int(count),
                float(np.dot(n[rows], y[rows]) / count),
                None if predicted is None else float(np.dot(n[rows], predicted[rows]) / count),
            )
        )
    weekly = [
        (w, h, int(a), p)
        for w, h, a, p in zip(
            range(1, weeks + 1), horizons, cumulative_actual, cumulative_predicted, strict=True
        )
    ]
    return HoldoutReport(summary, by_frequency, weekly)
