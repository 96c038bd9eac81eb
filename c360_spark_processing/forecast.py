"""Daily demand forecast: completed orders and units, in total and per category, for the days
after as-of, with a rolling-origin backtest against the seasonal-naive baseline.

Each series is forecast with a fixed-form ETS(A,N,A) with weekly seasonality (statsforecast;
fixing the form avoids AutoETS's model search, ~0.5 s a series), or TSB when at least
`forecast_intermittent_share` of its days are zero (Croston-type models suit intermittent
demand). The backtest refits at one origin a week over the last `forecast_backtest_weeks` weeks
and scores every day it can see up to the horizon: WAPE, MASE (against the in-sample
seasonal-naive error before the first origin) and bias. The model is served only when its
backtest error is below the baseline's; otherwise the baseline is, and the answer says so.

Prediction intervals are conformal: the 80% and 95% quantiles of the served method's absolute
backtest errors for the same week ahead, so they widen with the horizon and hold for TSB and the
baseline as well as for ETS.

Series run in Spark with `applyInPandas` over hash buckets of series (one pandas task per
bucket, not per series), so the work spreads over the executors whatever the number of series.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from c360_spark_processing.facts.orders import COMPLETED
from c360_spark_processing.settings import PipelineSettings

SEASON = 7
ALL = "all"
MEASURES: tuple[str, ...] = ("orders", "units")
MODEL_ETS = "ETS(A,N,A)"
MODEL_TSB = "TSB"
BASELINE = "seasonal_naive"
# TSB smoothing of the demand size and of its probability: fixed, slow (intermittent demand is
# noisy, and an optimiser on a few non-zero points overfits).
TSB_ALPHA_D = 0.1
TSB_ALPHA_P = 0.1
# Shortest training history a fit accepts: four weeks, so ETS sees several seasons.
MIN_TRAIN_DAYS = 4 * SEASON

FORECAST_SCHEMA = T.StructType(
    [
        T.StructField("category", T.StringType(), False),
        T.StructField("measure", T.StringType(), False),
        T.StructField("day", T.DateType(), False),
        T.StructField("horizon", T.IntegerType(), False),
        T.StructField("forecast", T.DoubleType(), False),
        T.StructField("lower_80", T.DoubleType(), True),
        T.StructField("upper_80", T.DoubleType(), True),
        T.StructField("lower_95", T.DoubleType(), True),
        T.StructField("upper_95", T.DoubleType(), True),
        T.StructField("method", T.StringType(), False),
        T.StructField("model", T.StringType(), False),
        T.StructField("backtest_windows", T.IntegerType(), False),
        T.StructField("backtest_days", T.IntegerType(), False),
        T.StructField("wape", T.DoubleType(), True),
        T.StructField("mase", T.DoubleType(), True),
        T.StructField("bias_pct", T.DoubleType(), True),
        T.StructField("model_wape", T.DoubleType(), True),
        T.StructField("model_mase", T.DoubleType(), True),
        T.StructField("baseline_wape", T.DoubleType(), True),
        T.StructField("baseline_mase", T.DoubleType(), True),
    ]
)
BACKTEST_COLUMNS: tuple[str, ...] = (
    "category", "measure", "method", "model", "backtest_windows", "backtest_days", "wape",
    "mase", "bias_pct", "model_wape", "model_mase", "baseline_wape", "baseline_mase",
)  # fmt: skip
DAY_COLUMNS: tuple[str, ...] = (
    "category", "measure", "day", "horizon", "forecast", "lower_80", "upper_80", "lower_95",
    "upper_95", "method", "model",
)  # fmt: skip


@dataclass(frozen=True)
class Scores:
    """Backtest errors of one method: WAPE and bias in % of actual demand, MASE unitless."""

    mae: float
    wape: float | None
    mase: float | None
    bias_pct: float | None


@dataclass(frozen=True)
class SeriesForecast:
    method: str
    model: str
    forecast: np.ndarray
    lower_80: np.ndarray | None
    upper_80: np.ndarray | None
    lower_95: np.ndarray | None
    upper_95: np.ndarray | None
    windows: int
    days: int
    served: Scores | None
    model_scores: Scores | None
    baseline_scores: Scores | None


def seasonal_naive(train: np.ndarray, h: int) -> np.ndarray:
    """The last week repeated (with less than a week of history, what there is, repeated)."""
    return np.resize(train[-SEASON:], h).astype(float)


def is_intermittent(train: np.ndarray, share: float) -> bool:
    return bool(np.mean(train == 0) >= share)


def model_forecast(train: np.ndarray, h: int, intermittent_share: float) -> tuple[str, np.ndarray]:
    """(model name, point forecast) of the model for this history."""
    from statsforecast.models import TSB, AutoETS

    if is_intermittent(train, intermittent_share):
        fit = TSB(alpha_d=TSB_ALPHA_D, alpha_p=TSB_ALPHA_P).forecast(y=train.astype(float), h=h)
        return MODEL_TSB, np.asarray(fit["mean"], dtype=float)
    fit = AutoETS(season_length=SEASON, model="ANA").forecast(y=train.astype(float), h=h)
    return MODEL_ETS, np.maximum(np.asarray(fit["mean"], dtype=float), 0.0)


def scores(errors: np.ndarray, actual: np.ndarray, scale: float) -> Scores:
    """Scores of forecast - actual errors; a zero denominator gives no score."""
    total = float(actual.sum())
    mae = float(np.abs(errors).mean())
    return Scores(
        mae=mae,
        wape=100 * float(np.abs(errors).sum()) / total if total else None,
        mase=mae / scale if scale else None,
        bias_pct=round(100 * float(errors.sum()) / total, 2) if total else None,
    )


def _intervals(
    point: np.ndarray, errors_by_week: list[np.ndarray], level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Point ± the `level` quantile of the absolute errors of the same week ahead (the last
    week's with no errors of its own), the lower bound floored at zero demand."""
    width = np.empty_like(point)
    known = [e for e in errors_by_week if e.size]
    for i in range(point.size):
        week = i // SEASON
        errors = (
            errors_by_week[week]
            if week < len(errors_by_week) and errors_by_week[week].size
            else known[-1]
        )
        width[i] = np.quantile(np.abs(errors), level, method="higher")
    return np.maximum(point - width, 0.0), point + width


