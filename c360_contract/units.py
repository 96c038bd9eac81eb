"""Units of the published numbers: one convention per kind, named by the column's suffix.

`_pct` is a percentage 0-100 with 2 decimals (so is the `pct_of_` prefix: a share of the table's
total), `_rate` a ratio 0-1 with 4 decimals, `_score` 0-1 unless SCALES lists it on a rating
scale. SCALES also gives the range of every column the suffix alone does not describe. The
"Units and suffixes" table of docs/metrics.md is this declaration; a test checks the two against
each other and every published column against its range.
"""

from __future__ import annotations

from math import inf

PCT_RANGE: tuple[float, float] = (0.0, 100.0)
PCT_DECIMALS = 2
RATE_RANGE: tuple[float, float] = (0.0, 1.0)
RATE_DECIMALS = 4

SCALES: dict[str, tuple[float, float]] = {
    "churn_risk_score": (0.0, 1.0),
    # Model probabilities (docs/metrics.md, "Predictive models").
    "p_alive": (0.0, 1.0),
    "churn_probability": (0.0, 1.0),
    # RFM ratings: 1-5 by long convention of the RFM literature.
    "r_score": (1.0, 5.0),
    "f_score": (1.0, 5.0),
    "m_score": (1.0, 5.0),
    "fm_score": (1.0, 5.0),
    # Five-point ratings of the customer.
    "engagement_score": (0.0, 5.0),
    "support_score": (1.0, 5.0),
    "customer_health_score": (0.0, 5.0),
    "avg_health_score": (0.0, 5.0),
    # Averages named without a unit suffix keep their source's scale.
    "avg_churn_risk": (0.0, 1.0),
    "avg_csat": (1.0, 5.0),
    "avg_csat_last_365d": (1.0, 5.0),
    # A loss makes the margin negative; a fall in revenue makes growth negative (at least -100).
    "margin_pct": (-inf, 100.0),
    "growth_pct": (-100.0, inf),
    "orders_growth_pct": (-100.0, inf),
    "revenue_growth_pct": (-100.0, inf),
    # A forecast's bias: under-forecasting makes it negative (at least -100: forecasts are >= 0).
    "bias_pct": (-100.0, inf),
    # Percentages named as a marketplace backend's clients read them (payments overview, best
    # order time): 0-100 despite their suffix.
    "cash_percentage": (0.0, 100.0),
    "online_percentage": (0.0, 100.0),
    "success_rate": (0.0, 100.0),
    "overall_success_rate": (0.0, 100.0),
    # Ratings of services: 1-5 stars.
    "avg_rating": (1.0, 5.0),
    # A prediction's error on what happened: under-prediction is negative, at most all of it.
    "error_pct": (-100.0, inf),
}


def unit_range(column: str) -> tuple[float, float] | None:
    """The range a column's name promises, or None for a column without a unit (money, counts)."""
    if column in SCALES:
        return SCALES[column]
    if column.endswith("_pct") or column.startswith("pct_of_"):
        return PCT_RANGE
    if column.endswith(("_rate", "_score")):
        return RATE_RANGE
    return None


# How a column's name reads in a chart's axis or legend and on a KPI tile: words, the
# abbreviations analysts write in capitals, and the unit its suffix promises.
_WORDS: dict[str, str] = {
    "avg": "average",
    "clv": "CLV",
    "rfm": "RFM",
    "auc": "AUC",
    "roc": "ROC",
    "wape": "WAPE",
    "id": "ID",
    "r": "R",
    "fm": "FM",
    "12m": "(12 months)",
}


def column_label(column: str, unit: bool = True) -> str:
    """`conversion_rate_pct` as "Conversion rate (%)", `avg_predicted_clv_12m` as "Average
    predicted CLV (12 months)"; `unit=False` leaves out the "(%)" (a tile shows it with the
    value)."""
    name, suffix = column, ""
    if name.startswith("pct_of_"):
        name, suffix = f"share_of_{name.removeprefix('pct_of_')}", " (%)"
    elif name == "pct" or name.endswith("_pct"):
        name, suffix = name.removesuffix("pct").rstrip("_") or "share", " (%)"
    text = " ".join(_WORDS.get(word, word) for word in name.split("_"))
    return text[:1].upper() + text[1:] + (suffix if unit else "")
