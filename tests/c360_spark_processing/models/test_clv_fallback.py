"""A CLV fit that cannot succeed leaves its scores null and says why (the profile then uses the
heuristic, see test_profile_hook); a bad time unit is a named error."""

from __future__ import annotations

import pytest
from pyspark.sql import SparkSession

from c360_spark_processing.models.clv import clv_scores, fit_clv
from c360_spark_processing.models.summary import TimeUnitError, unit_days


@pytest.mark.spark
def test_without_repeat_customers_neither_model_is_used(spark: SparkSession) -> None:
    summary = spark.createDataFrame(
        [(f"C{i}", 0, 0.0, float(10 + i), None) for i in range(50)],
        "customer_id string, x int, t_x double, T double, monetary double",
    )
    model = fit_clv(summary, "day")
    assert not model.value_usable
    assert model.gamma_gamma is None
    assert model.repeat_customers == 0
    assert model.problem is not None
    described = model.summary()
    assert described["predicted_clv_12m"] == "heuristic"
    assert described["problem"] == model.problem
    scores = clv_scores(summary, model, 0.1).collect()
    assert len(scores) == 50
    assert all(row["model_clv_12m"] is None for row in scores)
    assert all(row["expected_order_value"] is None for row in scores)


def test_unknown_time_unit_is_refused() -> None:
    assert (unit_days("day"), unit_days("week")) == (1.0, 7.0)
    with pytest.raises(TimeUnitError, match="month"):
        unit_days("month")
