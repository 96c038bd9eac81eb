"""Binary-classifier figures from a score histogram: what the churn report compares.

Spark reduces a test set to (score, customers, positives, sum of squared errors) per distinct
score, with scores at their published precision (probabilities to 4 decimals, recency in whole
days), so the driver gets at most a few thousand rows however many customers were tested. Every
figure is exact for those scores: tied customers share a rank, counting half in the AUC and
being split evenly across a decile boundary, which is the only fair order for ties.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from c360_spark_processing.models.fitting import FloatArray

DECILES = 10
ROC_POINTS = 50
"""ROC curve points published per scorer (evenly spread over the score ranks)."""


@dataclass(frozen=True)
class Histogram:
    """Per distinct score: customers, positives (label 1) and sum of (score - label)^2."""

    score: FloatArray
    customers: FloatArray
    positives: FloatArray
    squared_error: FloatArray | None = None

    def descending(self) -> Histogram:
        order = np.argsort(-self.score, kind="stable")
        return Histogram(
            self.score[order],
            self.customers[order],
            self.positives[order],
            None if self.squared_error is None else self.squared_error[order],
        )


def auc_roc(h: Histogram) -> float:
    """P(a random churner scores above a random stayer), ties counting half (Mann-Whitney)."""
    d = h.descending()
    negatives = d.customers - d.positives
    negatives_above = np.cumsum(negatives) - negatives
    # A churner loses to every stayer scored above it and half of those scored the same.
    losses = d.positives * (negatives_above + 0.5 * negatives)
    total_pos, total_neg = d.positives.sum(), negatives.sum()
    if not (total_pos and total_neg):
        return float("nan")
    return float(1 - losses.sum() / (total_pos * total_neg))


def auc_pr(h: Histogram) -> float:
    """Average precision: precision at each distinct threshold weighted by the recall it adds."""
    d = h.descending()
    total_pos = d.positives.sum()
    if total_pos == 0:
        return float("nan")
    precision = np.cumsum(d.positives) / np.cumsum(d.customers)
    return float(np.sum(precision * d.positives) / total_pos)


def brier(h: Histogram) -> float | None:
    """Mean squared error of a probability; None for a score that is not one (recency)."""
    if h.squared_error is None:
        return None
    return float(h.squared_error.sum() / h.customers.sum())


def decile_table(h: Histogram) -> list[dict[str, float]]:
    """Customers ranked by score (highest first) in ten equal groups: mean score, churn share.

    A group of tied scores crossing a boundary is shared between the deciles in proportion.
    """
    d = h.descending()
    n = d.customers.sum()
    edges = np.cumsum(d.customers)
    starts = edges - d.customers
    rows = []
    for k in range(DECILES):
        low, high = n * k / DECILES, n * (k + 1) / DECILES
        share = np.clip(np.minimum(edges, high) - np.maximum(starts, low), 0, None)
        weight = np.divide(share, d.customers, out=np.zeros_like(share), where=d.customers > 0)
        customers = float(share.sum())
        rows.append(
            {
                "decile": k + 1,
                "customers": customers,
                "mean_value": float(np.dot(share, d.score) / customers) if customers else 0.0,
                "churned": float(np.dot(weight, d.positives)),
            }
        )
    return rows


def top_decile_lift(h: Histogram) -> float:
    """Churn share among the 10% scored highest over the churn share of everyone."""
    top = decile_table(h)[0]
    base = h.positives.sum() / h.customers.sum()
    return float(top["churned"] / top["customers"] / base) if base and top["customers"] else 0.0


def roc_points(h: Histogram) -> list[tuple[float, float]]:
    """(false-positive rate, true-positive rate) at up to ROC_POINTS thresholds, from (0, 0) to (1, 1)."""
    d = h.descending()
    tpr = np.concatenate([[0.0], np.cumsum(d.positives) / max(d.positives.sum(), 1)])
    negatives = d.customers - d.positives
    fpr = np.concatenate([[0.0], np.cumsum(negatives) / max(negatives.sum(), 1)])
    keep = np.unique(np.linspace(0, len(tpr) - 1, min(ROC_POINTS, len(tpr))).round().astype(int))
    return [(float(fpr[i]), float(tpr[i])) for i in keep]


def _finite(value: float | None) -> float | None:
    """NaN (a figure undefined for this test set) is published as null: JSON has no NaN."""
    return None if value is None or not np.isfinite(value) else value


def figures(h: Histogram) -> dict[str, Any]:
    """Every summary figure of one scorer on one test set (null where undefined)."""
    return {
        "customers": int(h.customers.sum()),
        "churners": int(h.positives.sum()),
        "auc_roc": _finite(auc_roc(h)),
        "auc_pr": _finite(auc_pr(h)),
        "brier": _finite(brier(h)),
        "top_decile_lift": _finite(top_decile_lift(h)),
    }
