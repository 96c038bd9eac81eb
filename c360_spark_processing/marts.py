"""Marts: one small table per business question, aggregated from the profile and the facts.

Every customer-level mart groups the whole profile, so prospects appear under their own status,
stage or tier. Shares of a total are a window over one constant partition: the marts are small,
and the frame is computed once (`with_share`).
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from c360_contract.vocabulary import CHANNELS
from c360_spark_processing.columns import count_where, money, pct, rate, ratio, sum_where
from c360_spark_processing.facts import Facts
from c360_spark_processing.facts.orders import COMPLETED, REFUNDED
from c360_spark_processing.facts.support import OPEN_STATUSES
from c360_spark_processing.scores.rfm import rfm_action, rfm_segment
from c360_spark_processing.settings import PipelineSettings

col = F.col


def avg2(name: str) -> Column:
    """Average of a column, 2 decimals (null when every value is null)."""
    return F.round(F.avg(name), 2)


def _customers() -> Column:
    return F.count("*").cast("int").alias("customers")


def with_share(df: DataFrame, value: str, out: str) -> DataFrame:
    """Adds `out` = value as a percentage of the column's total over all rows of the small `df`.

    A window over one constant partition, so `df` is computed once: a cross join with its own
    total computed it twice, which for category_insights meant two passes over every order line.
    """
    total = F.sum(value).over(Window.partitionBy(F.lit(0)))
    return df.withColumn(out, pct(col(value), total))


def health_overview(profile: DataFrame) -> DataFrame:
    """Customers, value and risk per customer_status."""
    grouped = profile.groupBy("customer_status").agg(
        _customers(),
        avg2("customer_health_score").alias("avg_health_score"),
        rate(F.avg("churn_risk_score")).alias("avg_churn_risk"),
        money(F.sum("net_revenue")).alias("total_net_revenue"),
        avg2("net_revenue").alias("avg_net_revenue"),
        avg2("recency_days").alias("avg_recency_days"),
        avg2("total_orders").alias("avg_orders"),
    )
    return with_share(grouped, "customers", "pct_of_customers").select(
        "customer_status", "customers", "pct_of_customers", "avg_health_score", "avg_churn_risk",
        "total_net_revenue", "avg_net_revenue", "avg_recency_days", "avg_orders",
    )  # fmt: skip


def loyalty_metrics(profile: DataFrame) -> DataFrame:
    """Members, points, value and status mix per loyalty tier (non-members as `No Tier`)."""
    grouped = profile.groupBy("loyalty_tier").agg(
        F.count("*").cast("int").alias("members"),
        avg2("points_balance").alias("avg_points_balance"),
        avg2("lifetime_points").alias("avg_lifetime_points"),
        money(F.sum("net_revenue")).alias("total_net_revenue"),
        avg2("net_revenue").alias("avg_net_revenue"),
        avg2("total_orders").alias("avg_orders"),
        avg2("customer_health_score").alias("avg_health_score"),
        pct(count_where(col("customer_status") == "Active"), F.count("*")).alias("active_pct"),
        pct(count_where(col("customer_status") == "Churned"), F.count("*")).alias("churned_pct"),
    )
    return with_share(grouped, "members", "pct_of_customers").select(
        "loyalty_tier", "members", "pct_of_customers", "avg_points_balance",
        "avg_lifetime_points", "total_net_revenue", "avg_net_revenue", "avg_orders",
        "avg_health_score", "active_pct", "churned_pct",
    )  # fmt: skip


def segment_summary(profile: DataFrame) -> DataFrame:
    """Status mix and value per CRM customer_segment."""
    status = col("customer_status")
    return profile.groupBy("customer_segment").agg(
        _customers(),
        count_where(status == "Active").alias("active_customers"),
        count_where(status == "At Risk").alias("at_risk_customers"),
        count_where(status == "Churned").alias("churned_customers"),
        count_where(status == "Prospect").alias("prospects"),
        avg2("customer_health_score").alias("avg_health_score"),
        avg2("net_revenue").alias("avg_net_revenue"),
        money(F.sum("net_revenue")).alias("total_net_revenue"),
        avg2("total_orders").alias("avg_orders"),
        money(ratio(F.sum("net_revenue"), F.sum("total_orders"))).alias("avg_order_value"),
        pct(count_where(status == "Churned"), F.count("*")).alias("churn_pct"),
    )


def _completed_orders_of(fact_orders: DataFrame, profile: DataFrame, key: str) -> DataFrame:
    """Completed orders with one profile attribute (`key`) attached by customer_id."""
    return fact_orders.filter(col("status") == COMPLETED).join(
        profile.select("customer_id", key), "customer_id"
    )


def digital_engagement(profile: DataFrame, fact_orders: DataFrame) -> DataFrame:
    """App adoption, sessions, conversion and channel revenue mix per generation."""
    usage = profile.groupBy("generation").agg(
        _customers(),
        count_where(col("uses_app")).alias("app_users"),
        pct(count_where(col("uses_app")), F.count("*")).alias("app_adoption_pct"),
        avg2("total_sessions").alias("avg_sessions"),
        avg2("app_sessions").alias("avg_app_sessions"),
        avg2("product_views").alias("avg_product_views"),
        rate(
            F.coalesce(ratio(F.sum("converting_sessions"), F.sum("total_sessions")), F.lit(0.0))
        ).alias("digital_conversion_rate"),
    )
    net = col("net_amount")
    revenue = (
        _completed_orders_of(fact_orders, profile, "generation")
        .groupBy("generation")
        .agg(
            *[
                pct(sum_where(col("channel") == c, net), F.sum(net)).alias(f"{c}_revenue_share_pct")
                for c in CHANNELS
            ]
        )
    )
    return usage.join(revenue, "generation", "left").select(
        "generation", "customers", "app_users", "app_adoption_pct", "avg_sessions",
        "avg_app_sessions", "avg_product_views", "digital_conversion_rate",
        "app_revenue_share_pct", "online_revenue_share_pct", "store_revenue_share_pct",
    )  # fmt: skip


def _opportunity(
    profile: DataFrame, kind: str, targets: str, eligible: Column, used: str, gap: Column | None
) -> DataFrame:
    """Long rows (opportunity_type, target, is_eligible, ...) for one kind of opportunity."""
    common: list[Column | str] = [
        F.lit(kind).alias("opportunity_type"),
        "net_revenue",
        "avg_order_value",
    ]
    no_gap = F.lit(None).cast("double")
    candidates = profile.filter(eligible).select(
        *common,
        F.explode(targets).alias("target"),
        F.lit(True).alias("is_eligible"),
        (gap if gap is not None else no_gap).alias("gap"),
    )
    users = profile.select(
        *common,
        F.explode(F.array(col(used)) if used == "loyalty_tier" else col(used)).alias("target"),
        F.lit(False).alias("is_eligible"),
        no_gap.alias("gap"),
    )
    return candidates.unionByName(users)


def cross_sell(profile: DataFrame) -> DataFrame:
    """Eligible customers, their value and the revenue potential per channel/category/tier gap.

    Channel and category gaps are for buyers only; loyalty upgrades for every customer.
    """
    buyer = col("total_orders") > 0
    tiers = profile.withColumn("_next_tier", F.array_compact(F.array(col("next_loyalty_tier"))))
    rows = (
        _opportunity(profile, "channel", "channels_not_used", buyer, "channels_used", None)
        .unionByName(
            _opportunity(
                profile, "category", "categories_not_bought", buyer, "categories_purchased", None
            )
        )
        .unionByName(
            _opportunity(
                tiers,
                "loyalty_upgrade",
                "_next_tier",
                F.lit(True),
                "loyalty_tier",
                col("spend_to_next_tier"),
            )
        )
    )
    eligible = col("is_eligible")
    return (
        rows.groupBy("opportunity_type", "target")
        .agg(
            count_where(eligible).alias("eligible_customers"),
            F.round(F.avg(F.when(eligible, col("net_revenue"))), 2).alias("avg_net_revenue"),
            F.round(F.avg(F.when(eligible, col("gap"))), 2).alias("avg_gap"),
            F.avg(F.when(~eligible, col("avg_order_value"))).alias("_users_aov"),
        )
        .filter(col("eligible_customers") > 0)
        .withColumn("potential_revenue", money(col("eligible_customers") * col("_users_aov")))
        .drop("_users_aov")
    )


def category_insights(fact_order_lines: DataFrame, products: DataFrame) -> DataFrame:
    """Sales, margin, discount, refunds and repeat buying per product category, plus stock.

    Lines are reduced to (category, customer, order) then (category, customer) first, so no
    distinct count runs over the raw lines.
    """
    completed = col("status") == COMPLETED
    per_order = fact_order_lines.groupBy("category", "customer_id", "order_id", "status").agg(
        F.sum("quantity").alias("units"),
        F.sum("line_amount").alias("amount"),
        F.sum("line_cost").alias("cost"),
        F.sum("discount").alias("discount"),
        F.sum(col("quantity") * col("unit_price")).alias("list_amount"),
    )
    per_customer = per_order.groupBy("category", "customer_id").agg(
        count_where(completed).alias("orders"),
        count_where(col("status") == REFUNDED).alias("refunded_orders"),
        count_where(col("status").isin(COMPLETED, REFUNDED)).alias("sold_orders"),
        F.sum(F.when(completed, col("units")).otherwise(0)).alias("units"),
        *[
            sum_where(completed, col(c)).alias(c)
            for c in ("amount", "cost", "discount", "list_amount")
        ],
    )
    sales = per_customer.groupBy("category").agg(
        F.sum("orders").cast("int").alias("orders"),
        count_where(col("orders") > 0).alias("customers"),
        F.sum("units").cast("int").alias("units"),
        F.sum("amount").alias("net_revenue"),
        (F.sum("amount") - F.sum("cost")).alias("net_margin"),
        pct(F.sum("discount"), F.sum("list_amount")).alias("avg_discount_pct"),
        pct(F.sum("refunded_orders"), F.sum("sold_orders")).alias("refund_rate_pct"),
        pct(count_where(col("orders") >= 2), count_where(col("orders") > 0)).alias(
            "repeat_customer_pct"
        ),
    )
    stock = products.groupBy("category").agg(
        F.count("*").cast("int").alias("products"),
        count_where(col("stock_on_hand") < col("reorder_point")).alias(
            "products_below_reorder_point"
        ),
    )
    joined = (
        stock.join(sales, "category", "left")
        .fillna(0, subset=["orders", "customers", "units"])
        .fillna(0.0, subset=["net_revenue", "net_margin"])
        .withColumn("margin_pct", pct(col("net_margin"), col("net_revenue")))
    )
    return with_share(joined, "net_revenue", "revenue_share_pct").select(
        "category", "orders", "customers", "units",
        money(col("net_revenue")).alias("net_revenue"), money(col("net_margin")).alias("net_margin"),
        "margin_pct", "revenue_share_pct", "avg_discount_pct", "refund_rate_pct",
        "repeat_customer_pct", "products", "products_below_reorder_point",
    )  # fmt: skip


def clv_by_segment(profile: DataFrame) -> DataFrame:
    """Realised and predicted lifetime value per customer_segment."""
    return profile.groupBy("customer_segment").agg(
        _customers(),
        money(F.sum("clv_net_revenue")).alias("total_clv_net_revenue"),
        avg2("clv_net_revenue").alias("avg_clv_net_revenue"),
        avg2("clv_net_margin").alias("avg_clv_net_margin"),
        avg2("predicted_clv_12m").alias("avg_predicted_clv_12m"),
        money(F.sum("predicted_clv_12m")).alias("total_predicted_clv_12m"),
    )


def revenue_by_segment(profile: DataFrame, fact_orders: DataFrame) -> DataFrame:
    """Completed-order revenue per customer_segment x channel, with its share of all revenue."""
    grouped = (
        _completed_orders_of(fact_orders, profile, "customer_segment")
        .groupBy("customer_segment", "channel")
        .agg(
            F.count("*").cast("int").alias("orders"),
            F.countDistinct("customer_id").cast("int").alias("customers"),
            F.sum("net_amount").alias("net_revenue"),
        )
        .withColumn("avg_order_value", money(col("net_revenue") / col("orders")))
    )
    return with_share(grouped, "net_revenue", "revenue_share_pct").select(
        "customer_segment", "channel", "orders", "customers",
        money(col("net_revenue")).alias("net_revenue"), "avg_order_value", "revenue_share_pct",
    )  # fmt: skip


def rfm_segments(profile: DataFrame) -> DataFrame:
    """Buyers per RFM segment with their averages and the segment's recommended action."""
    grouped = (
        profile.filter(col("rfm_segment").isNotNull())
        .groupBy("rfm_segment")
        .agg(
            _customers(),
            avg2("recency_days").alias("avg_recency_days"),
            avg2("frequency").alias("avg_frequency"),
            avg2("monetary").alias("avg_monetary"),
            money(F.sum("net_revenue")).alias("total_net_revenue"),
        )
    )
    return with_share(grouped, "customers", "pct_of_buyers").select(
        "rfm_segment", "customers", "pct_of_buyers", "avg_recency_days", "avg_frequency",
        "avg_monetary", "total_net_revenue", rfm_action(col("rfm_segment")).alias("rfm_action"),
    )  # fmt: skip


