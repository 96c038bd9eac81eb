"""customer_profile: the golden record joined with every per-customer fact and score.

Every input is reduced to one row per customer_id before the joins, and the golden record drives a
left join, so the profile has exactly one row per customer by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from c360_contract.vocabulary import NO_LOYALTY_TIER
from c360_spark_processing.columns import days_since, money, rate
from c360_spark_processing.facts import Facts
from c360_spark_processing.facts.attribution import records_of
from c360_spark_processing.scores.churn import churn_risk_score, risk_band, risk_status
from c360_spark_processing.scores.clv import predicted_clv
from c360_spark_processing.scores.cross_sell import (
    add_category_gaps,
    category_ranking,
    channels_not_used,
    next_loyalty_tier,
    spend_to_next_tier,
)
from c360_spark_processing.scores.demographics import age_at, generation
from c360_spark_processing.scores.health import engagement_score, health_score, support_score
from c360_spark_processing.scores.rfm import (
    fm_score,
    frequency_score,
    monetary_score,
    recency_score,
    rfm_action,
    rfm_score,
    rfm_segment,
)
from c360_spark_processing.scores.status import customer_status, lifecycle_stage
from c360_spark_processing.settings import PipelineSettings

IDENTITY_SOURCES: dict[str, str] = {
    "crm_ids": "crm",
    "account_ids": "ecommerce",
    "member_ids": "loyalty",
}

ZERO_COUNTS: tuple[str, ...] = (
    "total_orders", "cancelled_orders", "refunded_orders", "failed_orders", "total_units",
    "online_orders", "app_orders", "store_orders",
    "total_sessions", "app_sessions", "web_sessions", "sessions_last_90d", "product_views",
    "add_to_carts", "checkout_starts", "app_purchases", "converting_sessions",
    "total_tickets", "open_tickets", "tickets_last_365d", "low_csat_tickets",
    "service_bookings", "completed_bookings",
)  # fmt: skip
ZERO_MONEY: tuple[str, ...] = (
    "gross_revenue", "refunded_amount", "net_revenue", "total_discount", "total_cost",
    "net_margin", "spend_last_365d", "digital_conversion_rate", "service_spend",
)  # fmt: skip
MODEL_COLUMNS: dict[str, str] = {
    "p_alive": "double",
    "expected_purchases_90d": "double",
    "expected_purchases_365d": "double",
    "expected_order_value": "double",
    "model_clv_12m": "double",
    "churn_probability": "double",
    "cluster_label": "string",
}
"""Per-customer columns of the models stage and their types."""
EMPTY_LISTS: tuple[str, ...] = ("channels_used", "categories_purchased", *IDENTITY_SOURCES)

PROFILE_COLUMNS: tuple[str, ...] = (
    # demographics
    "birth_year", "age", "generation",
    # identities
    "crm_ids", "account_ids", "member_ids", "linked_records",
    # loyalty
    "loyalty_member_id", "loyalty_tier", "points_balance", "lifetime_points", "loyalty_enrolled_at",
    # orders
    "total_orders", "cancelled_orders", "refunded_orders", "failed_orders", "first_order_date",
    "last_order_date", "total_units", "gross_revenue", "refunded_amount", "net_revenue",
    "total_discount", "total_cost", "net_margin", "avg_order_value", "online_orders", "app_orders",
    "store_orders", "channels_used", "preferred_channel", "favorite_category",
    "categories_purchased", "spend_last_365d",
    # digital
    "total_sessions", "app_sessions", "web_sessions", "sessions_last_90d", "product_views",
    "add_to_carts", "checkout_starts", "app_purchases", "converting_sessions",
    "last_session_date", "uses_app", "digital_conversion_rate",
    # support
    "total_tickets", "open_tickets", "tickets_last_365d", "avg_csat", "avg_csat_last_365d",
    "low_csat_tickets", "avg_first_response_hours", "avg_resolution_hours", "last_ticket_date",
    # services
    "service_bookings", "completed_bookings", "service_spend",
    # scores
    "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "fm_score",
    "rfm_score", "rfm_segment", "rfm_action", "engagement_score", "support_score",
    "customer_health_score", "churn_risk_score", "risk_status", "customer_status",
    "lifecycle_stage", "total_spent", "clv_net_revenue", "clv_net_margin", "predicted_clv_12m",
    "tenure_days",
    # models (c360_spark_processing.models)
    "heuristic_clv_12m", "p_alive", "expected_purchases_90d", "expected_purchases_365d",
    "expected_order_value", "churn_probability", "cluster_label",
    # cross-sell
    "channels_not_used", "next_loyalty_tier", "spend_to_next_tier", "categories_not_bought",
    "recommended_category",
)  # fmt: skip
"""Columns after the golden-record columns, in the order of docs/data_model.md."""

ROUNDED_2DP: tuple[str, ...] = (
    "gross_revenue", "refunded_amount", "net_revenue", "total_discount", "total_cost",
    "net_margin", "avg_order_value", "spend_last_365d", "avg_csat", "avg_csat_last_365d",
    "avg_first_response_hours", "avg_resolution_hours", "monetary", "support_score",
    "customer_health_score", "total_spent", "clv_net_revenue", "clv_net_margin",
    "predicted_clv_12m", "spend_to_next_tier", "service_spend", "heuristic_clv_12m",
    "expected_order_value",
)  # fmt: skip
ROUNDED_RATE: tuple[str, ...] = ("churn_risk_score", "p_alive", "churn_probability")
ROUNDED_4DP: tuple[str, ...] = ("expected_purchases_90d", "expected_purchases_365d")


def identity_lists(crosswalk: DataFrame) -> DataFrame:
    """Sorted source ids per customer and the number of linked records (tickets included)."""
    return crosswalk.groupBy("customer_id").agg(
        *[
            F.sort_array(
                F.collect_list(F.when(F.col("source") == src, F.col("source_record_id")))
            ).alias(name)
            for name, src in IDENTITY_SOURCES.items()
        ],
        F.count("*").cast("int").alias("linked_records"),
    )


def loyalty_record(loyalty_members: DataFrame, crosswalk: DataFrame) -> DataFrame:
    """The customer's first (lowest) member id and that membership's tier, points and enrolment."""
    record = F.struct(
        F.col("member_id").alias("loyalty_member_id"),
        F.col("tier").alias("loyalty_tier"),
        "points_balance",
        "lifetime_points",
        F.col("enrolled_at").alias("loyalty_enrolled_at"),
    )
    return (
        loyalty_members.join(records_of(crosswalk, "loyalty", "member_id"), "member_id")
        .groupBy("customer_id")
        .agg(F.min_by(record, F.col("member_id")).alias("_loyalty"))
        .select("customer_id", "_loyalty.*")
    )


def _with_scores(df: DataFrame, as_of: date, settings: PipelineSettings) -> DataFrame:
    """Demographics, RFM, status, health, churn and CLV, in dependency order (unrounded)."""
    col = F.col
    buyer = col("total_orders") > 0
    steps: list[tuple[str, Column]] = [
        ("birth_year", F.year("birth_date")),
        ("age", age_at(col("birth_date"), as_of)),
        ("generation", generation(col("birth_year"), settings)),
        ("loyalty_tier", F.coalesce(col("loyalty_tier"), F.lit(NO_LOYALTY_TIER))),
        ("recency_days", days_since(col("last_order_date"), as_of)),
        ("tenure_days", days_since(col("first_order_date"), as_of)),
        ("frequency", F.when(buyer, col("total_orders"))),
        ("monetary", F.when(buyer, col("net_revenue"))),
        ("r_score", recency_score(col("recency_days"), settings)),
        ("f_score", frequency_score(col("frequency"), settings)),
        ("m_score", monetary_score(col("monetary"), settings)),
        ("fm_score", fm_score(col("f_score"), col("m_score"))),
        ("rfm_score", rfm_score(col("r_score"), col("f_score"), col("m_score"))),
        ("rfm_segment", rfm_segment(col("r_score"), col("fm_score"))),
        ("rfm_action", rfm_action(col("rfm_segment"))),
        ("engagement_score", engagement_score(col("sessions_last_90d"), settings)),
        (
            "support_score",
            support_score(col("tickets_last_365d"), col("avg_csat_last_365d"), settings),
        ),
        (
            "customer_health_score",
            health_score(
                col("r_score"),
                col("f_score"),
                col("m_score"),
                col("engagement_score"),
                col("support_score"),
                settings,
            ),
        ),
        (
            "churn_risk_score",
            churn_risk_score(
                col("recency_days"),
                col("engagement_score"),
                col("support_score"),
                col("frequency"),
                settings,
            ),
        ),
        (
            "risk_status",
            F.coalesce(
                risk_band(col("churn_probability"), settings.churn_probability_thresholds),
                risk_status(col("churn_risk_score"), settings),
            ),
        ),
        (
            "customer_status",
            customer_status(col("total_orders"), col("tenure_days"), col("recency_days"), settings),
        ),
        ("lifecycle_stage", lifecycle_stage(col("customer_status"), col("total_orders"), settings)),
        ("total_spent", col("net_revenue")),
        ("clv_net_revenue", col("net_revenue")),
        ("clv_net_margin", col("net_margin")),
        (
            "heuristic_clv_12m",
            predicted_clv(
                col("total_orders"),
                col("tenure_days"),
                col("avg_order_value"),
                col("churn_risk_score"),
                settings,
            ),
        ),
        # The BG/NBD + Gamma-Gamma value where the models stage produced one, else the heuristic.
        ("predicted_clv_12m", F.coalesce(col("model_clv_12m"), col("heuristic_clv_12m"))),
        ("channels_not_used", channels_not_used(col("channels_used"))),
        ("next_loyalty_tier", next_loyalty_tier(col("loyalty_tier"))),
        (
            "spend_to_next_tier",
            spend_to_next_tier(col("next_loyalty_tier"), col("spend_last_365d"), settings),
        ),
    ]
    for name, rule in steps:
        df = df.withColumn(name, rule)
    return df


def build_customer_profile(
    golden: DataFrame,
    crosswalk: DataFrame,
    loaded: Mapping[str, DataFrame],
    facts: Facts,
    as_of: date,
    settings: PipelineSettings,
    models: DataFrame | None = None,
) -> DataFrame:
    """One row per golden-record customer with every fact, score and cross-sell gap.

    `models` holds the models stage's per-customer columns (MODEL_COLUMNS); without it (or for a
    customer it does not score) they are null and the heuristics stand in.
    """
    empty_list = F.array().cast("array<string>")
    joined = (
        golden.join(identity_lists(crosswalk), "customer_id", "left")
        .join(loyalty_record(loaded["loyalty_members"], crosswalk), "customer_id", "left")
        .join(facts.customer_orders, "customer_id", "left")
        .join(facts.customer_digital, "customer_id", "left")
        .join(facts.customer_support, "customer_id", "left")
        .join(facts.customer_services, "customer_id", "left")
        .fillna(0, subset=list(ZERO_COUNTS))
        .fillna(0.0, subset=list(ZERO_MONEY))
        .fillna(False, subset=["uses_app"])
    )
    if models is not None:
        joined = joined.join(models, "customer_id", "left")
    for name, kind in MODEL_COLUMNS.items():
        if name not in joined.columns:
            joined = joined.withColumn(name, F.lit(None).cast(kind))
    for name in EMPTY_LISTS:
        joined = joined.withColumn(name, F.coalesce(F.col(name), empty_list))
    scored = add_category_gaps(
        _with_scores(joined, as_of, settings),
        category_ranking(facts.customer_orders, loaded["products"]),
    )
    out = [F.col(c) for c in golden.columns]
    for name in PROFILE_COLUMNS:
        if name in ROUNDED_2DP:
            out.append(money(F.col(name)).alias(name))
        elif name in ROUNDED_RATE:
            out.append(rate(F.col(name)).alias(name))
        elif name in ROUNDED_4DP:
            out.append(F.round(F.col(name), 4).alias(name))
        else:
            out.append(F.col(name))
    return scored.select(*out)
