"""Customer lifetime value: realised (revenue, margin) and a simple 12-month prediction."""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

from c360_spark_processing.settings import PipelineSettings


def predicted_clv(
    total_orders: Column,
    tenure_days: Column,
    avg_order_value: Column,
    churn_risk: Column,
    settings: PipelineSettings,
) -> Column:
    """Order rate x horizon x average order value x chance of staying; 0 for prospects.

    The tenure floor stops a customer whose only order was last week being annualised to 52 orders.
    """
    order_rate = total_orders / F.greatest(tenure_days, F.lit(settings.clv_min_tenure_days))
    value = order_rate * settings.clv_horizon_days * avg_order_value * (1 - churn_risk)
    return F.when(F.coalesce(total_orders, F.lit(0)) > 0, value).otherwise(F.lit(0.0))
