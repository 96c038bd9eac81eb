"""Per-customer digital facts from app/web events, built session first then customer.

A session's days are business days (`columns.business_date`).
"""

from __future__ import annotations

from datetime import date

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from c360_spark_processing.columns import business_date, count_where, in_last_days, rate
from c360_spark_processing.facts.attribution import records_of
from c360_spark_processing.settings import PipelineSettings

APP_PLATFORMS: tuple[str, ...] = ("ios", "android")


def customer_digital_facts(
    app_events: DataFrame, crosswalk: DataFrame, as_of: date, settings: PipelineSettings
) -> DataFrame:
    """Sessions, funnel events and conversion per customer, for events up to as-of.

    Aggregating to sessions first avoids several distinct counts over the raw events.
    """
    event = F.col("event_type")
    day = business_date(F.col("ts"), settings.business_timezone)
    sessions = (
        app_events.withColumn("_day", day)
        .filter(F.col("_day") <= F.lit(as_of))
        .join(records_of(crosswalk, "ecommerce", "account_id"), "account_id")
        .groupBy("customer_id", "session_id")
        .agg(
            F.min("_day").alias("start_date"),
            F.max("_day").alias("end_date"),
            F.max(F.col("platform").isin(*APP_PLATFORMS)).alias("is_app"),
            count_where(event == "product_view").alias("product_views"),
            count_where(event == "add_to_cart").alias("add_to_carts"),
            count_where(event == "checkout_start").alias("checkout_starts"),
            count_where(event == "purchase").alias("purchases"),
        )
    )
    window = settings.engagement_window_days
    return (
        sessions.groupBy("customer_id")
        .agg(
            F.count("*").cast("int").alias("total_sessions"),
            count_where(F.col("is_app")).alias("app_sessions"),
            count_where(~F.col("is_app")).alias("web_sessions"),
            count_where(in_last_days(F.col("start_date"), as_of, window)).alias(
                "sessions_last_90d"
            ),
            F.sum("product_views").cast("int").alias("product_views"),
            F.sum("add_to_carts").cast("int").alias("add_to_carts"),
            F.sum("checkout_starts").cast("int").alias("checkout_starts"),
            F.sum("purchases").cast("int").alias("app_purchases"),
            count_where(F.col("purchases") > 0).alias("converting_sessions"),
            F.max("end_date").alias("last_session_date"),
        )
        .withColumn("uses_app", F.col("app_sessions") > 0)
        # Sessions, not purchase events, on top: a session with two purchases converts once,
        # so the rate stays within 0-1.
        .withColumn(
            "digital_conversion_rate", rate(F.col("converting_sessions") / F.col("total_sessions"))
        )
    )
