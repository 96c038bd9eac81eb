"""Predicted CLV, age and generation boundaries."""

from __future__ import annotations

from datetime import date

import pytest
from pyspark.sql import functions as F

from c360_spark_processing.scores.clv import predicted_clv
from c360_spark_processing.scores.demographics import age_at, generation
from c360_spark_processing.settings import PipelineSettings

SETTINGS = PipelineSettings()


def test_predicted_clv(spark):
    df = spark.createDataFrame(
        [(2, 199, 39.5, 0.25), (1, 16, 30.0, 0.5), (3, 90, 10.0, 0.0), (0, None, None, None)],
        "orders int, tenure int, aov double, churn double",
    )
    got = df.select(
        predicted_clv(F.col("orders"), F.col("tenure"), F.col("aov"), F.col("churn"), SETTINGS)
    ).collect()
    assert [r[0] for r in got] == pytest.approx(
        [
            2 / 199 * 365 * 39.5 * 0.75,
            1 / 90 * 365 * 30.0 * 0.5,  # tenure under the 90-day floor
            3 / 90 * 365 * 10.0,
            0.0,  # prospect
        ]
    )


def test_generation_year_boundaries_and_age(spark):
    cases = [
        (date(2013, 1, 1), "Gen Alpha"), (date(2012, 12, 31), "Gen Z"), (date(1997, 1, 1), "Gen Z"),
        (date(1996, 12, 31), "Millennials"), (date(1981, 1, 1), "Millennials"),
        (date(1980, 12, 31), "Gen X"), (date(1965, 1, 1), "Gen X"),
        (date(1964, 12, 31), "Baby Boomers"), (date(1946, 1, 1), "Baby Boomers"),
        (date(1945, 12, 31), "Silent Generation"), (None, "Unknown"),
    ]  # fmt: skip
    ages = [(date(2000, 12, 31), 25), (date(2001, 1, 1), 24), (date(2000, 12, 30), 25)]
    df = spark.createDataFrame([(c[0],) for c in cases + ages], "birth_date date")
    got = df.select(
        generation(F.year("birth_date"), SETTINGS).alias("g"),
        age_at(F.col("birth_date"), date(2025, 12, 31)).alias("age"),
    ).collect()
    assert [r.g for r in got[: len(cases)]] == [c[1] for c in cases]
    assert [r.age for r in got[len(cases) :]] == [a[1] for a in ages]
    assert got[len(cases) - 1].age is None
