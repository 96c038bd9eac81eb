"""Cross-sell gaps: unused channels, unbought categories (with a recommendation), next loyalty tier."""

from __future__ import annotations

from itertools import pairwise

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from c360_contract.vocabulary import CHANNELS, LOYALTY_TIERS, NO_LOYALTY_TIER
from c360_spark_processing.settings import PipelineSettings


def channels_not_used(channels_used: Column) -> Column:
    """Sales channels without a completed order, sorted."""
    return F.array_except(
        F.array(*[F.lit(c) for c in sorted(CHANNELS)]),
        F.coalesce(channels_used, F.array().cast("array<string>")),
    )


def next_loyalty_tier(tier: Column) -> Column:
    """The tier above the current one; Bronze for non-members, null at the top tier."""
    rule = F.when(tier.isNull() | (tier == NO_LOYALTY_TIER), LOYALTY_TIERS[0])
    for current, following in pairwise(LOYALTY_TIERS):
        rule = rule.when(tier == current, following)
    return rule


def spend_to_next_tier(next_tier: Column, spend: Column, settings: PipelineSettings) -> Column:
    """Spend still missing in the trailing window to reach `next_tier` (0 at the top or when met)."""
    threshold = F.lit(None).cast("double")
    for name, amount in settings.loyalty_tier_spend.items():
        threshold = F.when(next_tier == name, F.lit(float(amount))).otherwise(threshold)
    gap = F.greatest(threshold - F.coalesce(spend, F.lit(0.0)), F.lit(0.0))
    return F.coalesce(gap, F.lit(0.0))


def category_ranking(customer_orders: DataFrame, products: DataFrame) -> DataFrame:
    """One row: every product category, most buyers first (ties alphabetical), and the sorted list.

    A category's buyers are the customers whose `categories_purchased` (the per-customer order
    facts: categories with a completed line, each once) holds it: a count over one row per
    customer, where a distinct count over every order line cost a 20M-line shuffle at 1M
    customers. A one-row aggregate cross-joined to the profile recommends without collecting to
    the driver.
    """
    buyers = (
        customer_orders.select(F.explode("categories_purchased").alias("category"))
        .groupBy("category")
        .agg(F.count("*").alias("buyers"))
    )
    return (
        products.select("category")
        .distinct()
        .join(buyers, "category", "left")
        .agg(
            F.array_sort(
                F.collect_list(
                    F.struct(
                        (-F.coalesce(F.col("buyers"), F.lit(0))).alias("rank"),
                        F.col("category").alias("category"),
                    )
                )
            ).alias("_category_rank"),
            F.sort_array(F.collect_list("category")).alias("_all_categories"),
        )
    )


def add_category_gaps(profile: DataFrame, ranking: DataFrame) -> DataFrame:
    """categories_not_bought and recommended_category (most-bought category not yet bought)."""
    bought = F.coalesce(F.col("categories_purchased"), F.array().cast("array<string>"))
    candidates = F.filter(
        F.col("_category_rank"), lambda x: ~F.array_contains(bought, x["category"])
    )
    return (
        profile.crossJoin(F.broadcast(ranking))
        .withColumn("categories_not_bought", F.array_except(F.col("_all_categories"), bought))
        .withColumn("recommended_category", F.try_element_at(candidates, F.lit(1))["category"])
        .drop("_category_rank", "_all_categories")
    )
