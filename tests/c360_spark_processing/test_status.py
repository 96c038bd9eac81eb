"""customer_status and lifecycle_stage at the exact day and order-count boundaries."""

from __future__ import annotations

from pyspark.sql import functions as F

from c360_spark_processing.scores.status import customer_status, lifecycle_stage
from c360_spark_processing.settings import PipelineSettings

# defaults: new <= 60 days since first order, active <= 120, at risk <= 270, mature >= 5 orders
CASES = [
    # total_orders, tenure_days, recency_days, status, stage
    (0, None, None, "Prospect", "Prospect"),
    (1, 0, 0, "New", "Onboarding"),
    (1, 60, 60, "New", "Onboarding"),
    (1, 61, 61, "Active", "Developing"),
    (4, 400, 120, "Active", "Developing"),
    (5, 400, 120, "Active", "Mature"),
    (5, 400, 121, "At Risk", "Declining"),
    (3, 400, 270, "At Risk", "Declining"),
    (3, 400, 271, "Churned", "Lapsed"),
    (9, 40, 40, "New", "Onboarding"),
]


def test_status_and_stage_boundaries(spark):
    settings = PipelineSettings()
    df = spark.createDataFrame(
        [c[:3] for c in CASES], "total_orders int, tenure_days int, recency_days int"
    )
    status = customer_status(
        F.col("total_orders"), F.col("tenure_days"), F.col("recency_days"), settings
    )
    got = (
        df.withColumn("status", status)
        .withColumn("stage", lifecycle_stage(F.col("status"), F.col("total_orders"), settings))
        .collect()
    )
    assert [(r.status, r.stage) for r in got] == [c[3:] for c in CASES]


def test_status_follows_settings(spark):
    settings = PipelineSettings(
        new_customer_days=0, active_max_recency_days=10, at_risk_max_recency_days=20
    )
    df = spark.createDataFrame([(1, 1, 10), (1, 1, 11), (1, 1, 21)], "o int, t int, r int")
    got = df.select(customer_status(F.col("o"), F.col("t"), F.col("r"), settings).alias("s"))
    assert [r.s for r in got.collect()] == ["Active", "At Risk", "Churned"]
