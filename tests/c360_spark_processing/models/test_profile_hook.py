"""The profile takes the models stage's columns: the model's CLV and churn band where it has them,
the heuristics where it does not (tiny world of analytics_world, hand values)."""

from __future__ import annotations

from typing import Any

import pytest
from pyspark.sql import SparkSession

from c360_spark_processing.profile import build_customer_profile
from c360_spark_processing.settings import PipelineSettings
from tests.c360_spark_processing.analytics_world import AS_OF, built_world, loaded

MODEL_SCHEMA = (
    "customer_id string, p_alive double, expected_purchases_90d double, "
    "expected_purchases_365d double, expected_order_value double, model_clv_12m double, "
    "churn_probability double, cluster_label string"
)


@pytest.fixture(scope="module")
def rows(spark: SparkSession) -> dict[str, dict[str, Any]]:
    frames, facts, _ = built_world(spark)
    models = spark.createDataFrame(
        [
            ("C1", 0.912345, 0.5, 2.25, 41.234, 123.456, 0.6, "Champions"),
            ("C2", None, None, None, None, None, 0.25, None),  # a failed CLV fit
        ],
        MODEL_SCHEMA,
    )
    profile = build_customer_profile(
        frames["golden"],
        frames["crosswalk"],
        loaded(frames),
        facts,
        AS_OF,
        PipelineSettings(),
        models,
    )
    return {r["customer_id"]: r.asDict() for r in profile.collect()}


def test_model_values_win_and_are_rounded(rows: dict[str, dict[str, Any]]) -> None:
    c1 = rows["C1"]
    assert c1["predicted_clv_12m"] == 123.46
    assert c1["heuristic_clv_12m"] == 108.51  # docs/metrics.md's heuristic example
    assert (c1["p_alive"], c1["expected_order_value"], c1["cluster_label"]) == (
        0.9123,
        41.23,
        "Champions",
    )
    assert c1["expected_purchases_365d"] == 2.25
    # churn_probability 0.6 is High by churn_probability_thresholds, whatever churn_risk_score says.
    assert (c1["churn_probability"], c1["churn_risk_score"], c1["risk_status"]) == (
        0.6,
        0.2511,
        "High",
    )


def test_without_a_model_value_the_heuristics_stand_in(rows: dict[str, dict[str, Any]]) -> None:
    c2 = rows["C2"]
    assert c2["predicted_clv_12m"] == c2["heuristic_clv_12m"]
    assert c2["p_alive"] is None
    # 0.25 exactly is Medium (the lower threshold belongs to the band above).
    assert c2["risk_status"] == "Medium"
    others = [r for cid, r in rows.items() if cid not in ("C1", "C2")]
    assert all(r["predicted_clv_12m"] == r["heuristic_clv_12m"] for r in others)
    assert all(r["churn_probability"] is None for r in others)
