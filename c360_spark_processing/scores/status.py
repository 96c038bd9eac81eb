"""customer_status (where a customer is now) and lifecycle_stage (where they are in the journey)."""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

from c360_spark_processing.settings import PipelineSettings


def customer_status(
    total_orders: Column, tenure_days: Column, recency_days: Column, settings: PipelineSettings
) -> Column:
    """Prospect / New / Active / At Risk / Churned, first matching rule wins."""
    return (
        F.when(F.coalesce(total_orders, F.lit(0)) == 0, "Prospect")
        .when(tenure_days <= settings.new_customer_days, "New")
        .when(recency_days <= settings.active_max_recency_days, "Active")
        .when(recency_days <= settings.at_risk_max_recency_days, "At Risk")
        .otherwise("Churned")
    )


def lifecycle_stage(status: Column, total_orders: Column, settings: PipelineSettings) -> Column:
    """Stage from the status; Active splits into Mature and Developing by order count."""
    return (
        F.when(status == "Prospect", "Prospect")
        .when(status == "New", "Onboarding")
        .when((status == "Active") & (total_orders >= settings.mature_min_orders), "Mature")
        .when(status == "Active", "Developing")
        .when(status == "At Risk", "Declining")
        .when(status == "Churned", "Lapsed")
    )
