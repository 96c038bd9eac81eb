"""A small business's sales export for the upload tests, and what it should give, computed here
with pandas from how the rows were made (never with the pipeline's or the API's code).

The file is a European export: `;`-separated, day-first dates (some days above 12, so the order
is settled), decimal commas. It holds returns (negative amounts), exact duplicate rows and a few
broken rows of each kind, each known by construction.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

HEADER = ["Kunde", "Datum", "Rechnung", "Betrag", "Artikel", "Warengruppe"]
MAPPING = {
    "customer_id": "Kunde",
    "invoice_date": "Datum",
    "invoice_id": "Rechnung",
    "amount": "Betrag",
    "product": "Artikel",
    "category": "Warengruppe",
}
START = date(2023, 1, 1)
DAYS = 730
CATEGORIES = ("Books", "Games", "Toys")

# Documented RFM rules (docs/metrics.md), restated for the reference.
RECENCY_DAYS = (365, 180, 90, 30)
FREQUENCY_ORDERS = (2, 3, 5, 8)
MONETARY_AMOUNTS = (250, 600, 1200, 2500)


@dataclass(frozen=True)
class Sales:
    text: str
    clean: pd.DataFrame  # customer_id, invoice_id, day, amount, product, category
    reasons: Counter[str]
    rows: int  # data rows of the file


def _money(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def make_sales(customers: int = 300, seed: int = 11) -> Sales:
    rng = np.random.default_rng(seed)
    clean: list[dict[str, object]] = []
    lines: list[str] = []
    reasons: Counter[str] = Counter()
    invoice = 0
    for c in range(customers):
        customer = f"K{c:05d}"
        for _ in range(int(rng.integers(1, 9))):
            invoice += 1
            day = START + timedelta(days=int(rng.integers(0, DAYS)))
            for _ in range(int(rng.integers(1, 4))):
                amount = round(float(rng.uniform(-40, 400)), 2)
                product = f"P{int(rng.integers(1, 40)):03d}"
                category = CATEGORIES[int(product[1:]) % 3]
                row = {"customer_id": customer, "invoice_id": f"R{invoice:06d}", "day": day,
                       "amount": amount, "product": product, "category": category}  # fmt: skip
                if (customer, row["invoice_id"], amount, product) in {
                    (r["customer_id"], r["invoice_id"], r["amount"], r["product"])
                    for r in clean[-3:]
                }:
                    continue  # an accidental exact copy would be a duplicate we did not plan
                clean.append(row)
                line = ";".join([customer, day.strftime("%d/%m/%Y"), str(row["invoice_id"]),
                                 _money(amount), product, category])  # fmt: skip
                lines.append(line)
                if rng.random() < 0.03:
                    lines.append(line)
                    reasons["duplicate_row"] += 1
    broken = [
        ("missing_customer_id", f";15/03/2024;R900001;{_money(12.5)};P001;Toys"),
        ("missing_customer_id", f"  ;16/03/2024;R900002;{_money(3)};P002;Books"),
        ("invalid_invoice_date", f"K00001;31/02/2024;R900003;{_money(9)};P001;Toys"),
        ("invalid_invoice_date", f"K00002;2024-13-45;R900004;{_money(9)};P001;Toys"),
        ("invalid_amount", "K00003;17/03/2024;R900005;n/a;P001;Toys"),
        ("invalid_amount", "K00004;18/03/2024;R900006;12,5,0;P001;Toys"),
        ("schema_mismatch", "K00005;19/03/2024;R900007;1,00"),
    ]
    for reason, line in broken:
        lines.insert(int(rng.integers(0, len(lines))), line)
        reasons[reason] += 1
    text = ";".join(HEADER) + "\n" + "\n".join(lines) + "\n"
    return Sales(text, pd.DataFrame(clean), reasons, len(lines))


def _score(value: float, limits: tuple[int, ...], at_most: bool) -> int:
    if at_most:
        return 1 + sum(1 for limit in limits if value <= limit)
    return 1 + sum(1 for limit in limits if value >= limit)


def _segment(r: int, fm: int) -> str:
    if r == 5 and fm >= 4:
        return "Champions"
    if r in (3, 4) and fm >= 4:
        return "Loyal Customers"
    if r in (4, 5) and fm in (2, 3):
        return "Potential Loyalists"
    if r == 5 and fm == 1:
        return "New Customers"
    if r == 4 and fm == 1:
        return "Promising"
    if r == 3 and fm == 3:
        return "Need Attention"
    if r == 3 and fm <= 2:
        return "About to Sleep"
    if r <= 2 and fm >= 3:
        return "At Risk"
    if r == 1 and fm == 1:
        return "Lost"
    return "Hibernating"


def reference_customers(clean: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per customer: invoices, revenue (returns deducted), last day, R/F/M, fm and segment."""
    rows = clean[clean["day"] <= as_of]
    per = rows.groupby("customer_id").agg(
        orders=("invoice_id", "nunique"), revenue=("amount", "sum"), last=("day", "max")
    )
    per["recency_days"] = [(as_of - d).days for d in per["last"]]
    per["r"] = [_score(v, RECENCY_DAYS, at_most=True) for v in per["recency_days"]]
    per["f"] = [_score(v, FREQUENCY_ORDERS, at_most=False) for v in per["orders"]]
    per["m"] = [_score(v, MONETARY_AMOUNTS, at_most=False) for v in per["revenue"]]
    per["fm"] = [math.floor((f + m) / 2 + 0.5) for f, m in zip(per["f"], per["m"], strict=True)]
    per["segment"] = [_segment(r, fm) for r, fm in zip(per["r"], per["fm"], strict=True)]
    return per.reset_index()


def reference_segments(customers: pd.DataFrame) -> pd.DataFrame:
    """rfm_segment, customers, pct_of_buyers, total_net_revenue."""
    seg = customers.groupby("segment").agg(
        customers=("customer_id", "count"), revenue=("revenue", "sum")
    )
    seg["pct_of_buyers"] = (100 * seg["customers"] / seg["customers"].sum()).round(2)
    seg["total_net_revenue"] = seg["revenue"].round(2)
    return seg.reset_index().rename(columns={"segment": "rfm_segment"})[
        ["rfm_segment", "customers", "pct_of_buyers", "total_net_revenue"]
    ]


def reference_kpis(clean: pd.DataFrame, as_of: date) -> dict[str, object]:
    rows = clean[clean["day"] <= as_of]
    invoices = rows.groupby("invoice_id")["amount"].sum()
    revenue = float(invoices.sum())
    return {
        "total_revenue": round(revenue, 2),
        "orders": len(invoices),
        "completed_orders": len(invoices),
        "customers": rows["customer_id"].nunique(),
        "avg_order_value": round(revenue / len(invoices), 2),
        "first_order_date": rows["day"].min().isoformat(),
        "last_order_date": rows["day"].max().isoformat(),
    }
