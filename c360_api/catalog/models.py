"""Predictive models (docs/metrics.md "Predictive models"): the CLV model judged on its holdout, the
churn model against its baselines, and the customer clusters.

The report tables are the pipeline's (`model_*`); the full-data CLV fit and the churn verdict are
the snapshot manifest's `models` section, read as it was published. A snapshot without the models
(an upload, a run whose model failed) answers 422 naming the missing table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from c360_contract.catalog import Chart, Mart, Metric, Param, RowModel, Rows, Sql, Table, example
from c360_contract.scopes import Scope
from c360_contract.vocabulary import CHURN_SCORERS, CLUSTERING_METHODS

AREA = "models"
MODEL_SCOPES = frozenset({Scope.MARKETING, Scope.FINANCE})
"""Who plans on predicted value, churn and segments."""
_SCORER_ORDER = "list_position([{}], scorer)".format(", ".join(f"'{s}'" for s in CHURN_SCORERS))


def _models(snapshot: Any) -> Mapping[str, Any]:
    """The manifest's `models` section (empty for a snapshot published without the models)."""
    models: Mapping[str, Any] = snapshot.manifest.get("models") or {}
    return models


# --- /models/clv --------------------------------------------------------------------------------


class ClvWeekRow(RowModel):
    model_config = example(
        week=4, days_after_calibration=28, actual_cumulative=310, predicted_cumulative=297.4
    )
    week: int
    days_after_calibration: int
    actual_cumulative: int
    predicted_cumulative: float | None


class ClvByFrequencyRow(RowModel):
    model_config = example(
        calibration_frequency="2", customers=1200, actual_mean=0.81, predicted_mean=0.77
    )
    calibration_frequency: str
    customers: int
    actual_mean: float | None
    predicted_mean: float | None


class ClvHoldoutRow(RowModel):
    model_config = example(
        calibration_end="2025-06-30",
        holdout_days=182,
        customers=76_000,
        actual_repeat_purchases=61_200,
        predicted_repeat_purchases=59_870.2,
        error_pct=-2.17,
        mae_per_customer=0.91,
    )
    calibration_end: str
    holdout_days: int
    customers: int = Field(description="Customers whose first purchase is in the calibration.")
    actual_repeat_purchases: int
    predicted_repeat_purchases: float | None
    error_pct: float | None
    mae_per_customer: float | None


class ClvFitRow(RowModel):
    model_config = example(
        time_unit="day",
        customers=77_000,
        r=0.79,
        alpha=112.3,
        a=0.42,
        b=2.1,
        log_likelihood=-512_000.5,
        bgnbd_converged=True,
        repeat_customers=61_000,
        p=3.9,
        q=4.1,
        v=180.2,
        gamma_gamma_log_likelihood=-402_000.1,
        gamma_gamma_converged=True,
        clv_source="bgnbd_gamma_gamma",
        problem=None,
    )
    time_unit: str
    customers: int | None = Field(description="Buyers the BG/NBD model was fitted on.")
    r: float | None
    alpha: float | None
    a: float | None
    b: float | None
    log_likelihood: float | None
    bgnbd_converged: bool | None
    repeat_customers: int | None = Field(
        description="Repeat buyers the Gamma-Gamma model was fitted on."
    )
    p: float | None
    q: float | None
    v: float | None
    gamma_gamma_log_likelihood: float | None
    gamma_gamma_converged: bool | None
    clv_source: str
    problem: str | None


def clv_fit(snapshot: Any, _values: Mapping[str, Any]) -> Rows:
    """The full-data fit of the manifest's `models.clv`, one row."""
    clv = _models(snapshot).get("clv")
    if not clv:
        return Rows([])
    bg = clv.get("bgnbd") or {}
    gg = clv.get("gamma_gamma") or {}
    row = {
        "time_unit": clv["time_unit"],
        "customers": bg.get("customers"),
        **{name: bg.get(name) for name in ("r", "alpha", "a", "b", "log_likelihood")},
        "bgnbd_converged": bg.get("converged"),
        "repeat_customers": gg.get("customers"),
        **{name: gg.get(name) for name in ("p", "q", "v")},
        "gamma_gamma_log_likelihood": gg.get("log_likelihood"),
        "gamma_gamma_converged": gg.get("converged"),
        "clv_source": clv["predicted_clv_12m"],
        "problem": clv.get("problem"),
    }
    return Rows([row])


