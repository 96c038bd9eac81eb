"""Churn features and labels on hand-made frames, with values worked out by hand; the split; the
training sample; the Spark scoring against scikit-learn's own prediction."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from c360_spark_processing.models.churn import (
    FEATURES,
    ChurnModel,
    churn_features,
    churn_labels,
    fit,
    in_training,
    sample_training,
    score,
)
from c360_spark_processing.settings import PipelineSettings

CUTOFF = date(2025, 7, 1)
AS_OF = date(2025, 9, 29)
SETTINGS = PipelineSettings()

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def frames(spark: SparkSession):
    orders = spark.createDataFrame(
        [
            ("C1", date(2025, 1, 10), 10.0, "online"),
            ("C1", date(2025, 3, 1), 20.0, "app"),
            ("C1", date(2025, 6, 20), 30.0, "store"),
            ("C1", date(2025, 8, 1), 5.0, "online"),  # after the cut-off: only the label sees it
            ("C2", date(2025, 6, 30), 50.0, "online"),
            ("C3", date(2025, 7, 15), 5.0, "online"),  # first bought after the cut-off
            ("C4", date(2025, 9, 30), 5.0, "online"),  # after as-of: ignored by the label
            ("C4", date(2025, 5, 2), 8.0, "app"),
        ],
        "customer_id string, order_date date, net_amount double, channel string",
    )
    sessions = spark.createDataFrame(
        [
            ("C1", date(2025, 6, 25)),  # 6 days before the cut-off
            ("C1", date(2025, 4, 15)),  # 77 days
            ("C1", date(2025, 1, 1)),  # 181 days: outside both windows
            ("C1", date(2025, 7, 2)),  # after the cut-off
        ],
        "customer_id string, start_date date",
    )
    tickets = spark.createDataFrame(
        [
            ("C1", "2025-05-01 10:00:00", 2),
            ("C1", "2024-01-01 10:00:00", 5),  # older than 365 days
            ("C1", "2025-07-05 10:00:00", 1),  # after the cut-off
            ("C2", "2025-06-01 10:00:00", None),  # unrated
        ],
        "customer_id string, created_at string, csat int",
    ).withColumn("created_at", F.to_timestamp("created_at"))
    tiers = spark.createDataFrame(
        [("C1", "Gold"), ("C2", None)], "customer_id string, loyalty_tier string"
    )
    return orders, sessions, tickets, tiers


def test_features_at_the_cut_off(frames) -> None:
    orders, sessions, tickets, tiers = frames
    features = churn_features(orders, sessions, tickets, tiers, CUTOFF, SETTINGS)
    rows = {r["customer_id"]: r.asDict() for r in features.collect()}
    assert set(rows) == {"C1", "C2", "C4"}
    c1 = rows["C1"]
    assert (c1["recency_days"], c1["frequency"]) == (11, 3)
    assert c1["log_recency_days"] == pytest.approx(math.log1p(11))
    assert c1["log_monetary"] == pytest.approx(math.log1p(60))
    assert c1["log_tenure_days"] == pytest.approx(math.log1p(172))  # 2025-01-10 .. 2025-07-01
    assert c1["log_mean_gap_days"] == pytest.approx(math.log1p(161 / 2))
    # Last 90 days (after 2025-04-02): 06-20; the 90 before: 01-10 and 03-01.
    assert c1["order_trend"] == -1.0
    assert (c1["sessions_last_30d"], c1["sessions_last_90d"]) == (1, 2)
    assert (c1["tickets_last_365d"], c1["low_csat_tickets"], c1["support_score"]) == (1, 1, 2.0)
    assert c1["loyalty_tier_rank"] == 3.0
    assert [c1[f"{c}_order_share"] for c in ("online", "app", "store")] == pytest.approx(
        [1 / 3] * 3
    )
    c2 = rows["C2"]
    assert (c2["recency_days"], c2["log_mean_gap_days"]) == (1, pytest.approx(math.log1p(1)))
    assert (c2["order_trend"], c2["sessions_last_90d"], c2["loyalty_tier_rank"]) == (1.0, 0, 0.0)
    # A ticket without a rating: the documented no-csat support score.
    assert c2["support_score"] == SETTINGS.support_score_no_csat
    assert set(FEATURES) - set(features.columns) == {"bgnbd_no_purchase"}  # joined by with_bgnbd


def test_labels(frames) -> None:
    orders = frames[0]
    labels = {r["customer_id"]: r["label"] for r in churn_labels(orders, CUTOFF, AS_OF).collect()}
    # C1 bought again after the cut-off; C2 did not; C4's later order is after as-of.
    assert labels == {"C1": 0.0, "C2": 1.0, "C4": 1.0}


def test_the_split_is_seeded_stable_and_eighty_twenty(spark: SparkSession) -> None:
    ids = spark.range(20_000).select(F.concat(F.lit("C"), F.col("id")).alias("customer_id"))
    flagged = ids.select("customer_id", in_training(F.col("customer_id"), SETTINGS).alias("t"))
    (share,) = flagged.agg(F.avg(F.col("t").cast("double"))).collect()[0]
    assert share == pytest.approx(0.8, abs=0.01)
    again = ids.select(in_training(F.col("customer_id"), SETTINGS).alias("t"))
    assert flagged.select("t").collect() == again.collect()
    other = SETTINGS.model_copy(update={"churn_seed": 7})
    moved = (
        ids.select(
            (
                in_training(F.col("customer_id"), SETTINGS)
                != in_training(F.col("customer_id"), other)
            )
            .cast("int")
            .alias("d")
        )
        .agg(F.sum("d"))
        .collect()[0][0]
    )
    assert moved > 1000  # another seed is another split


def test_the_training_sample_is_bounded_and_reproducible(spark: SparkSession) -> None:
    settings = SETTINGS.model_copy(update={"churn_sample_size": 100})
    training = spark.range(1000).select(
        F.concat(F.lit("C"), F.col("id")).alias("customer_id"),
        (F.col("id") % 2).alias("label"),
        *[F.col("id").cast("double").alias(f) for f in FEATURES],  # the id, to tell rows apart
    )
    ids = {r[1] for r in sample_training(training, settings).collect()}
    assert len(ids) == 100
    assert {r[1] for r in sample_training(training, settings).collect()} == ids
    other = settings.model_copy(update={"churn_seed": 7})
    assert {r[1] for r in sample_training(training, other).collect()} != ids
    assert sample_training(training.limit(30), settings).count() == 30  # fewer: all of them


def test_the_spark_column_scores_as_scikit_learn_predicts(spark: SparkSession) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, len(FEATURES))) * rng.uniform(0.5, 20, len(FEATURES)) + 5
    x[:, 3] = 2.0  # a constant feature: scale 1, coefficient 0
    labels = (x[:, 0] / 10 + x[:, 1] / 5 + rng.normal(size=200) > 1).astype(float)
    estimator, means, scales = fit(np.column_stack([labels, x]), SETTINGS.churn_reg_param)
    assert scales[3] == 1.0
    model = ChurnModel(means, scales, estimator.coef_[0], float(estimator.intercept_[0]), 200, 0.0)
    frame = spark.createDataFrame(
        [(f"C{i}", *map(float, row)) for i, row in enumerate(x)],
        ["customer_id", *FEATURES],
    )
    scored = {r["customer_id"]: r["churn_probability"] for r in score(model, frame).collect()}
    expected = estimator.predict_proba((x - means) / scales)[:, 1]
    assert [scored[f"C{i}"] for i in range(200)] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert 0 < expected.min() < 0.5 < expected.max() < 1  # both classes are predicted
