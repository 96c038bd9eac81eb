"""SQL pieces several metrics share: the month spine of a window, each product's sales in the
window, and labelled value bands.

A series answers every bucket of its window, zeros included (a month with no orders is a row),
so charts never skip a month and a client never has to fill gaps.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

# Every `YYYY-MM` from the window's first month to its last.
MONTHS_OF_WINDOW = (
    "SELECT strftime(m, '%Y-%m') AS month FROM range(date_trunc('month', $start::DATE), "
    "$end::DATE + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m)"
)
# The part of each month inside the window: [bucket_start, bucket_end].
MONTH_BUCKETS = (
    "SELECT strftime(m, '%Y-%m') AS month, greatest(m::DATE, $start::DATE) AS bucket_start, "
    "least((m + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE, $end::DATE) AS bucket_end "
    "FROM range(date_trunc('month', $start::DATE), $end::DATE + INTERVAL 1 DAY, "
    "INTERVAL 1 MONTH) t(m)"
)

# Each sold product's units, orders, revenue and cost over completed orders in the window:
# /products/best-sellers and /demand/top-products rank the same rows.
PRODUCT_SALES = (
    "SELECT product_id, sum(units) AS units, sum(orders) AS orders, sum(revenue) AS revenue, "
    "sum(cost) AS cost FROM product_daily WHERE order_date BETWEEN $start AND $end "
    "GROUP BY product_id"
)


@dataclass(frozen=True)
class Bands:
    """Labelled half-open bands `[edge_i, edge_i+1)`; below the first edge falls in the first band,
    from the last edge on in the last (`<last>+`)."""

    labels: tuple[str, ...]
    lower_edges: tuple[float, ...]

    def case(self, expr: str) -> str:
        """SQL labelling `expr` with its band."""
        whens = " ".join(
            f"WHEN {expr} >= {edge} THEN '{label}'"
            for label, edge in reversed(list(zip(self.labels, self.lower_edges, strict=True)))
        )
        return f"CASE {whens} ELSE '{self.labels[0]}' END"

    def spine(self) -> str:
        """SQL of every band with its position, so empty bands are rows too."""
        values = ", ".join(f"({i}, '{label}')" for i, label in enumerate(self.labels))
        return f"SELECT * FROM (VALUES {values}) b(position, bucket)"


def bands(edges: Sequence[float], last: str) -> Bands:
    """Bands named `a-b` between consecutive edges and `last` above the final edge."""
    labels = [f"{_num(a)}-{_num(b)}" for a, b in itertools.pairwise(edges)]
    return Bands((*labels, last), tuple(edges))


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
