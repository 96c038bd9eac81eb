"""BG/NBD + Gamma-Gamma lifetime value: fit on the driver from tuples, score in Spark.

`fit_clv` brings only distinct (x, t_x, T) tuples and (x, mean repeat value) pairs with their
counts to the driver and fits both models there. `clv_scores` scores every customer in Spark with
a pandas UDF running the same numpy code. A failed or non-converged fit never stops a run: the
scores it would feed are null, and the caller falls back to the heuristic and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql.types import DoubleType, StructField, StructType

from c360_spark_processing.models import bgnbd, gamma_gamma
from c360_spark_processing.models.bgnbd import BgNbdParams
from c360_spark_processing.models.fitting import Fit, FloatArray, ModelInputError
from c360_spark_processing.models.gamma_gamma import GammaGammaParams
from c360_spark_processing.models.summary import (
    Tuples,
    repeat_value_tuples,
    tuple_counts,
    unit_days,
)

MONTHS = 12
DAYS_PER_YEAR = 365.0
EXPECTED_PURCHASE_DAYS: tuple[int, ...] = (90, 365)
"""Horizons of the published expected_purchases_<N>d columns."""

SCORE_SCHEMA = StructType(
    [
        StructField("p_alive", DoubleType()),
        StructField("expected_purchases_90d", DoubleType()),
        StructField("expected_purchases_365d", DoubleType()),
        StructField("expected_order_value", DoubleType()),
        StructField("model_clv_12m", DoubleType()),
    ]
)
"""What `clv_scores` adds per customer; model_clv_12m is null when either fit is unusable."""


@dataclass(frozen=True)
class ClvModel:
    """Both fits (None when the fit raised) and why the model is not used, if it is not."""

    time_unit: str
    bgnbd: Fit | None
    gamma_gamma: Fit | None
    repeat_customers: int
    problem: str | None

    @property
    def purchases_usable(self) -> bool:
        return self.bgnbd is not None and self.bgnbd.converged

    @property
    def value_usable(self) -> bool:
        return (
            self.purchases_usable
            and self.gamma_gamma is not None
            and self.gamma_gamma.converged
            and self.gamma_gamma.params[1] > 1
        )

    def summary(self) -> dict[str, Any]:
        """The manifest's / report's description: parameters, likelihood, counts, convergence."""
        return {
            "time_unit": self.time_unit,
            "bgnbd": fit_summary(self.bgnbd, ("r", "alpha", "a", "b")),
            "gamma_gamma": fit_summary(self.gamma_gamma, ("p", "q", "v")),
            "repeat_customers": self.repeat_customers,
            "predicted_clv_12m": "bgnbd_gamma_gamma" if self.value_usable else "heuristic",
            "problem": self.problem,
        }


def fit_summary(fit: Fit | None, names: tuple[str, ...]) -> dict[str, Any] | None:
    if fit is None:
        return None
    return {
        **dict(zip(names, fit.params, strict=True)),
        "log_likelihood": fit.log_likelihood,
        "customers": fit.customers,
        "tuples": fit.tuples,
        "converged": fit.converged,
        "message": fit.message,
        "seconds": fit.seconds,
    }


def fit_bgnbd(tuples: Tuples) -> tuple[Fit | None, str | None]:
    """BG/NBD on (x, t_x, T) tuples; extra columns only split the counts, which changes nothing."""
    try:
        fit = bgnbd.fit(tuples["x"], tuples["t_x"], tuples["T"], tuples.count)
    except (ModelInputError, ArithmeticError) as exc:
        return None, f"BG/NBD: {exc}"
    return fit, None if fit.converged else f"BG/NBD did not converge: {fit.message}"


def fit_clv(summary: DataFrame, time_unit: str) -> ClvModel:
    """Fit BG/NBD on every customer's (x, t_x, T) and Gamma-Gamma on repeat customers' values."""
    bg, problem = fit_bgnbd(tuple_counts(summary, ("x", "t_x", "T")))
    values = repeat_value_tuples(summary)
    gg: Fit | None = None
    try:
        gg = gamma_gamma.fit(values["x"], values["monetary"], values.count)
    except (ModelInputError, ArithmeticError) as exc:
        problem = problem or f"Gamma-Gamma: {exc}"
    if problem is None and gg is not None and not gg.converged:
        problem = f"Gamma-Gamma did not converge: {gg.message}"
    if problem is None and gg is not None and gg.params[1] <= 1:
        problem = "Gamma-Gamma q <= 1: the population has no finite mean spend"
    return ClvModel(time_unit, bg, gg, values.customers, problem)


def score_arrays(
    model: ClvModel,
    annual_discount_rate: float,
    x: FloatArray,
    t_x: FloatArray,
    age: FloatArray,
    monetary: FloatArray,
) -> dict[str, FloatArray]:
    """Every SCORE_SCHEMA column for arrays of summaries (numpy; the UDF's body).

    The 12-month value adds each month's expected purchases (the increase of E[Y(t)] over the
    month) times the expected order value, discounted to today at the annual rate compounded
    monthly: month m weighs (1 + rate)^(-m/12).
    """
    nan = np.full(np.shape(x), np.nan)
    out = {field.name: nan for field in SCORE_SCHEMA.fields}
    if not model.purchases_usable:
        return out
    assert model.bgnbd is not None
    params = BgNbdParams.of(model.bgnbd)
    per_unit = unit_days(model.time_unit)
    out["p_alive"] = bgnbd.p_alive(params, x, t_x, age)
    for days in EXPECTED_PURCHASE_DAYS:
        out[f"expected_purchases_{days}d"] = bgnbd.expected_purchases(
            params, days / per_unit, x, t_x, age
        )
    if not model.value_usable:
        return out
    assert model.gamma_gamma is not None
    value = gamma_gamma.expected_value(GammaGammaParams.of(model.gamma_gamma), x, monetary)
    month = DAYS_PER_YEAR / MONTHS / per_unit
    cumulative = [
        bgnbd.expected_purchases(params, m * month, x, t_x, age) for m in range(MONTHS + 1)
    ]
    discounted = sum(
        (cumulative[m] - cumulative[m - 1]) * (1 + annual_discount_rate) ** (-m / MONTHS)
        for m in range(1, MONTHS + 1)
    )
    out["expected_order_value"] = value
    out["model_clv_12m"] = value * np.asarray(discounted)
    return out


def summary_arrays(batch: pd.DataFrame) -> tuple[FloatArray, FloatArray, FloatArray]:
    """x, t_x and T of a pandas batch of summaries, as float arrays."""
    return (
        batch["x"].to_numpy(dtype=np.float64),
        batch["t_x"].to_numpy(dtype=np.float64),
        batch["T"].to_numpy(dtype=np.float64),
    )


def map_summaries(
    summary: DataFrame,
    fields: list[StructField],
    compute: Callable[[pd.DataFrame], dict[str, FloatArray]],
) -> DataFrame:
    """customer_id and `fields` computed by numpy over Arrow batches of `summary` (mapInPandas).

    The one way the models' numpy code scores customers in Spark; fitted parameters travel in
    `compute`'s closure.
    """

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            yield pd.DataFrame({"customer_id": batch["customer_id"], **compute(batch)})

    schema = StructType([StructField("customer_id", summary.schema["customer_id"].dataType)])
    for field in fields:
        schema.add(field)
    return summary.mapInPandas(run, schema)


def clv_scores(summary: DataFrame, model: ClvModel, annual_discount_rate: float) -> DataFrame:
    """customer_id and the SCORE_SCHEMA columns for every customer of `summary`."""

    def compute(batch: pd.DataFrame) -> dict[str, FloatArray]:
        monetary = batch["monetary"].to_numpy(dtype=np.float64, na_value=np.nan)
        return score_arrays(model, annual_discount_rate, *summary_arrays(batch), monetary)

    return map_summaries(summary, list(SCORE_SCHEMA.fields), compute)
