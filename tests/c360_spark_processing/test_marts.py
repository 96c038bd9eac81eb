"""Marts against an independent DuckDB computation over the same profile and facts."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from c360_spark_processing.marts import build_marts
from c360_spark_processing.settings import PipelineSettings
from tests.c360_spark_processing.analytics_world import built_world, contract_columns

MART_NAMES = re.findall(r"^\| (mart_\w+) \|", Path("docs/data_model.md").read_text(), re.M)


@pytest.fixture(scope="module")
def built(spark):
    frames, facts, profile = built_world(spark)
    settings = PipelineSettings()
    marts = {
        k: v.toPandas()
        for k, v in build_marts(profile, facts, frames["products"], settings).items()
    }
    con = duckdb.connect()
    for name, df in {
        "profile": profile.toPandas(),
        "fact_orders": facts.fact_orders.toPandas(),
        "fact_order_lines": facts.fact_order_lines.toPandas(),
        "tickets": facts.fact_support_tickets.toPandas(),
        "products": frames["products"].toPandas(),
    }.items():
        con.register(name, df)
    return marts, con


def _same(got: pd.DataFrame, con: duckdb.DuckDBPyConnection, sql: str, key: list[str]) -> None:
    exp = con.execute(sql).df()
    assert list(got.columns) == list(exp.columns)
    got = got.sort_values(key).reset_index(drop=True)
    exp = exp.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, exp, check_dtype=False, atol=0.006)


def test_marts_are_the_contract_tables(built):
    marts, _ = built
    assert sorted(marts) == sorted(MART_NAMES)
    assert len(MART_NAMES) == 13
    for name, df in marts.items():
        assert list(df.columns) == contract_columns(name), name


def test_customer_level_marts_cover_every_customer(built):
    marts, _ = built
    for name, count in [("mart_health_overview", "customers"), ("mart_loyalty_metrics", "members"),
                        ("mart_segment_summary", "customers"), ("mart_digital_engagement", "customers"),
                        ("mart_clv_by_segment", "customers"), ("mart_profitability", "customers"),
                        ("mart_lifecycle", "customers")]:  # fmt: skip
        assert marts[name][count].sum() == 4, name


def test_health_lifecycle_and_segment_marts(built):
    marts, con = built
    _same(marts["mart_health_overview"], con, """
        SELECT customer_status, count(*) customers,
               round(100.0 * count(*) / (SELECT count(*) FROM profile), 2) pct_of_customers,
               round(avg(customer_health_score), 2) avg_health_score,
               round(avg(churn_risk_score), 4) avg_churn_risk,
               round(sum(net_revenue), 2) total_net_revenue, round(avg(net_revenue), 2) avg_net_revenue,
               round(avg(recency_days), 2) avg_recency_days, round(avg(total_orders), 2) avg_orders
        FROM profile GROUP BY 1""", ["customer_status"])  # fmt: skip
    _same(marts["mart_lifecycle"], con, """
        SELECT lifecycle_stage, count(*) customers,
               round(100.0 * count(*) / (SELECT count(*) FROM profile), 2) pct_of_customers,
               round(avg(tenure_days), 2) avg_tenure_days, round(avg(total_orders), 2) avg_orders,
               round(avg(net_revenue), 2) avg_net_revenue,
               round(avg(customer_health_score), 2) avg_health_score,
               round(avg(churn_risk_score), 4) avg_churn_risk
        FROM profile GROUP BY 1""", ["lifecycle_stage"])  # fmt: skip
    _same(marts["mart_segment_summary"], con, """
        SELECT customer_segment, count(*) customers,
               count(*) FILTER (customer_status = 'Active') active_customers,
               count(*) FILTER (customer_status = 'At Risk') at_risk_customers,
               count(*) FILTER (customer_status = 'Churned') churned_customers,
               count(*) FILTER (customer_status = 'Prospect') prospects,
               round(avg(customer_health_score), 2) avg_health_score,
               round(avg(net_revenue), 2) avg_net_revenue, round(sum(net_revenue), 2) total_net_revenue,
               round(avg(total_orders), 2) avg_orders,
               round(sum(net_revenue) / nullif(sum(total_orders), 0), 2) avg_order_value,
               round(100.0 * count(*) FILTER (customer_status = 'Churned') / count(*), 2) churn_pct
        FROM profile GROUP BY 1""", ["customer_segment"])  # fmt: skip
    _same(marts["mart_profitability"], con, """
        SELECT customer_segment, count(*) customers, round(sum(net_revenue), 2) net_revenue,
               round(sum(total_cost), 2) total_cost, round(sum(net_margin), 2) net_margin,
               round(100 * sum(net_margin) / nullif(sum(net_revenue), 0), 2) margin_pct,
               round(sum(total_discount), 2) total_discount,
               round(sum(refunded_amount), 2) refunded_amount,
               round(sum(net_margin) / count(*), 2) margin_per_customer
        FROM profile GROUP BY 1""", ["customer_segment"])  # fmt: skip


def test_order_and_ticket_marts(built):
    marts, con = built
    _same(marts["mart_revenue_by_segment"], con, """
        SELECT p.customer_segment, o.channel, count(*) orders,
               count(DISTINCT o.customer_id) customers, round(sum(net_amount), 2) net_revenue,
               round(sum(net_amount) / count(*), 2) avg_order_value,
               round(100 * sum(net_amount) / (SELECT sum(net_amount) FROM fact_orders
                                              WHERE status = 'completed'), 2) revenue_share_pct
        FROM fact_orders o JOIN profile p USING (customer_id)
        WHERE o.status = 'completed' GROUP BY 1, 2""", ["customer_segment", "channel"])  # fmt: skip
    _same(marts["mart_category_insights"], con, """
        WITH c AS (SELECT * FROM fact_order_lines WHERE status = 'completed'),
        per_cust AS (SELECT category, customer_id, count(DISTINCT order_id) n FROM c GROUP BY 1, 2),
        s AS (SELECT category, count(DISTINCT order_id) orders, count(DISTINCT customer_id) customers,
                     sum(quantity) units, sum(line_amount) rev, sum(line_amount - line_cost) margin,
                     100 * sum(discount) / sum(quantity * unit_price) disc FROM c GROUP BY 1),
        r AS (SELECT category,
                     100.0 * count(DISTINCT order_id) FILTER (status = 'refunded')
                     / count(DISTINCT order_id) refund_rate
              FROM fact_order_lines WHERE status IN ('completed', 'refunded') GROUP BY 1),
        p AS (SELECT category, count(*) products,
                     count(*) FILTER (stock_on_hand < reorder_point) below FROM products GROUP BY 1)
        SELECT p.category, coalesce(orders, 0) orders, coalesce(customers, 0) customers,
               coalesce(units, 0) units, round(coalesce(rev, 0), 2) net_revenue,
               round(coalesce(margin, 0), 2) net_margin, round(100 * margin / rev, 2) margin_pct,
               round(100 * coalesce(rev, 0) / (SELECT sum(line_amount) FROM c), 2) revenue_share_pct,
               round(disc, 2) avg_discount_pct, round(refund_rate, 2) refund_rate_pct,
               round(100.0 * (SELECT count(*) FROM per_cust x WHERE x.category = p.category AND n >= 2)
                     / customers, 2) repeat_customer_pct,
               products, below products_below_reorder_point
        FROM p LEFT JOIN s USING (category) LEFT JOIN r USING (category)""", ["category"])  # fmt: skip
    _same(marts["mart_support_insights"], con, """
        SELECT category, count(*) tickets, count(DISTINCT customer_id) customers,
               count(*) FILTER (t.status IN ('open', 'pending')) open_tickets,
               round(avg(first_response_hours), 2) avg_first_response_hours,
               round(avg(resolution_hours), 2) avg_resolution_hours, round(avg(csat), 2) avg_csat,
               round(100.0 * count(*) FILTER (csat <= 2) / nullif(count(csat), 0), 2) low_csat_pct,
               round(100.0 * count(DISTINCT customer_id) FILTER (customer_status = 'Churned')
                     / count(DISTINCT customer_id), 2) churned_customer_pct
        FROM tickets t JOIN profile USING (customer_id) GROUP BY 1""", ["category"])  # fmt: skip
    _same(marts["mart_digital_engagement"], con, """
        WITH rev AS (SELECT generation,
                            sum(net_amount) FILTER (channel = 'app') app, sum(net_amount) total,
                            sum(net_amount) FILTER (channel = 'online') online,
                            sum(net_amount) FILTER (channel = 'store') store
                     FROM fact_orders JOIN profile USING (customer_id)
                     WHERE status = 'completed' GROUP BY 1)
        SELECT generation, count(*) customers, count(*) FILTER (uses_app) app_users,
               round(100.0 * count(*) FILTER (uses_app) / count(*), 2) app_adoption_pct,
               round(avg(total_sessions), 2) avg_sessions, round(avg(app_sessions), 2) avg_app_sessions,
               round(avg(product_views), 2) avg_product_views,
               round(coalesce(sum(converting_sessions) / nullif(sum(total_sessions), 0), 0), 4)
                   digital_conversion_rate,
               round(100 * coalesce(any_value(app), 0) / any_value(total), 2) app_revenue_share_pct,
               round(100 * coalesce(any_value(online), 0) / any_value(total), 2) online_revenue_share_pct,
               round(100 * coalesce(any_value(store), 0) / any_value(total), 2) store_revenue_share_pct
        FROM profile LEFT JOIN rev USING (generation) GROUP BY 1""", ["generation"])  # fmt: skip


def test_rfm_loyalty_and_clv_marts(built):
    marts, con = built
    _same(marts["mart_rfm_segments"].drop(columns="rfm_action"), con, """
        SELECT rfm_segment, count(*) customers,
               round(100.0 * count(*) / (SELECT count(*) FROM profile WHERE total_orders > 0), 2)
                   pct_of_buyers,
               round(avg(recency_days), 2) avg_recency_days, round(avg(frequency), 2) avg_frequency,
               round(avg(monetary), 2) avg_monetary, round(sum(net_revenue), 2) total_net_revenue
        FROM profile WHERE total_orders > 0 GROUP BY 1""", ["rfm_segment"])  # fmt: skip
    _same(marts["mart_rfm_matrix"], con, """
        SELECT r_score, fm_score, count(*) customers, round(avg(monetary), 2) avg_monetary,
               any_value(rfm_segment) rfm_segment
        FROM profile WHERE total_orders > 0 GROUP BY 1, 2""", ["r_score", "fm_score"])  # fmt: skip
    _same(marts["mart_loyalty_metrics"], con, """
        SELECT loyalty_tier, count(*) members,
               round(100.0 * count(*) / (SELECT count(*) FROM profile), 2) pct_of_customers,
               round(avg(points_balance), 2) avg_points_balance,
               round(avg(lifetime_points), 2) avg_lifetime_points,
               round(sum(net_revenue), 2) total_net_revenue, round(avg(net_revenue), 2) avg_net_revenue,
               round(avg(total_orders), 2) avg_orders,
               round(avg(customer_health_score), 2) avg_health_score,
               round(100.0 * count(*) FILTER (customer_status = 'Active') / count(*), 2) active_pct,
               round(100.0 * count(*) FILTER (customer_status = 'Churned') / count(*), 2) churned_pct
        FROM profile GROUP BY 1""", ["loyalty_tier"])  # fmt: skip
    _same(marts["mart_clv_by_segment"], con, """
        SELECT customer_segment, count(*) customers,
               round(sum(clv_net_revenue), 2) total_clv_net_revenue,
               round(avg(clv_net_revenue), 2) avg_clv_net_revenue,
               round(avg(clv_net_margin), 2) avg_clv_net_margin,
               round(avg(predicted_clv_12m), 2) avg_predicted_clv_12m,
               round(sum(predicted_clv_12m), 2) total_predicted_clv_12m
        FROM profile GROUP BY 1""", ["customer_segment"])  # fmt: skip
    actions = dict(
        zip(
            marts["mart_rfm_segments"].rfm_segment,
            marts["mart_rfm_segments"].rfm_action,
            strict=True,
        )
    )
    assert actions["Lost"] == "Revive with a strong offer or ignore"


def test_cross_sell_by_hand(built):
    marts, _ = built
    got = {
        (r.opportunity_type, r.target): (r.eligible_customers, r.avg_net_revenue, r.avg_gap,
                                         r.potential_revenue)
        for r in marts["mart_cross_sell"].itertuples()
    }  # fmt: skip
    nan = got[("category", "Gamma")][3]  # nobody buys Gamma yet: no reference order value
    assert pd.isna(nan)
    got[("category", "Gamma")] = (*got["category", "Gamma"][:3], None)
    clean = {k: tuple(None if pd.isna(x) else x for x in v) for k, v in got.items()}
    assert clean == {
        # eligible buyers, their avg net revenue, gap, eligible x avg AOV of current users
        ("channel", "store"): (1, 85.0, None, 34.75),  # C2; users C1 39.5, C4 30
        ("channel", "app"): (2, 54.5, None, 170.0),  # C1, C4; user C2 85
        ("channel", "online"): (2, 57.5, None, 79.0),  # C2, C4; user C1 39.5
        ("category", "Alpha"): (1, 85.0, None, 34.75),
        ("category", "Beta"): (1, 30.0, None, 62.25),
        ("category", "Gamma"): (3, 64.67, None, None),
        ("loyalty_upgrade", "Gold"): (1, 79.0, 1421.0, None),
        ("loyalty_upgrade", "Bronze"): (2, 42.5, 0.0, None),  # C2 and prospect C3
    }
