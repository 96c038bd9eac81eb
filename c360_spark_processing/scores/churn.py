"""Churn risk (0-1) of buyers and its Low/Medium/High/Critical band."""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

from c360_contract.vocabulary import RISK_STATUSES
from c360_spark_processing.scores.thresholds import SCORE_MAX
from c360_spark_processing.settings import PipelineSettings


def churn_risk_score(
    recency_days: Column,
    engagement: Column,
    support: Column,
    frequency: Column,
    settings: PipelineSettings,
) -> Column:
    """Weighted risk signals, each 0-1; null for prospects (no recency)."""
    w = settings.churn_weights
    signals = {
        "recency": F.least(recency_days / settings.at_risk_max_recency_days, F.lit(1.0)),
        "engagement": 1 - engagement / SCORE_MAX,
        "support": 1 - support / SCORE_MAX,
        "single_order": F.when(frequency == 1, 1.0).otherwise(0.0),
    }
    total = F.lit(0.0)
    for name, signal in signals.items():
        total = total + F.lit(w[name]) * signal
    return F.when(recency_days.isNotNull(), total)


def risk_status(score: Column, settings: PipelineSettings) -> Column:
    """Band of the heuristic score by churn_risk_thresholds."""
    return risk_band(score, settings.churn_risk_thresholds)


def risk_band(score: Column, thresholds: list[float]) -> Column:
    """Band of a 0-1 risk: below the first threshold Low, ... at or above the last Critical."""
    low, medium, high = thresholds
    return (
        F.when(score.isNull(), None)
        .when(score < low, RISK_STATUSES[0])
        .when(score < medium, RISK_STATUSES[1])
        .when(score < high, RISK_STATUSES[2])
        .otherwise(RISK_STATUSES[3])
    )