def clv_holdout(snapshot: Any, _values: Mapping[str, Any]) -> Rows:
    """The holdout summary of the manifest's `models.clv.holdout`, one row."""
    holdout = (_models(snapshot).get("clv") or {}).get("holdout")
    if not holdout or "actual_repeat_purchases" not in holdout:
        return Rows([])
    row = {name: holdout.get(name) for name in ClvHoldoutRow.model_fields}
    for name, digits in (("predicted_repeat_purchases", 2), ("mae_per_customer", 4)):
        row[name] = None if row[name] is None else round(row[name], digits)
    return Rows([row])


# --- /models/churn ------------------------------------------------------------------------------


class ChurnComparisonRow(RowModel):
    model_config = example(
        scorer="model",
        customers=15_400,
        churners=6_100,
        auc_roc=0.8412,
        auc_pr=0.8033,
        brier=0.1561,
        top_decile_lift=2.31,
    )
    scorer: str
    customers: int = Field(description="Customers of the test set.")
    churners: int = Field(description="Test customers without a completed order after the cut-off.")
    auc_roc: float | None
    auc_pr: float | None
    brier: float | None
    top_decile_lift: float | None


class ChurnRocRow(RowModel):
    model_config = example(scorer="model", false_positive_share=0.2, true_positive_share=0.71)
    scorer: str
    false_positive_share: float
    true_positive_share: float


class ChurnCalibrationRow(RowModel):
    model_config = example(
        scorer="model",
        decile=1,
        customers=1540.0,
        mean_value=0.926,
        churners=1521.5,
        observed_churn_rate=0.988,
    )
    scorer: str
    decile: int
    customers: float = Field(
        description="Test customers in the decile (tied scores across a boundary are split, so "
        "it can be fractional)."
    )
    mean_value: float
    churners: float = Field(description="Of those, the churners (split as the customers).")
    observed_churn_rate: float | None


class ChurnImportanceRow(RowModel):
    model_config = example(feature="bgnbd_no_purchase", coefficient=0.91, importance_share=0.34)
    feature: str
    coefficient: float
    importance_share: float


CHURN_COMPARISON = Sql(f"""
SELECT scorer, customers, churners, auc_roc, auc_pr, brier, top_decile_lift
FROM model_churn_comparison ORDER BY {_SCORER_ORDER}
""")
# Recency's values are days, not probabilities: it has no calibration to plot.
CHURN_CALIBRATION = Sql(f"""
SELECT scorer, decile, customers, mean_value, churners,
       round(churners / nullif(customers, 0), 4) AS observed_churn_rate
FROM model_churn_calibration WHERE scorer <> 'recency' ORDER BY {_SCORER_ORDER}, decile
""")


def churn_verdict(snapshot: Any, _values: Mapping[str, Any]) -> Rows:
    """The manifest's verdict on the churn model, with its AUC-ROC and test set."""
    churn = _models(snapshot).get("churn")
    if not churn or "verdict" not in churn:
        return Rows([])
    model = churn["scorers"]["model"]
    return Rows(
        [
            {
                "verdict": churn["verdict"],
                "auc_roc": None if model["auc_roc"] is None else round(model["auc_roc"], 4),
                "test_customers": churn["test_customers"],
                "cutoff": churn["cutoff"],
            }
        ]
    )


# --- /segments/clusters -------------------------------------------------------------------------


class ClusterRow(RowModel):
    model_config = example(
        cluster=0,
        label="Hibernating",
        action="Offer relevant products and discounts",
        customers=40_100,
        pct_of_buyers=52.0,
        recency_days=387.2,
        frequency=2.5,
        monetary=436.0,
        silhouette=0.567,
    )
    cluster: int
    label: str | None
    action: str | None
    customers: int
    pct_of_buyers: float
    recency_days: float = Field(description="Centroid: the cluster's mean days since last order.")
    frequency: float = Field(description="Centroid: the cluster's mean completed orders.")
    monetary: float = Field(description="Centroid: the cluster's mean net revenue.")
    silhouette: float


class ClusterPointRow(RowModel):
    model_config = example(
        cluster=1, label="Loyal Customers", recency_days=21, frequency=9, monetary=1830.5
    )
    cluster: int
    label: str | None
    recency_days: int
    frequency: int
    monetary: float


