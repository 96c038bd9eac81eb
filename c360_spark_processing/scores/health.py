"""Engagement and support sub-scores (0-5) and the customer health score that weighs them."""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

from c360_spark_processing.scores.thresholds import SCORE_MAX, thresholds_met
from c360_spark_processing.settings import PipelineSettings


def engagement_score(sessions_in_window: Column, settings: PipelineSettings) -> Column:
    """Number of session thresholds reached in the engagement window (0 without sessions)."""
    return thresholds_met(
        F.coalesce(sessions_in_window, F.lit(0)), settings.engagement_session_thresholds
    )


def support_score(
    tickets_in_window: Column, avg_csat_in_window: Column, settings: PipelineSettings
) -> Column:
    """5 without recent tickets; else the recent average csat; else the no-csat default."""
    return (
        F.when(F.coalesce(tickets_in_window, F.lit(0)) == 0, F.lit(float(SCORE_MAX)))
        .when(avg_csat_in_window.isNotNull(), avg_csat_in_window.cast("double"))
        .otherwise(F.lit(settings.support_score_no_csat))
    )


def health_score(
    r: Column, f: Column, m: Column, engagement: Column, support: Column, settings: PipelineSettings
) -> Column:
    """Weighted sum of the sub-scores (0-5); prospects score 0 on R, F and M."""
    w = settings.health_weights
    parts = {"recency": r, "frequency": f, "monetary": m, "engagement": engagement}
    total = F.lit(w["support"]) * support
    for name, score in parts.items():
        total = total + F.lit(w[name]) * F.coalesce(score, F.lit(0))
    return total
