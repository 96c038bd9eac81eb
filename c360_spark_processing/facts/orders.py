"""Order and order-line facts, and the per-customer order facts built from them.

Only orders dated on or before the as-of date count: as-of closes the observation window. An
order's date is its business day (`columns.business_date`), so the cut falls at local midnight.
"""

from __future__ import annotations

from datetime import date

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from c360_contract.vocabulary import CHANNELS
from c360_spark_processing.columns import (
    business_date,
    business_time,
    count_where,
    in_last_days,
    money,
    ratio,
    sum_where,
)
from c360_spark_processing.settings import PipelineSettings

COMPLETED = "completed"
REFUNDED = "refunded"
CANCELLED = "cancelled"
PAYMENT_FAILED = "payment_failed"

FACT_ORDER_COLUMNS: tuple[str, ...] = (
    "order_id",
    "customer_id",
    "channel",
    "order_ts",
    "order_local_ts",
    "order_date",
    "status",
    "payment_method",
    "traffic_source",
    "items",
    "units",
    "gross_amount",
    "discount_amount",
    "cost_amount",
    "net_amount",
)
FACT_LINE_COLUMNS: tuple[str, ...] = (
    "line_id",
    "order_id",
    "customer_id",
    "product_id",
    "category",
    "quantity",
    "unit_price",
    "discount",
    "line_amount",
    "line_cost",
    "status",
    "channel",
    "order_date",
)


def line_amount(quantity: Column, unit_price: Column, discount: Column) -> Column:
    """What the customer paid for a line: quantity x unit price less the line discount."""
    return quantity * unit_price - F.coalesce(discount, F.lit(0.0))


def with_buyer(frame: DataFrame, crosswalk: DataFrame) -> DataFrame:
    """`frame` (an order or booking with account_id and member_id) with its customer: by
    account_id when present (e-commerce account), else by member_id (loyalty card).

    One equi-join on (source, record id) rather than two left joins, so rows without an
    account_id (store orders) are not all hashed to one partition.
    """
    buyers = crosswalk.filter(F.col("source").isin("ecommerce", "loyalty")).select(
        F.col("source").alias("_buyer_source"),
        F.col("source_record_id").alias("_buyer_id"),
        "customer_id",
    )
    keyed = frame.withColumn(
        "_buyer_source",
        F.when(F.col("account_id").isNotNull(), "ecommerce").otherwise("loyalty"),
    ).withColumn("_buyer_id", F.coalesce("account_id", "member_id"))
    return keyed.join(buyers, ["_buyer_source", "_buyer_id"], "left").drop(
        "_buyer_source", "_buyer_id"
    )


def attribute_orders(
    orders: DataFrame, crosswalk: DataFrame, as_of: date, settings: PipelineSettings
) -> DataFrame:
    """Orders up to as-of with their customer (`with_buyer`) and their business-local time and
    day."""
    timezone = settings.business_timezone
    dated = (
        orders.withColumn("order_local_ts", business_time(F.col("order_ts"), timezone))
        .withColumn("order_date", business_date(F.col("order_ts"), timezone))
        .filter(F.col("order_date") <= F.lit(as_of))
    )
    return with_buyer(dated, crosswalk)


def order_line_facts(
    order_lines: DataFrame, attributed_orders: DataFrame, products: DataFrame
) -> DataFrame:
    """Lines of the attributed orders with category, amount and cost (unrounded)."""
    order_keys = attributed_orders.select(
        "order_id", "customer_id", "status", "channel", "order_date"
    )
    catalogue = F.broadcast(products.select("product_id", "category", "unit_cost"))
    return (
        order_lines.join(order_keys, "order_id")
        .join(catalogue, "product_id", "left")
        .withColumn(
            "line_amount", line_amount(F.col("quantity"), F.col("unit_price"), F.col("discount"))
        )
        .withColumn("line_cost", F.col("quantity") * F.col("unit_cost"))
        .select(*FACT_LINE_COLUMNS)
    )


def order_facts(attributed_orders: DataFrame, line_facts: DataFrame) -> DataFrame:
    """One row per order with its line totals (unrounded); orders without lines total 0."""
    totals = line_facts.groupBy("order_id").agg(
        F.count("*").cast("int").alias("items"),
        F.sum("quantity").cast("int").alias("units"),
        F.sum("line_amount").alias("gross_amount"),
        F.sum("discount").alias("discount_amount"),
        F.sum("line_cost").alias("cost_amount"),
    )
    return (
        attributed_orders.join(totals, "order_id", "left")
        .fillna(0, subset=["items", "units"])
        .fillna(0.0, subset=["gross_amount", "discount_amount", "cost_amount"])
        .withColumn(
            "net_amount",
            F.when(F.col("status") == COMPLETED, F.col("gross_amount")).otherwise(F.lit(0.0)),
        )
        .select(*FACT_ORDER_COLUMNS)
    )


