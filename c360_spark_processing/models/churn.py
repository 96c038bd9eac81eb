"""Churn propensity: a logistic regression, judged against the heuristics on held-out customers.

Cut-off d0 = as-of - churn_cutoff_days. Every customer with a completed order on or before d0 is
labelled 1 when they have no completed order in (d0, as-of]. Features use data up to d0 only (the
loyalty tier, which the sources do not date, is the one exception: its current value is used).
The model trains on a seeded, hash-chosen 80% of those customers and is tested on the other 20%,
where the heuristic churn_risk_score, recency alone and the BG/NBD probability of no purchase in
the next days are scored too. Every buyer is then scored as of the as-of date with the same
features, computed at as-of.

Logistic regression rather than GBT: it is cheap to fit and to apply (the models stage has a time
budget of a quarter of the pipeline) and its standardised coefficients are its importances.

It is fitted on the driver with scikit-learn, on a seeded, hash-chosen sample of at most
`churn_sample_size` training customers: about twenty doubles each, collected once and bounded
whatever the number of customers (not a per-customer collect). Spark ML's fit cost one Spark job
per L-BFGS iteration plus the scaler's pass, some 30 s of scheduling at 100k customers; the driver
fits the sample in well under a second. Every customer (the test set, everyone at as-of) is then
scored in Spark by one Column expression built from the fitted parameters (`ChurnModel.column`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StructField
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from c360_contract.vocabulary import CHANNELS, CHURN_SCORERS, LOYALTY_TIERS
from c360_spark_processing.columns import business_date, count_where, days_since, in_last_days, rate
from c360_spark_processing.models import bgnbd
from c360_spark_processing.models.bgnbd import BgNbdParams
from c360_spark_processing.models.clv import map_summaries, summary_arrays
from c360_spark_processing.models.evaluation import Histogram, decile_table, figures, roc_points
from c360_spark_processing.models.fitting import Fit, FloatArray
from c360_spark_processing.scores.churn import churn_risk_score
from c360_spark_processing.scores.health import engagement_score, support_score
from c360_spark_processing.settings import PipelineSettings

FEATURES: tuple[str, ...] = (
    "log_recency_days",
    "log_frequency",
    "log_monetary",
    "log_tenure_days",
    "log_mean_gap_days",
    "order_trend",
    "sessions_last_30d",
    "sessions_last_90d",
    "tickets_last_365d",
    "low_csat_tickets",
    "support_score",
    "loyalty_tier_rank",
    *(f"{c}_order_share" for c in CHANNELS),
    "bgnbd_no_purchase",
)
"""Model inputs, in the order of the importance table. The last is the BG/NBD probability of no
purchase in the horizon (fitted on the same data), which `with_bgnbd` adds to `churn_features`."""

BGNBD_NEUTRAL = 0.5
"""The BG/NBD feature's value when that fit failed: a constant the standardisation zeroes."""

TREND_DAYS = 90


def _log1p(value: Column) -> Column:
    return F.log1p(F.greatest(value.cast("double"), F.lit(0.0)))


