"""Unused channels, next loyalty tier and gap, unbought categories and the recommendation."""

from __future__ import annotations

from pyspark.sql import functions as F

from c360_spark_processing.scores.cross_sell import (
    add_category_gaps,
    category_ranking,
    channels_not_used,
    next_loyalty_tier,
    spend_to_next_tier,
)
from c360_spark_processing.settings import PipelineSettings


def test_channels_and_loyalty_gaps(spark):
    settings = PipelineSettings()  # Silver 500, Gold 1500, Platinum 4000
    rows = [
        (["online", "store"], "Silver", 79.0),
        ([], "No Tier", 10.0),
        (None, None, None),
        (["app", "online", "store"], "Gold", 4500.0),
        (["store"], "Platinum", 9000.0),
        (["app"], "Bronze", 499.99),
    ]
    df = spark.createDataFrame(rows, "used array<string>, tier string, spend double")
    nxt = next_loyalty_tier(F.col("tier"))
    got = df.select(
        channels_not_used(F.col("used")).alias("gap"),
        nxt.alias("next"),
        spend_to_next_tier(nxt, F.col("spend"), settings).alias("to_go"),
    ).collect()
    assert [(r.gap, r.next, r.to_go) for r in got] == [
        (["app"], "Gold", 1421.0),
        (["app", "online", "store"], "Bronze", 0.0),
        (["app", "online", "store"], "Bronze", 0.0),
        ([], "Platinum", 0.0),
        (["app", "online"], None, 0.0),
        (["online", "store"], "Silver", 500.0 - 499.99),
    ]


def test_category_gaps_and_recommendation(spark):
    # buyers: A 2, B 2, C 3, D none (catalogue only); E bought by nobody (y's E line was
    # refunded, so it is not in y's categories_purchased)
    customer_orders = spark.createDataFrame(
        [("x", ["C"]), ("y", ["A", "B", "C"]), ("z", ["C"]), ("w", ["A", "B"])],
        "customer_id string, categories_purchased array<string>",
    )
    products = spark.createDataFrame([(c,) for c in "ABCDE"], "category string")
    profile = spark.createDataFrame(
        [("x", ["C"]), ("y", ["A", "B", "C", "D", "E"]), ("v", [])],
        "customer_id string, categories_purchased array<string>",
    )
    got = {
        r.customer_id: (r.categories_not_bought, r.recommended_category)
        for r in add_category_gaps(profile, category_ranking(customer_orders, products)).collect()
    }
    assert got == {
        "x": (["A", "B", "D", "E"], "A"),  # A and B tie on buyers: alphabetical
        "y": ([], None),
        "v": (["A", "B", "C", "D", "E"], "C"),
    }