class ClusterSelectionRow(RowModel):
    model_config = example(
        k=2, silhouette=0.567, smallest_cluster_pct=47.9, eligible=True, chosen=True
    )
    k: int
    silhouette: float
    smallest_cluster_pct: float
    eligible: bool
    chosen: bool


CLUSTERS = Sql("""
SELECT cluster, label, action, customers, pct_of_buyers, recency_days, frequency, monetary,
       silhouette
FROM model_clusters WHERE method = $method ORDER BY cluster
""")
CLUSTER_POINTS = Sql("""
SELECT cluster, label, recency_days, frequency, monetary
FROM model_cluster_points WHERE method = $method
ORDER BY cluster, recency_days, frequency, monetary
""")
CLUSTER_SELECTION = Sql("""
SELECT k, silhouette, smallest_cluster_pct, eligible, chosen
FROM model_cluster_selection WHERE method = $method ORDER BY k
""")
CLUSTERS_NOTE = Sql("""
SELECT count(*) AS clusters, round(max(silhouette), 3) AS silhouette
FROM model_clusters WHERE method = $method
""")

METRICS: tuple[Metric, ...] = (
    Metric(
        id="models_clv",
        path="/models/clv",
        area=AREA,
        scope=MODEL_SCOPES,
        title="CLV model: holdout check and fit",
        description="The BG/NBD + Gamma-Gamma lifetime-value model judged on a holdout: refitted "
        "on the data up to as-of minus the holdout, its predicted repeat purchases against what "
        "happened, per week and by calibration frequency; with the full-data fit's parameters. "
        "Tables `weekly`, `by_frequency`, `holdout` and `fit` (CSV, PNG and Vega-Lite take "
        "`table=`).",
        formula="Calibration: completed purchase days up to as-of - clv_holdout_days (182), "
        "x = repeat purchase days, t_x = last - first, T = calibration end - first; holdout: "
        "the purchase days after it of the customers first seen in the calibration. weekly: "
        "cumulative repeat purchases per holdout week, actual vs the sum of each customer's E[Y(t)] given x, t_x, T. "
        "by_frequency: per calibration x (7+ together), the mean actual and predicted holdout "
        "purchases. holdout: their totals, error_pct = (predicted - actual) / actual x 100, "
        "mae_per_customer = mean abs(predicted - actual). fit: BG/NBD (r, alpha, a, b) and "
        "Gamma-Gamma (p, q, v) maximum-likelihood fits on every buyer up to as-of, in time_unit.",
        tables=(
            Table(
                "weekly",
                ClvWeekRow,
                Mart("model_clv_holdout_weekly", "week"),
                Chart(
                    "line",
                    "week:O",
                    "value:Q",
                    fold=("actual_cumulative", "predicted_cumulative"),
                    color="measure:N",
                    y_title="Repeat purchase days (cumulative)",
                ),
            ),
            Table(
                "by_frequency",
                ClvByFrequencyRow,
                Mart(
                    "model_clv_holdout_by_frequency",
                    "try_cast(calibration_frequency AS INTEGER) NULLS LAST",
                ),
                Chart(
                    "bar",
                    "calibration_frequency:O",
                    "value:Q",
                    fold=("actual_mean", "predicted_mean"),
                    color="measure:N",
                    y_title="Repeat purchase days per customer",
                    offset="measure:N",
                    title="Holdout purchases per customer by calibration frequency",
                ),
            ),
            Table("holdout", ClvHoldoutRow, clv_holdout),
            Table("fit", ClvFitRow, clv_fit),
        ),
        message="Holdout after {calibration_end}: {predicted_repeat_purchases} repeat purchases "
        "predicted, {actual_repeat_purchases} actual ({error_pct}% error)",
        note=clv_holdout,
    ),
    Metric(
        id="models_churn",
        path="/models/churn",
        area=AREA,
        scope=MODEL_SCOPES,
        title="Churn model against its baselines",
        description="The churn propensity model (logistic regression) on its held-out test "
        "customers, against the heuristic churn_risk_score, recency alone and the BG/NBD "
        "probability of no purchase; the message says whether it beats them. Tables "
        "`comparison`, `roc`, `calibration` and `importance` (CSV, PNG and Vega-Lite take "
        "`table=`).",
        formula="Cut-off d0 = as-of - churn_cutoff_days (90); label 1 = a buyer up to d0 without "
        "a completed order in (d0, as-of]; features up to d0; trained on a seeded 80% of "
        "customers, tested on the other 20%. Per scorer on the test set: auc_roc, auc_pr, "
        "brier (probabilities only), top_decile_lift = churn share of the top-scored 10% / "
        "churn share of all. roc: the curve's points. calibration: per decile of score "
        "(1 = highest), mean score and observed_churn_rate = churners / customers. importance: "
        "standardised coefficients, importance_share = abs(coefficient) / the sum of abs(coefficients).",
        tables=(
            Table(
                "comparison",
                ChurnComparisonRow,
                CHURN_COMPARISON,
                Chart("bar", "scorer:N", "auc_roc:Q"),
            ),
            Table(
                "roc",
                ChurnRocRow,
                Mart(
                    "model_churn_roc",
                    f"{_SCORER_ORDER}, false_positive_share, true_positive_share",
                ),
                Chart(
                    "line",
                    "false_positive_share:Q",
                    "true_positive_share:Q",
                    color="scorer:N",
                    title="ROC curve on the test set",
                ),
            ),
            Table(
                "calibration",
                ChurnCalibrationRow,
                CHURN_CALIBRATION,
                Chart(
                    "line",
                    "mean_value:Q",
                    "observed_churn_rate:Q",
                    color="scorer:N",
                    title="Calibration by decile: mean predicted vs observed churn",
                ),
            ),
            Table(
                "importance",
                ChurnImportanceRow,
                Mart("model_churn_importance", "importance_share DESC, feature"),
                Chart("bar", "feature:N", "importance_share:Q", title="Feature importance"),
            ),
        ),
        message="Churn model: {verdict} (AUC-ROC {auc_roc} on {test_customers} test customers, "
        "cut-off {cutoff})",
        note=churn_verdict,
    ),
    Metric(
        id="segments_clusters",
        path="/segments/clusters",
        area=AREA,
        scope=MODEL_SCOPES,
        title="Customer clusters",
        description="Buyers clustered on log recency, frequency and monetary by one method: each "
        "cluster's size, centroid, plain-English label and action, a scatter sample coloured by "
        "cluster, and the choice of k. Tables `clusters`, `points` and `selection` (CSV, PNG and "
        "Vega-Lite take `table=`).",
        formula="Features log(1 + recency_days), log(1 + frequency), log(1 + monetary), each "
        "divided by its standard deviation; k in cluster_k_min..cluster_k_max (2..8) with the "
        "best silhouette (squared Euclidean distance, on a seeded sample of buyers) among the k "
        "whose every cluster holds at least cluster_min_share (3%); label = the RFM segment of "
        "the centroid (mean recency, frequency, monetary), action = that segment's; clusters "
        "numbered in label order. points: 1,000 seeded sampled buyers.",
        params=(
            Param(
                "method",
                str,
                "Clustering method: kmeans (k-means), gmm (Gaussian mixture) or hierarchical "
                "(bisecting k-means).",
                CLUSTERING_METHODS[0],
                choices=CLUSTERING_METHODS,
            ),
        ),
        tables=(
            Table(
                "clusters",
                ClusterRow,
                CLUSTERS,
                Chart(
                    "bar",
                    "cluster:O",
                    "customers:Q",
                    color="label:N",
                    tooltip=("cluster:O", "label:N", "customers:Q", "pct_of_buyers:Q"),
                ),
            ),
            Table(
                "points",
                ClusterPointRow,
                CLUSTER_POINTS,
                Chart(
                    "point",
                    "recency_days:Q",
                    "monetary:Q",
                    color="cluster:N",
                    tooltip=("cluster:O", "label:N", "recency_days:Q", "frequency:Q", "monetary:Q"),
                    title="A sample of buyers by recency and net revenue, coloured by cluster",
                ),
            ),
            Table(
                "selection",
                ClusterSelectionRow,
                CLUSTER_SELECTION,
                Chart("line", "k:O", "silhouette:Q", title="Silhouette by k"),
            ),
        ),
        aliases=("clusters",),
        message="{clusters} clusters, silhouette {silhouette} (squared Euclidean)",
        note=CLUSTERS_NOTE,
    ),
)