def churn_features(
    orders: DataFrame,
    sessions: DataFrame,
    tickets: DataFrame,
    loyalty_tiers: DataFrame,
    cutoff: date,
    settings: PipelineSettings,
) -> DataFrame:
    """customer_id, FEATURES but the BG/NBD one and the heuristic's inputs of every customer who
    bought by `cutoff`.

    `orders`: completed orders (customer_id, order_date, net_amount, channel); `sessions`:
    (customer_id, start_date), a session's first business day; `tickets`: fact_support_tickets; `loyalty_tiers`:
    (customer_id, loyalty_tier). Only rows dated on or before the cut-off count.
    """
    day = F.col("order_date")
    recent = in_last_days(day, cutoff, TREND_DAYS)
    prior = ~recent & in_last_days(day, cutoff, 2 * TREND_DAYS)
    buying = (
        orders.filter(day <= F.lit(cutoff))
        .groupBy("customer_id")
        .agg(
            F.count("*").alias("frequency"),
            F.sum("net_amount").alias("monetary"),
            F.min(day).alias("_first"),
            F.max(day).alias("_last"),
            (count_where(recent) - count_where(prior)).alias("order_trend"),
            *[count_where(F.col("channel") == c).alias(f"_{c}") for c in CHANNELS],
        )
    )
    start = F.col("start_date")
    browsing = (
        sessions.filter(start <= F.lit(cutoff))
        .groupBy("customer_id")
        .agg(
            count_where(in_last_days(start, cutoff, 30)).alias("sessions_last_30d"),
            count_where(in_last_days(start, cutoff, settings.engagement_window_days)).alias(
                "sessions_last_90d"
            ),
        )
    )
    created = business_date(F.col("created_at"), settings.business_timezone)
    in_window = in_last_days(created, cutoff, settings.support_window_days)
    support = (
        tickets.filter(F.col("customer_id").isNotNull() & (created <= F.lit(cutoff)))
        .groupBy("customer_id")
        .agg(
            count_where(in_window).alias("tickets_last_365d"),
            count_where(in_window & (F.col("csat") <= settings.low_csat_max)).alias(
                "low_csat_tickets"
            ),
            F.avg(F.when(in_window, F.col("csat"))).alias("_avg_csat"),
        )
    )
    tier_rank = F.coalesce(
        F.array_position(F.array(*[F.lit(t) for t in LOYALTY_TIERS]), F.col("loyalty_tier")),
        F.lit(0),
    )
    joined = (
        buying.join(browsing, "customer_id", "left")
        .join(support, "customer_id", "left")
        .join(loyalty_tiers, "customer_id", "left")
        .fillna(0, subset=["sessions_last_30d", "sessions_last_90d", "tickets_last_365d"])
        .fillna(0, subset=["low_csat_tickets"])
    )
    recency = days_since(F.col("_last"), cutoff)
    tenure = days_since(F.col("_first"), cutoff)
    gap = F.when(
        F.col("frequency") > 1, F.datediff("_last", "_first") / (F.col("frequency") - 1)
    ).otherwise(tenure)  # one order: the gap so far is at least the tenure
    return joined.select(
        "customer_id",
        recency.alias("recency_days"),
        "frequency",
        _log1p(recency).alias("log_recency_days"),
        _log1p(F.col("frequency")).alias("log_frequency"),
        _log1p(F.col("monetary")).alias("log_monetary"),
        _log1p(tenure).alias("log_tenure_days"),
        _log1p(gap).alias("log_mean_gap_days"),
        F.col("order_trend").cast("double").alias("order_trend"),
        "sessions_last_30d",
        "sessions_last_90d",
        "tickets_last_365d",
        "low_csat_tickets",
        support_score(F.col("tickets_last_365d"), F.col("_avg_csat"), settings).alias(
            "support_score"
        ),
        tier_rank.cast("double").alias("loyalty_tier_rank"),
        *[(F.col(f"_{c}") / F.col("frequency")).alias(f"{c}_order_share") for c in CHANNELS],
    )


def with_bgnbd(features: DataFrame, no_purchase: DataFrame) -> DataFrame:
    """Adds `bgnbd` (customer_id, bgnbd from `bgnbd_no_purchase`; null when the fit failed) and
    the model's feature, held at BGNBD_NEUTRAL where it is null."""
    return features.join(no_purchase, "customer_id", "left").withColumn(
        "bgnbd_no_purchase", F.coalesce(F.col("bgnbd"), F.lit(BGNBD_NEUTRAL))
    )


def churn_labels(orders: DataFrame, cutoff: date, as_of: date) -> DataFrame:
    """customer_id, label: 1 when a customer who bought by the cut-off bought nothing after it."""
    day = F.col("order_date")
    return (
        orders.filter(day <= F.lit(as_of))
        .groupBy("customer_id")
        .agg(
            F.min(day).alias("_first"),
            F.max(F.when(day > F.lit(cutoff), 1).otherwise(0)).alias("_after"),
        )
        .filter(F.col("_first") <= F.lit(cutoff))
        .select("customer_id", (1 - F.col("_after")).cast("double").alias("label"))
    )


def in_training(customer_id: Column, settings: PipelineSettings) -> Column:
    """The seeded split: a customer's hash decides, so the split is stable across runs."""
    bucket = F.pmod(F.xxhash64(F.lit(settings.churn_seed), customer_id), F.lit(100))
    return bucket < F.lit(round((1 - settings.churn_test_share) * 100))


