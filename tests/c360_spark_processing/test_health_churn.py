"""Engagement, support, health and churn scores on hand-computed examples and boundaries."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from c360_spark_processing.scores.churn import churn_risk_score, risk_status
from c360_spark_processing.scores.health import engagement_score, health_score, support_score
from c360_spark_processing.settings import PipelineSettings

SETTINGS = PipelineSettings()
col = F.col


def test_engagement_and_support_scores(spark):
    # session thresholds 1/3/6/10/15 in the window
    sessions = [(0, 0), (1, 1), (2, 1), (3, 2), (5, 2), (6, 3), (9, 3), (10, 4), (14, 4),
                (15, 5), (99, 5), (None, 0)]  # fmt: skip
    support = [(0, None, 5.0), (2, 3.5, 3.5), (1, None, 3.0), (None, None, 5.0), (1, 1.0, 1.0)]
    df = spark.createDataFrame(
        [(s[0], None, None) for s in sessions] + [(None, t[0], t[1]) for t in support],
        "sessions int, tickets int, csat double",
    )
    got = df.select(
        engagement_score(col("sessions"), SETTINGS).alias("e"),
        support_score(col("tickets"), col("csat"), SETTINGS).alias("s"),
    ).collect()
    assert [r.e for r in got[: len(sessions)]] == [s[1] for s in sessions]
    assert [r.s for r in got[len(sessions) :]] == [t[2] for t in support]


def test_health_and_churn_hand_computed(spark):
    df = spark.createDataFrame(
        [
            (5, 2, 1, 1, 4.0, 30, 2),  # active buyer
            (1, 1, 1, 0, 3.0, 395, 1),  # long gone single-order buyer
            (None, None, None, 0, 5.0, None, None),  # prospect
        ],
        "r int, f int, m int, e int, s double, recency int, frequency int",
    )
    got = df.select(
        health_score(col("r"), col("f"), col("m"), col("e"), col("s"), SETTINGS).alias("h"),
        churn_risk_score(col("recency"), col("e"), col("s"), col("frequency"), SETTINGS).alias("c"),
    ).collect()
    # 0.30*5 + 0.20*2 + 0.20*1 + 0.15*1 + 0.15*4 = 2.85 ; prospect: 0.15*5 = 0.75
    assert [r.h for r in got] == pytest.approx([2.85, 1.15, 0.75])
    # 0.55*30/270 + 0.20*(1-1/5) + 0.15*(1-4/5) + 0.10*0 ; 0.55*1 + 0.20*1 + 0.15*0.4 + 0.10*1
    assert got[0].c == pytest.approx(0.55 * 30 / 270 + 0.16 + 0.03)
    assert got[1].c == pytest.approx(0.91)
    assert got[2].c is None


def test_risk_status_boundaries(spark):
    # thresholds 0.30 / 0.55 / 0.75: below -> lower band, at -> next band
    cases = [(0.0, "Low"), (0.2999, "Low"), (0.30, "Medium"), (0.5499, "Medium"), (0.55, "High"),
             (0.7499, "High"), (0.75, "Critical"), (1.0, "Critical"), (None, None)]  # fmt: skip
    df = spark.createDataFrame([(c[0],) for c in cases], "score double")
    got = df.select(risk_status(col("score"), SETTINGS).alias("band")).collect()
    assert [r.band for r in got] == [c[1] for c in cases]