def forecast_series(y: np.ndarray, settings: PipelineSettings) -> SeriesForecast:
    """Backtest, choose and forecast one daily series ending on as-of."""
    h = settings.forecast_horizon_days
    n = y.size
    first_origin = n - settings.forecast_backtest_weeks * SEASON
    origins = [o for o in range(first_origin, n, SEASON) if o >= MIN_TRAIN_DAYS]
    model_name, final = (
        model_forecast(y, h, settings.forecast_intermittent_share)
        if n >= MIN_TRAIN_DAYS
        else (BASELINE, seasonal_naive(y, h))
    )
    baseline_final = seasonal_naive(y, h)
    if not origins:
        return SeriesForecast(
            BASELINE, model_name, baseline_final, None, None, None, None, 0, 0, None, None, None
        )
    weeks = -(-h // SEASON)
    model_errors: list[list[np.ndarray]] = [[] for _ in range(weeks)]
    baseline_errors: list[list[np.ndarray]] = [[] for _ in range(weeks)]
    actuals = []
    for origin in origins:
        train, actual = y[:origin], y[origin : origin + h]
        _, predicted = model_forecast(train, actual.size, settings.forecast_intermittent_share)
        naive = seasonal_naive(train, actual.size)
        actuals.append(actual)
        for week in range(weeks):
            part = slice(week * SEASON, (week + 1) * SEASON)
            model_errors[week].append(predicted[part] - actual[part])
            baseline_errors[week].append(naive[part] - actual[part])
    model_by_week = [np.concatenate(e) for e in model_errors]
    baseline_by_week = [np.concatenate(e) for e in baseline_errors]
    actual_all = np.concatenate(actuals)
    start = origins[0]
    scale = float(np.abs(y[SEASON:start] - y[: start - SEASON]).mean()) if start > SEASON else 0.0
    model_scores = scores(np.concatenate(model_by_week), actual_all, scale)
    baseline_scores = scores(np.concatenate(baseline_by_week), actual_all, scale)
    beats = model_scores.mae < baseline_scores.mae
    point, by_week, served = (
        (final, model_by_week, model_scores)
        if beats
        else (baseline_final, baseline_by_week, baseline_scores)
    )
    lower_80, upper_80 = _intervals(point, by_week, 0.8)
    lower_95, upper_95 = _intervals(point, by_week, 0.95)
    return SeriesForecast(
        "model" if beats else BASELINE,
        model_name,
        point,
        lower_80,
        upper_80,
        lower_95,
        upper_95,
        len(origins),
        actual_all.size,
        served,
        model_scores,
        baseline_scores,
    )


def daily_series(lines: DataFrame, as_of: date) -> DataFrame:
    """(category, measure, day, value): completed orders and units a day, per category and in
    total (`all`), every day from the first completed order to as-of, zeros included."""
    done = lines.where((F.col("status") == COMPLETED) & (F.col("order_date") <= F.lit(as_of)))
    per_category = done.groupBy("category", "order_date").agg(
        F.countDistinct("order_id").alias("orders"), F.sum("quantity").alias("units")
    )
    total = done.groupBy("order_date").agg(
        F.countDistinct("order_id").alias("orders"), F.sum("quantity").alias("units")
    )
    wide = per_category.unionByName(total.withColumn("category", F.lit(ALL)))
    long = wide.select(
        "category",
        "order_date",
        F.explode(
            F.array(
                *[
                    F.struct(F.lit(m).alias("measure"), F.col(m).cast("double").alias("value"))
                    for m in MEASURES
                ]
            )
        ).alias("m"),
    ).select("category", "m.measure", F.col("order_date").alias("day"), "m.value")
    first = done.agg(F.min("order_date").alias("first"))
    days = first.select(F.explode(F.sequence("first", F.lit(as_of))).alias("day"))
    keys = long.select("category", "measure").distinct()
    return (
        keys.crossJoin(days)
        .join(long, ["category", "measure", "day"], "left")
        .select("category", "measure", "day", F.coalesce("value", F.lit(0.0)).alias("value"))
    )


def _rows(
    category: str, measure: str, as_of: date, f: SeriesForecast
) -> Iterator[dict[str, object]]:
    def at(values: np.ndarray | None, i: int) -> float | None:
        return None if values is None else float(values[i])

    def attr(s: Scores | None, name: str) -> float | None:
        return None if s is None else getattr(s, name)

    for i in range(f.forecast.size):
        yield {
            "category": category,
            "measure": measure,
            "day": as_of + timedelta(days=i + 1),
            "horizon": i + 1,
            "forecast": float(f.forecast[i]),
            "lower_80": at(f.lower_80, i),
            "upper_80": at(f.upper_80, i),
            "lower_95": at(f.lower_95, i),
            "upper_95": at(f.upper_95, i),
            "method": f.method,
            "model": f.model,
            "backtest_windows": f.windows,
            "backtest_days": f.days,
            "wape": attr(f.served, "wape"),
            "mase": attr(f.served, "mase"),
            "bias_pct": attr(f.served, "bias_pct"),
            "model_wape": attr(f.model_scores, "wape"),
            "model_mase": attr(f.model_scores, "mase"),
            "baseline_wape": attr(f.baseline_scores, "wape"),
            "baseline_mase": attr(f.baseline_scores, "mase"),
        }


def demand_forecast(lines: DataFrame, as_of: date, settings: PipelineSettings) -> DataFrame:
    """One row per series and day ahead (FORECAST_SCHEMA), each carrying its series' backtest."""

    def bucket(frame: pd.DataFrame) -> pd.DataFrame:
        rows: list[dict[str, object]] = []
        for (category, measure), series in frame.groupby(["category", "measure"], sort=True):
            y = series.sort_values("day")["value"].to_numpy(dtype=float)
            rows += _rows(str(category), str(measure), as_of, forecast_series(y, settings))
        return pd.DataFrame(rows, columns=FORECAST_SCHEMA.fieldNames())

    series = daily_series(lines, as_of)
    buckets = F.pmod(F.hash("category", "measure"), F.lit(settings.forecast_buckets))
    return (
        series.withColumn("bucket", buckets)
        .groupBy("bucket")
        .applyInPandas(bucket, FORECAST_SCHEMA)
    )