def rfm_matrix(profile: DataFrame) -> DataFrame:
    """Buyers per (R, FM) cell of the segment grid."""
    return (
        profile.filter(col("r_score").isNotNull())
        .groupBy("r_score", "fm_score")
        .agg(_customers(), avg2("monetary").alias("avg_monetary"))
        .withColumn("rfm_segment", rfm_segment(col("r_score"), col("fm_score")))
    )


def profitability(profile: DataFrame) -> DataFrame:
    """Revenue, cost, margin, discounts and refunds per customer_segment."""
    return (
        profile.groupBy("customer_segment")
        .agg(
            _customers(),
            *[F.sum(c).alias(c) for c in ("net_revenue", "total_cost", "net_margin")],
            F.sum("total_discount").alias("total_discount"),
            F.sum("refunded_amount").alias("refunded_amount"),
        )
        .select(
            "customer_segment",
            "customers",
            *[money(col(c)).alias(c) for c in ("net_revenue", "total_cost", "net_margin")],
            pct(col("net_margin"), col("net_revenue")).alias("margin_pct"),
            *[money(col(c)).alias(c) for c in ("total_discount", "refunded_amount")],
            money(col("net_margin") / col("customers")).alias("margin_per_customer"),
        )
    )


def support_insights(
    profile: DataFrame, fact_support_tickets: DataFrame, settings: PipelineSettings
) -> DataFrame:
    """Volume, speed, satisfaction and churn of the customers behind each ticket category."""
    csat = col("csat")
    per_customer = (
        fact_support_tickets.join(profile.select("customer_id", "customer_status"), "customer_id")
        .groupBy("category", "customer_id", "customer_status")
        .agg(
            F.count("*").alias("tickets"),
            count_where(col("status").isin(*OPEN_STATUSES)).alias("open_tickets"),
            F.sum("first_response_hours").alias("response_hours"),
            F.count("first_response_hours").alias("responded"),
            F.sum("resolution_hours").alias("resolution_hours"),
            F.count("resolution_hours").alias("resolved"),
            F.sum(csat).alias("csat_sum"),
            F.count(csat).alias("rated"),
            count_where(csat <= settings.low_csat_max).alias("low_csat"),
        )
    )
    s = F.sum
    return per_customer.groupBy("category").agg(
        s("tickets").cast("int").alias("tickets"),
        _customers(),
        s("open_tickets").cast("int").alias("open_tickets"),
        F.round(ratio(s("response_hours"), s("responded")), 2).alias("avg_first_response_hours"),
        F.round(ratio(s("resolution_hours"), s("resolved")), 2).alias("avg_resolution_hours"),
        F.round(ratio(s("csat_sum"), s("rated")), 2).alias("avg_csat"),
        pct(s("low_csat"), s("rated")).alias("low_csat_pct"),
        pct(count_where(col("customer_status") == "Churned"), F.count("*")).alias(
            "churned_customer_pct"
        ),
    )


