"""Classifier figures from score histograms against brute-force computations over the customers."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from c360_spark_processing.models.evaluation import (
    Histogram,
    auc_pr,
    auc_roc,
    brier,
    decile_table,
    figures,
    roc_points,
    top_decile_lift,
)


def customers(seed: int = 1, n: int = 400) -> pd.DataFrame:
    """Scores at 2 decimals (many ties) and labels that lean on the score."""
    rng = np.random.default_rng(seed)
    score = np.round(rng.random(n), 2)
    label = (rng.random(n) < 0.2 + 0.6 * score).astype(float)
    return pd.DataFrame({"score": score, "label": label})


def histogram(frame: pd.DataFrame, probability: bool = True) -> Histogram:
    grouped = (
        frame.assign(squared_error=(frame.score - frame.label) ** 2)
        .groupby("score")
        .agg(
            customers=("label", "size"),
            positives=("label", "sum"),
            squared_error=("squared_error", "sum"),
        )
    )
    return Histogram(
        grouped.index.to_numpy(float),
        grouped.customers.to_numpy(float),
        grouped.positives.to_numpy(float),
        grouped.squared_error.to_numpy(float) if probability else None,
    )


def brute_auc(frame: pd.DataFrame) -> float:
    pos = frame.score[frame.label == 1].to_numpy()
    neg = frame.score[frame.label == 0].to_numpy()
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def brute_average_precision(frame: pd.DataFrame) -> float:
    """Precision at each distinct threshold (all customers scored at or above it), weighted by
    the churners of that score over all churners."""
    total = frame.label.sum()
    ap = 0.0
    for threshold in sorted(frame.score.unique(), reverse=True):
        above = frame[frame.score >= threshold]
        at = frame[frame.score == threshold]
        ap += above.label.mean() * at.label.sum() / total
    return ap


def test_auc_roc_equals_the_pairwise_count() -> None:
    frame = customers()
    assert auc_roc(histogram(frame)) == pytest.approx(brute_auc(frame), abs=1e-12)


def test_auc_pr_equals_average_precision() -> None:
    frame = customers(2)
    assert auc_pr(histogram(frame)) == pytest.approx(brute_average_precision(frame), abs=1e-12)


def test_brier_is_the_mean_squared_error_and_absent_for_non_probabilities() -> None:
    frame = customers(3)
    assert brier(histogram(frame)) == pytest.approx(((frame.score - frame.label) ** 2).mean())
    assert brier(histogram(frame, probability=False)) is None


def test_deciles_split_ties_evenly_and_lift_is_top_share_over_base() -> None:
    # 20 customers: scores 1.0 (x3, 2 churners), 0.5 (x10, 5), 0.0 (x7, 0).
    frame = pd.DataFrame(
        {"score": [1.0] * 3 + [0.5] * 10 + [0.0] * 7, "label": [1, 1, 0] + [1] * 5 + [0] * 12}
    )
    rows = decile_table(histogram(frame.astype(float)))
    assert [r["customers"] for r in rows] == [2.0] * 10
    # Decile 1 holds two of the three 1.0s: 2/3 of their 2 churners.
    assert rows[0]["churned"] == pytest.approx(4 / 3)
    assert rows[0]["mean_value"] == pytest.approx(1.0)
    # Decile 2: the last 1.0 and one of the 0.5s.
    assert rows[1]["mean_value"] == pytest.approx(0.75)
    assert rows[1]["churned"] == pytest.approx(2 / 3 + 0.5)
    assert sum(r["churned"] for r in rows) == pytest.approx(7)
    lift = top_decile_lift(histogram(frame.astype(float)))
    assert lift == pytest.approx((4 / 3) / 2 / (7 / 20))


def test_roc_points_run_from_origin_to_one_and_never_fall() -> None:
    points = roc_points(histogram(customers(4)))
    assert points[0] == (0.0, 0.0)
    assert points[-1] == (1.0, 1.0)
    assert all(b[0] >= a[0] and b[1] >= a[1] for a, b in itertools.pairwise(points))


def test_figures_without_churners_are_null_not_nan() -> None:
    frame = pd.DataFrame({"score": [0.1, 0.2], "label": [0.0, 0.0]})
    got = figures(histogram(frame))
    assert got["auc_roc"] is None
    assert got["auc_pr"] is None
    assert got["churners"] == 0
