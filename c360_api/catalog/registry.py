"""The registry of the metric catalogue: every declared metric, by id, path and alias.

Routes, OpenAPI operations, representations, `GET /catalog`, the metric table of
docs/metrics.md and the API benchmark's route list are all generated from `CATALOG`.
"""

from __future__ import annotations

from c360_api.catalog import (
    behaviour,
    cohorts,
    customer_analytics,
    customer_success,
    demand,
    finance,
    geography,
    kpi,
    marketing,
    models,
    order_operations,
    orders,
    payments,
    product,
    products,
    recommendations,
    services,
)
from c360_contract.catalog import Metric

CATALOG: tuple[Metric, ...] = (
    *marketing.METRICS,
    *product.METRICS,
    *finance.METRICS,
    *customer_success.METRICS,
    *kpi.METRICS,
    *orders.METRICS,
    *demand.METRICS,
    *cohorts.METRICS,
    *behaviour.METRICS,
    *payments.METRICS,
    *order_operations.METRICS,
    *customer_analytics.METRICS,
    *products.METRICS,
    *services.METRICS,
    *geography.METRICS,
    *recommendations.METRICS,
    *models.METRICS,
)
# OpenAPI tags of the catalogue's areas, with what each answers.
AREAS: dict[str, str] = {
    marketing.AREA: "Customer health, churn risk, loyalty and segments (marketing scope).",
    product.AREA: "Digital engagement, cross-sell and categories (product scope).",
    finance.AREA: "Lifetime value, revenue, RFM and profitability (finance scope).",
    customer_success.AREA: "Support and lifecycle (customer_success scope).",
    kpi.AREA: "E-commerce KPIs of a window: summary, revenue by month, conversion.",
    orders.AREA: "When customers buy: hour, weekday, day of month, month, heatmap.",
    demand.AREA: "Revenue growth, top products and category demand.",
    cohorts.AREA: "Acquisition cohorts: sizes, retention, repeat purchase.",
    behaviour.AREA: "Repeat rate, new vs returning, time between orders, lifetime and value.",
    payments.AREA: "Revenue by payment method, cash against online, failed payments, refunds.",
    customer_analytics.AREA: "Customer segments, places, demographics, new against returning.",
    products.AREA: "Best sellers, categories, price bands, trending products, stock alerts.",
    services.AREA: "Service bookings: popular services, providers, locations, trends.",
    geography.AREA: "Where orders go: heatmap, delivery zones, states, distances.",
    recommendations.AREA: "Recommendations with their evidence: timing, restock, operations, "
    "pricing, retention.",
    models.AREA: "Predictive models: the CLV model's holdout check, the churn model against its "
    "baselines, customer clusters.",
}
BY_ID: dict[str, Metric] = {m.id: m for m in CATALOG}
BY_PATH: dict[str, Metric] = {m.path: m for m in CATALOG}
BY_ALIAS: dict[str, Metric] = {alias: m for m in CATALOG for alias in m.aliases}
