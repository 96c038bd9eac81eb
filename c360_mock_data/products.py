"""The product catalogue: ~480 products over 8 categories, sorted by price within each category.

Sorting by price lets order lines pick cheap or expensive items by position (big spenders lean to
the expensive end) without per-person weight tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from c360_mock_data import reference as ref
from c360_mock_data.formatting import IntArray, join, make_ids, money_strings, pick

PRODUCT_ID_WIDTH = 5
PRODUCT_COLUMNS: tuple[str, ...] = (
    "product_id",
    "name",
    "category",
    "subcategory",
    "brand",
    "list_price",
    "unit_cost",
    "stock_on_hand",
    "reorder_point",
)


@dataclass(frozen=True)
class Catalogue:
    table: pa.Table
    category: IntArray
    """Category index per product (products are grouped by category, ascending price within)."""
    price_cents: IntArray
    category_start: IntArray
    """First product position of each category; `category_start[c+1]` ends it."""

    @property
    def size(self) -> int:
        return len(self.price_cents)


def make_catalogue(rng: np.random.Generator) -> Catalogue:
    counts = rng.integers(45, 76, size=len(ref.CATEGORIES))
    category = np.repeat(np.arange(len(ref.CATEGORIES)), counts)
    n = len(category)
    medians = np.array([c[3] for c in ref.CATEGORIES])[category]
    sigmas = np.array([c[4] for c in ref.CATEGORIES])[category]
    raw = medians * np.exp(rng.normal(0.0, sigmas))
    # Shelf prices end in .99 / .49; sorted ascending within each category.
    dollars = np.maximum(np.round(raw), 2).astype(np.int64)
    cents = dollars * 100 - np.where(rng.random(n) < 0.7, 1, 51)
    order = np.lexsort((cents, category))
    cents = cents[order]
    margin = rng.uniform(0.20, 0.60, n)
    cost_cents = np.round(cents * (1.0 - margin)).astype(np.int64)
    reorder_point = rng.integers(10, 120, n)
    below = rng.random(n) < 0.12
    stock = np.where(
        below,
        rng.integers(0, reorder_point),
        reorder_point + rng.integers(1, 900, n),
    )

    sub_idx = np.empty(n, dtype=np.int64)
    brand_idx = np.empty(n, dtype=np.int64)
    subcategories: list[str] = []
    brands: list[str] = []
    for c, (_, subs, brs, _, _) in enumerate(ref.CATEGORIES):
        rows = category == c
        sub_idx[rows] = len(subcategories) + rng.integers(0, len(subs), int(rows.sum()))
        brand_idx[rows] = len(brands) + rng.integers(0, len(brs), int(rows.sum()))
        subcategories.extend(subs)
        brands.extend(brs)
    brand = pick(brands, brand_idx)
    subcategory = pick(subcategories, sub_idx)
    adjective = pick(ref.PRODUCT_ADJECTIVES, rng.integers(0, len(ref.PRODUCT_ADJECTIVES), n))
    model = make_ids("", rng.integers(100, 1000, n), 3)
    table = pa.table(
        {
            "product_id": make_ids("P-", np.arange(1, n + 1), PRODUCT_ID_WIDTH),
            "name": join(brand, " ", adjective, " ", subcategory, " ", model),
            "category": pick([c[0] for c in ref.CATEGORIES], category),
            "subcategory": subcategory,
            "brand": brand,
            "list_price": money_strings(cents),
            "unit_cost": money_strings(cost_cents),
            "stock_on_hand": pa.array(stock, type=pa.int64()),
            "reorder_point": pa.array(reorder_point, type=pa.int64()),
        }
    )
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Catalogue(table=table, category=category, price_cents=cents, category_start=starts)