def sample_training(training: DataFrame, settings: PipelineSettings) -> DataFrame:
    """At most churn_sample_size training customers (label, FEATURES), chosen by a seeded hash of
    their id salted apart from the split's (reproducible, and not biased by the split's buckets)."""
    order = F.xxhash64(F.lit(settings.churn_seed), F.lit("sample"), F.col("customer_id"))
    return (
        training.orderBy(order)
        .limit(settings.churn_sample_size)
        .select(F.col("label").cast("double"), *[F.col(f).cast("double") for f in FEATURES])
    )


@dataclass(frozen=True)
class ChurnModel:
    """A fitted logistic regression on standardised features: P(churn | x) =
    1 / (1 + exp(-(intercept + sum coefficients_i (x_i - means_i) / scales_i)))."""

    means: np.ndarray
    scales: np.ndarray
    """Sample standard deviations (ddof 1, as Spark's StandardScaler), 1 where a feature is constant."""
    coefficients: np.ndarray
    """Standardised coefficients, in FEATURES order."""
    intercept: float
    sample_customers: int
    fit_seconds: float

    def column(self) -> Column:
        """The churn probability of every row with the FEATURES columns, in Spark: no UDF."""
        logit: Column = F.lit(self.intercept)
        for name, mean, scale, b in zip(
            FEATURES, self.means, self.scales, self.coefficients, strict=True
        ):
            logit = logit + (F.col(name).cast("double") - float(mean)) / float(scale) * float(b)
        return F.lit(1.0) / (F.lit(1.0) + F.exp(-logit))


def fit(rows: np.ndarray, reg_param: float) -> tuple[LogisticRegression, np.ndarray, np.ndarray]:
    """Standardise the sample's features (columns 1..) and fit the label (column 0): scikit-learn's
    lbfgs on sum(log loss) + ||w||^2 / (2C), with C = 1 / (n reg_param) the objective of Spark ML's
    L2-regularised logistic regression, mean(log loss) + reg_param / 2 ||w||^2 (the intercept
    unpenalised in both). Returns the estimator, the means and the scales.

    One BLAS/OpenMP thread, as for the clusters: a small fit gains nothing from contending with
    Spark for the cores.
    """
    labels, x = rows[:, 0], rows[:, 1:]
    means = x.mean(axis=0)
    spread = x.std(axis=0, ddof=1) if len(x) > 1 else np.zeros(x.shape[1])
    scales = np.where(spread > 0, spread, 1.0)
    c = 1 / (len(x) * reg_param) if reg_param > 0 else np.inf
    with threadpool_limits(limits=1):
        estimator = LogisticRegression(C=c, max_iter=1000).fit((x - means) / scales, labels)
    return estimator, means, scales


def train(training: DataFrame, settings: PipelineSettings) -> ChurnModel:
    """Collect the bounded sample of the training customers once and fit it on the driver."""
    rows = pd.DataFrame(sample_training(training, settings).toPandas()).to_numpy(dtype=float)
    started = time.perf_counter()
    estimator, means, scales = fit(rows, settings.churn_reg_param)
    return ChurnModel(
        means=means,
        scales=scales,
        coefficients=estimator.coef_[0],
        intercept=float(estimator.intercept_[0]),
        sample_customers=len(rows),
        fit_seconds=round(time.perf_counter() - started, 3),
    )


def score(model: ChurnModel, features: DataFrame) -> DataFrame:
    """customer_id, churn_probability for every row of `features`."""
    return features.select("customer_id", model.column().alias("churn_probability"))


def importances(model: ChurnModel) -> list[tuple[str, float, float]]:
    """(feature, standardised coefficient, share of the summed absolute coefficients)."""
    total = float(np.abs(model.coefficients).sum()) or 1.0
    return [
        (name, float(c), float(abs(c) / total))
        for name, c in zip(FEATURES, model.coefficients, strict=True)
    ]


def bgnbd_no_purchase(summary: DataFrame, fit: Fit, horizon: float) -> DataFrame:
    """customer_id, bgnbd: P(no purchase in the next `horizon` time units) under the fit."""
    params = BgNbdParams.of(fit)

    def compute(batch: pd.DataFrame) -> dict[str, FloatArray]:
        return {"bgnbd": bgnbd.p_no_purchase(params, horizon, *summary_arrays(batch))}

    return map_summaries(summary, [StructField("bgnbd", DoubleType())], compute)