def rounded(facts: DataFrame, columns: tuple[str, ...]) -> DataFrame:
    """The published form of a fact table: the named columns (money, hours) to 2 decimals."""
    return facts.select(
        *[money(F.col(c)).alias(c) if c in columns else F.col(c) for c in facts.columns]
    )


def _channel_key(channel: str) -> str:
    return f"{channel}_orders"


def customer_order_facts(
    orders: DataFrame, lines: DataFrame, as_of: date, settings: PipelineSettings
) -> DataFrame:
    """Per-customer order facts (unrounded money) from `order_facts` and `order_line_facts`."""
    completed = F.col("status") == COMPLETED
    refunded = F.col("status") == REFUNDED
    gross = F.col("gross_amount")
    recent = in_last_days(F.col("order_date"), as_of, settings.loyalty_spend_window_days)
    per_channel = [
        count_where(completed & (F.col("channel") == c)).alias(_channel_key(c)) for c in CHANNELS
    ]
    channel_revenue = [
        sum_where(completed & (F.col("channel") == c), gross).alias(f"_{c}_revenue")
        for c in CHANNELS
    ]
    totals = (
        orders.filter(F.col("customer_id").isNotNull())
        .groupBy("customer_id")
        .agg(
            count_where(completed).alias("total_orders"),
            count_where(F.col("status") == CANCELLED).alias("cancelled_orders"),
            count_where(refunded).alias("refunded_orders"),
            count_where(F.col("status") == PAYMENT_FAILED).alias("failed_orders"),
            F.min(F.when(completed, F.col("order_date"))).alias("first_order_date"),
            F.max(F.when(completed, F.col("order_date"))).alias("last_order_date"),
            F.sum(F.when(completed, F.col("units")).otherwise(0)).cast("int").alias("total_units"),
            sum_where(completed | refunded, gross).alias("gross_revenue"),
            sum_where(refunded, gross).alias("refunded_amount"),
            sum_where(completed, gross).alias("net_revenue"),
            sum_where(completed, F.col("discount_amount")).alias("total_discount"),
            sum_where(completed, F.col("cost_amount")).alias("total_cost"),
            *per_channel,
            *channel_revenue,
            F.sort_array(F.collect_set(F.when(completed, F.col("channel")))).alias("channels_used"),
            sum_where(completed & recent, gross).alias("spend_last_365d"),
        )
        .withColumn("net_margin", F.col("net_revenue") - F.col("total_cost"))
        .withColumn("avg_order_value", ratio(F.col("net_revenue"), F.col("total_orders")))
        .withColumn("preferred_channel", _preferred_channel())
        .drop(*[f"_{c}_revenue" for c in CHANNELS])
    )
    return totals.join(_customer_categories(lines), "customer_id", "left").withColumn(
        "categories_purchased",
        F.coalesce(F.col("categories_purchased"), F.array().cast("array<string>")),
    )


def _preferred_channel() -> Column:
    """Channel with most completed orders; ties by revenue, then online > app > store."""
    ranked = F.array_max(
        F.array(
            *[
                F.struct(
                    F.col(_channel_key(c)).alias("orders"),
                    F.col(f"_{c}_revenue").alias("revenue"),
                    F.lit(-i).alias("priority"),
                    F.lit(c).alias("channel"),
                )
                for i, c in enumerate(CHANNELS)
            ]
        )
    )
    return F.when(F.col("total_orders") > 0, ranked["channel"])


def _customer_categories(lines: DataFrame) -> DataFrame:
    """favorite_category (most net revenue, ties alphabetical) and categories_purchased."""
    per_category = (
        lines.filter((F.col("status") == COMPLETED) & F.col("customer_id").isNotNull())
        .groupBy("customer_id", "category")
        .agg(F.sum("line_amount").alias("_revenue"))
    )
    return per_category.groupBy("customer_id").agg(
        F.min_by("category", F.struct(-F.col("_revenue"), F.col("category"))).alias(
            "favorite_category"
        ),
        F.sort_array(F.collect_list("category")).alias("categories_purchased"),
    )
