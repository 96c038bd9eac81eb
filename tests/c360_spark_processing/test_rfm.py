"""RFM scores at, just under and just over every threshold, and the full R x FM segment grid."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from pyspark.sql import functions as F

from c360_contract.vocabulary import RFM_SEGMENTS
from c360_spark_processing.scores.rfm import (
    RFM_ACTIONS,
    fm_score,
    frequency_score,
    monetary_score,
    recency_score,
    rfm_action,
    rfm_score,
    rfm_segment,
)
from c360_spark_processing.settings import PipelineSettings

SETTINGS = PipelineSettings()

# (recency_days, R), (frequency, F), (monetary, M): defaults 365/180/90/30, 2/3/5/8, 250/600/1200/2500
RECENCY = [
    (0, 5),
    (30, 5),
    (31, 4),
    (90, 4),
    (91, 3),
    (180, 3),
    (181, 2),
    (365, 2),
    (366, 1),
    (None, None),
]
FREQUENCY = [(1, 1), (2, 2), (3, 3), (4, 3), (5, 4), (7, 4), (8, 5), (40, 5), (0, 1), (None, None)]
MONETARY = [(0.0, 1), (249.99, 1), (250.0, 2), (599.99, 2), (600.0, 3), (1199.99, 3), (1200.0, 4),
            (2499.99, 4), (2500.0, 5), (None, None)]  # fmt: skip

GRID = {  # R -> segments for fm = 1..5, written out from the business rules
    5: ["New Customers", "Potential Loyalists", "Potential Loyalists", "Champions", "Champions"],
    4: ["Promising", "Potential Loyalists", "Potential Loyalists", "Loyal Customers", "Loyal Customers"],
    3: ["About to Sleep", "About to Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"],
    2: ["Hibernating", "Hibernating", "At Risk", "At Risk", "At Risk"],
    1: ["Lost", "Hibernating", "At Risk", "At Risk", "At Risk"],
}  # fmt: skip


def test_r_f_m_scores_at_each_threshold(spark):
    rows = [(r[0], f[0], m[0]) for r, f, m in zip(RECENCY, FREQUENCY, MONETARY, strict=True)]
    df = spark.createDataFrame(rows, "recency_days int, frequency int, monetary double")
    got = df.select(
        recency_score(F.col("recency_days"), SETTINGS).alias("r"),
        frequency_score(F.col("frequency"), SETTINGS).alias("f"),
        monetary_score(F.col("monetary"), SETTINGS).alias("m"),
    ).collect()
    assert [tuple(row) for row in got] == [
        (r[1], f[1], m[1]) for r, f, m in zip(RECENCY, FREQUENCY, MONETARY, strict=True)
    ]


def test_every_segment_cell_fm_rounding_and_score_string(spark):
    cells = [(r, fm) for r in range(1, 6) for fm in range(1, 6)]
    df = spark.createDataFrame([*cells, (None, None)], "r int, fm int")
    got = df.select(
        rfm_segment(F.col("r"), F.col("fm")).alias("segment"),
        rfm_action(rfm_segment(F.col("r"), F.col("fm"))).alias("action"),
        fm_score(F.col("r"), F.col("fm")).alias("mean"),
        rfm_score(F.col("r"), F.col("fm"), F.col("fm")).alias("score"),
    ).collect()
    expected = [GRID[r][fm - 1] for r, fm in cells] + [None]
    assert [row.segment for row in got] == expected
    assert [row.action for row in got] == [RFM_ACTIONS.get(s) if s else None for s in expected]
    # halves round up: (1+2)/2 -> 2, (2+3)/2 -> 3, (4+5)/2 -> 5
    means = {(r, fm): row.mean for (r, fm), row in zip(cells, got, strict=False)}
    assert (means[(1, 2)], means[(2, 3)], means[(4, 5)], means[(1, 5)], means[(2, 2)]) == (
        2,
        3,
        5,
        3,
        2,
    )
    assert got[cells.index((5, 2))].score == "522"
    assert got[-1].score is None


def test_every_segment_has_an_action_and_a_cell():
    assert set(RFM_ACTIONS) == set(RFM_SEGMENTS)
    assert {s for row in GRID.values() for s in row} == set(RFM_SEGMENTS)
    assert RFM_ACTIONS["Champions"] == "Reward them; early access, ask for reviews"


@pytest.mark.parametrize(
    "override",
    [
        {"recency_score_days": [30, 90, 180, 365]},
        {"frequency_score_orders": [2, 3, 5]},
        {"engagement_session_thresholds": [1, 3, 6, 10]},
        {"churn_risk_thresholds": [0.3, 0.5]},
        {"health_weights": {"recency": 0.5, "frequency": 0.5, "monetary": 0.0, "x": 0.0, "y": 0.0}},
        {"loyalty_tier_spend": {"Bronze": 0, "Silver": 500, "Gold": 400, "Platinum": 4000}},
        {"generation_first_birth_year": {"Gen Z": 1981, "Millennials": 1997}},
        {"low_csat_max": 6},
    ],
)
def test_settings_reject_inconsistent_thresholds(override):
    with pytest.raises(ValidationError):
        PipelineSettings(**override)
