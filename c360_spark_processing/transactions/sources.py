"""The loaded transactions in the retailer's shapes, so the same facts, scores and marts apply:
each invoice an order (bought by the account of its customer id), each row a line, the products
and categories named, and a crosswalk in which every customer id is its own customer."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from c360_contract.uploads import UPLOAD_CHANNEL
from c360_spark_processing.schemas import LOADED_SCHEMAS

ACCOUNT_SOURCE = "ecommerce"
EMPTY_SOURCES: tuple[str, ...] = (
    "crm_customers",
    "ecommerce_accounts",
    "loyalty_members",
    "app_events",
    "support_tickets",
    "postal_codes",
    "stores",
    "services",
    "providers",
    "order_status_events",
    "service_bookings",
)


def _typed(frame: DataFrame, source: str) -> DataFrame:
    return frame.select(*[F.col(f.name).cast(f.dataType) for f in LOADED_SCHEMAS[source].fields])


def orders(rows: DataFrame) -> DataFrame:
    """One completed order per invoice, at its earliest row's time."""
    null = F.lit(None).cast("string")
    return _typed(
        rows.groupBy("invoice_id", "customer_id").agg(F.min("order_ts").alias("order_ts"))
        .select(
            F.col("invoice_id").alias("order_id"),
            F.col("customer_id").alias("account_id"),
            null.alias("member_id"),
            F.lit(UPLOAD_CHANNEL).alias("channel"),
            "order_ts",
            F.lit("completed").alias("status"),
            null.alias("payment_method"),
            null.alias("traffic_source"),
            null.alias("ship_city"),
            null.alias("ship_state"),
            null.alias("ship_postal_code"),
            null.alias("store_id"),
            null.alias("fulfilment"),
            F.lit(None).cast("timestamp").alias("scheduled_for"),
            null.alias("payment_status"),
        ),
        "orders",
    )  # fmt: skip


def product_key(rows: DataFrame) -> DataFrame:
    """Rows with the product they count under: the product column, else one product per
    category (named after it), so category demand works without a product column."""
    return rows.withColumn(
        "product_id", F.coalesce(F.col("product_id"), F.concat(F.lit("category: "), "category"))
    )


def order_lines(rows: DataFrame) -> DataFrame:
    """Each row a line: its quantity (1 without a quantity column) at amount / quantity, so the
    line amount is the row's amount; negative amounts (returns) reduce the invoice."""
    return _typed(
        product_key(rows).select(
            "line_id",
            F.col("invoice_id").alias("order_id"),
            "product_id",
            "quantity",
            (F.col("amount") / F.col("quantity")).alias("unit_price"),
            F.lit(0.0).alias("discount"),
        ),
        "order_lines",
    )


def products(rows: DataFrame) -> DataFrame:
    """One row per product, in its first category (alphabetically); no prices, costs or stock
    are known."""
    null = F.lit(None)
    return _typed(
        product_key(rows).groupBy("product_id").agg(F.min("category").alias("category"))
        .select(
            "product_id",
            F.col("product_id").alias("name"),
            "category",
            null.alias("subcategory"),
            null.alias("brand"),
            null.alias("list_price"),
            null.alias("unit_cost"),
            null.alias("stock_on_hand"),
            null.alias("reorder_point"),
        ),
        "products",
    )  # fmt: skip


def crosswalk(rows: DataFrame) -> DataFrame:
    """Every customer id is one customer, known by its account (the orders' buyer)."""
    return rows.select(
        F.lit(ACCOUNT_SOURCE).alias("source"),
        F.col("customer_id").alias("source_record_id"),
        "customer_id",
    ).distinct()


def loaded_sources(spark: SparkSession, rows: DataFrame) -> dict[str, DataFrame]:
    """Every source the facts read: orders, lines and products from the file, the rest empty."""
    empty = {s: spark.createDataFrame([], LOADED_SCHEMAS[s]) for s in EMPTY_SOURCES}
    return {
        **empty,
        "orders": orders(rows),
        "order_lines": order_lines(rows),
        "products": products(rows),
    }