def scored_test_set(model: ChurnModel, test: DataFrame, settings: PipelineSettings) -> DataFrame:
    """The test set's label and the scores of the model and of every baseline.

    Probabilities are rounded to their published 4 decimals, so the histogram stays small.
    """
    heuristic = churn_risk_score(
        F.col("recency_days"),
        engagement_score(F.col("sessions_last_90d"), settings),
        F.col("support_score"),
        F.col("frequency"),
        settings,
    )
    return test.select(
        "customer_id",
        "label",
        rate(model.column()).alias("model"),
        rate(heuristic).alias("heuristic"),
        F.col("recency_days").cast("double").alias("recency"),
        rate(F.col("bgnbd")).alias("bgnbd"),
    )


def histograms(scored: DataFrame) -> dict[str, Histogram]:
    """One Spark aggregate of every scorer's (score, customers, churners, squared error)."""
    stacked = scored.select(
        "label",
        F.explode(
            F.array(
                *[
                    F.struct(F.lit(s).alias("scorer"), F.col(s).cast("double").alias("score"))
                    for s in CHURN_SCORERS
                ]
            )
        ).alias("_s"),
    ).select("label", "_s.scorer", "_s.score")
    table = (
        stacked.filter(F.col("score").isNotNull())
        .groupBy("scorer", "score")
        .agg(
            F.count("*").alias("customers"),
            F.sum("label").alias("positives"),
            F.sum((F.col("score") - F.col("label")) ** 2).alias("squared_error"),
        )
        .toPandas()
    )
    out = {}
    table = pd.DataFrame(table)
    for scorer, rows in table.groupby("scorer"):
        out[str(scorer)] = Histogram(
            rows["score"].to_numpy(float),
            rows["customers"].to_numpy(float),
            rows["positives"].to_numpy(float),
            None if scorer == "recency" else rows["squared_error"].to_numpy(float),
        )
    return out


@dataclass(frozen=True)
class ChurnReport:
    """The comparison, and the rows of the published report tables."""

    summary: dict[str, Any]
    comparison: list[tuple[Any, ...]]
    roc: list[tuple[str, float, float]]
    calibration: list[tuple[Any, ...]]
    importance: list[tuple[str, float, float]]


def report(
    hists: dict[str, Histogram],
    model: ChurnModel,
    cutoff: date,
    train_customers: int,
) -> ChurnReport:
    """Figures per scorer, whether the model beats every baseline, and the report tables."""
    by_scorer = {s: figures(h) for s, h in hists.items()}
    model_auc = by_scorer["model"]["auc_roc"]
    baselines = {s: f["auc_roc"] for s, f in by_scorer.items() if s != "model"}
    not_beaten = sorted(
        s for s, auc in baselines.items() if model_auc is None or auc is None or model_auc <= auc
    )
    if model_auc is None:
        verdict = "not judged: the test set needs churners and stayers"
    elif not_beaten:
        verdict = f"the model does NOT beat {', '.join(not_beaten)} on AUC-ROC"
    else:
        verdict = "the model's AUC-ROC beats every baseline"
    comparison = [
        (
            s,
            f["customers"],
            f["churners"],
            f["auc_roc"],
            f["auc_pr"],
            f["brier"],
            f["top_decile_lift"],
        )
        for s, f in by_scorer.items()
    ]
    calibration = [
        (s, int(row["decile"]), row["customers"], row["mean_value"], row["churned"])
        for s, h in hists.items()
        for row in decile_table(h)
    ]
    roc = [(s, fpr, tpr) for s, h in hists.items() for fpr, tpr in roc_points(h)]
    summary = {
        "cutoff": cutoff.isoformat(),
        "train_customers": train_customers,
        "sample_customers": model.sample_customers,
        "fit_seconds": model.fit_seconds,
        "test_customers": by_scorer["model"]["customers"],
        "scorers": by_scorer,
        "beats_baselines": model_auc is not None and not not_beaten,
        "verdict": verdict,
    }
    return ChurnReport(summary, comparison, roc, calibration, importances(model))


def cutoff_date(as_of: date, settings: PipelineSettings) -> date:
    return as_of - timedelta(days=settings.churn_cutoff_days)