def lifecycle(profile: DataFrame) -> DataFrame:
    """Customers, tenure, value and risk per lifecycle_stage."""
    grouped = profile.groupBy("lifecycle_stage").agg(
        _customers(),
        avg2("tenure_days").alias("avg_tenure_days"),
        avg2("total_orders").alias("avg_orders"),
        avg2("net_revenue").alias("avg_net_revenue"),
        avg2("customer_health_score").alias("avg_health_score"),
        rate(F.avg("churn_risk_score")).alias("avg_churn_risk"),
    )
    return with_share(grouped, "customers", "pct_of_customers").select(
        "lifecycle_stage", "customers", "pct_of_customers", "avg_tenure_days", "avg_orders",
        "avg_net_revenue", "avg_health_score", "avg_churn_risk",
    )  # fmt: skip


def build_marts(
    profile: DataFrame, facts: Facts, products: DataFrame, settings: PipelineSettings
) -> dict[str, DataFrame]:
    """Every mart of docs/data_model.md section 2, keyed by table name."""
    return {
        "mart_health_overview": health_overview(profile),
        "mart_loyalty_metrics": loyalty_metrics(profile),
        "mart_segment_summary": segment_summary(profile),
        "mart_digital_engagement": digital_engagement(profile, facts.fact_orders),
        "mart_cross_sell": cross_sell(profile),
        "mart_category_insights": category_insights(facts.fact_order_lines, products),
        "mart_clv_by_segment": clv_by_segment(profile),
        "mart_revenue_by_segment": revenue_by_segment(profile, facts.fact_orders),
        "mart_rfm_segments": rfm_segments(profile),
        "mart_rfm_matrix": rfm_matrix(profile),
        "mart_profitability": profitability(profile),
        "mart_support_insights": support_insights(profile, facts.fact_support_tickets, settings),
        "mart_lifecycle": lifecycle(profile),
    }
