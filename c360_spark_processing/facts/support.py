"""Support ticket facts (with response and resolution times) and per-customer support facts.

A ticket's day is the business day of its creation (`columns.business_date`).
"""

from __future__ import annotations

from datetime import date

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from c360_spark_processing.columns import business_date, count_where, in_last_days
from c360_spark_processing.facts.attribution import records_of
from c360_spark_processing.settings import PipelineSettings

OPEN_STATUSES: tuple[str, ...] = ("open", "pending")

FACT_TICKET_COLUMNS: tuple[str, ...] = (
    "ticket_id",
    "customer_id",
    "created_at",
    "first_response_at",
    "resolved_at",
    "channel",
    "category",
    "priority",
    "status",
    "csat",
    "first_response_hours",
    "resolution_hours",
)


def hours_between(start: Column, end: Column) -> Column:
    """Elapsed hours between two timestamps (null when either is missing)."""
    return (end.cast("long") - start.cast("long")) / 3600.0


def ticket_facts(
    support_tickets: DataFrame, crosswalk: DataFrame, as_of: date, settings: PipelineSettings
) -> DataFrame:
    """Tickets created up to as-of with their customer and timings (hours unrounded)."""
    created = business_date(F.col("created_at"), settings.business_timezone)
    return (
        support_tickets.filter(created <= F.lit(as_of))
        .join(records_of(crosswalk, "support", "ticket_id"), "ticket_id", "left")
        .withColumn(
            "first_response_hours", hours_between(F.col("created_at"), F.col("first_response_at"))
        )
        .withColumn("resolution_hours", hours_between(F.col("created_at"), F.col("resolved_at")))
        .select(*FACT_TICKET_COLUMNS)
    )


def customer_support_facts(
    tickets: DataFrame, as_of: date, settings: PipelineSettings
) -> DataFrame:
    """Ticket counts, satisfaction and timings per customer (averages unrounded)."""
    created = business_date(F.col("created_at"), settings.business_timezone)
    recent = in_last_days(created, as_of, settings.support_window_days)
    return (
        tickets.filter(F.col("customer_id").isNotNull())
        .groupBy("customer_id")
        .agg(
            F.count("*").cast("int").alias("total_tickets"),
            count_where(F.col("status").isin(*OPEN_STATUSES)).alias("open_tickets"),
            count_where(recent).alias("tickets_last_365d"),
            F.avg("csat").alias("avg_csat"),
            F.avg(F.when(recent, F.col("csat"))).alias("avg_csat_last_365d"),
            count_where(F.col("csat") <= settings.low_csat_max).alias("low_csat_tickets"),
            F.avg("first_response_hours").alias("avg_first_response_hours"),
            F.avg("resolution_hours").alias("avg_resolution_hours"),
            F.max(created).alias("last_ticket_date"),
        )
    )
