"""The metric catalogue: every metric C360 serves, each declared once in its area's module.

Routes, OpenAPI operations, representations, `GET /catalog`, the metric table of
docs/metrics.md and the API benchmark's route list are all generated from `CATALOG`.
"""

from __future__ import annotations

from c360_api.catalog import (
    behaviour,
    cohorts,
    customer_success,
    demand,
    finance,
    kpi,
    marketing,
    orders,
    product,
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
)
BY_ID: dict[str, Metric] = {m.id: m for m in CATALOG}
BY_PATH: dict[str, Metric] = {m.path: m for m in CATALOG}
BY_ALIAS: dict[str, Metric] = {alias: m for m in CATALOG for alias in m.aliases}
