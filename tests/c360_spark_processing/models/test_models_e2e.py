"""The models stage in the suite's real pipeline run (2,000 generated persons), checked with DuckDB.

Customer summaries, holdout counts and cluster sizes are re-derived in SQL from the published
fact_orders, not read from the pipeline's intermediates.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from c360_contract.vocabulary import CLUSTERING_METHODS
from c360_contract.warehouse import current_snapshot_id, snapshot_path
from c360_spark_processing.models import bgnbd, gamma_gamma
from c360_spark_processing.models.bgnbd import BgNbdParams
from c360_spark_processing.models.gamma_gamma import GammaGammaParams
from c360_spark_processing.settings import PipelineSettings

MODEL_TABLES = (
    "customer_clusters",
    "model_clusters",
    "model_cluster_selection",
    "model_cluster_points",
    "model_clv_holdout_by_frequency",
    "model_clv_holdout_weekly",
    "model_churn_comparison",
    "model_churn_calibration",
    "model_churn_roc",
    "model_churn_importance",
)
SETTINGS = PipelineSettings()


@pytest.fixture(scope="module")
def snapshot(pipeline_warehouse: Path) -> Path:
    snapshot_id = current_snapshot_id(pipeline_warehouse)
    assert snapshot_id is not None
    return snapshot_path(pipeline_warehouse, snapshot_id)


@pytest.fixture(scope="module")
def manifest(snapshot: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((snapshot / "manifest.json").read_text())
    return loaded


@pytest.fixture(scope="module")
def db(snapshot: Path, manifest: dict[str, Any]) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    for table in (*MODEL_TABLES, "customer_profile", "fact_orders"):
        con.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{snapshot / table}/*.parquet')"
        )
    as_of = manifest["as_of"]
    con.execute(
        f"""
        CREATE VIEW purchase_days AS
        SELECT customer_id, order_date AS day, sum(net_amount) AS amount
        FROM fact_orders
        WHERE status = 'completed' AND customer_id IS NOT NULL AND order_date <= DATE '{as_of}'
        GROUP BY customer_id, order_date
        """
    )
    yield con
    con.close()


def _summary(db: duckdb.DuckDBPyConnection, end: str) -> str:
    """SQL of (customer_id, x, t_x, T, monetary) over the purchase days up to `end`."""
    return f"""
        SELECT customer_id, count(*) - 1 AS x,
               date_diff('day', min(day), max(day)) AS t_x,
               date_diff('day', min(day), DATE '{end}') AS T,
               CASE WHEN count(*) > 1
                    THEN (sum(amount) - arg_min(amount, day)) / (count(*) - 1) END AS monetary
        FROM purchase_days WHERE day <= DATE '{end}' GROUP BY customer_id"""


def test_every_model_table_is_published(db: duckdb.DuckDBPyConnection) -> None:
    for table in MODEL_TABLES:
        (rows,) = db.execute(f"SELECT count(*) FROM {table}").fetchall()[0]
        assert rows > 0, table


def test_manifest_models_section_and_stage_breakdown(manifest: dict[str, Any]) -> None:
    models = manifest["models"]
    assert models["clv"]["bgnbd"]["converged"]
    assert models["clv"]["gamma_gamma"]["converged"]
    assert models["clv"]["predicted_clv_12m"] == "bgnbd_gamma_gamma"
    assert models["churn"]["test_customers"] > 0
    assert set(models["clusters"]["chosen"]) == set(CLUSTERING_METHODS)
    stage = manifest["stages"]["models"]
    for name in ("clv", "clv_holdout", "churn", "clusters"):
        assert stage[f"seconds_{name}"] > 0
    assert stage["seconds"] >= stage["seconds_clv"] + stage["seconds_churn"]


def test_profile_scores_equal_the_model_on_sql_summaries(
    db: duckdb.DuckDBPyConnection, manifest: dict[str, Any]
) -> None:
    """p_alive, expected purchases and the 12-month value recomputed from the manifest's
    parameters on summaries DuckDB derives from fact_orders."""
    fit = manifest["models"]["clv"]
    params = BgNbdParams(*(fit["bgnbd"][k] for k in ("r", "alpha", "a", "b")))
    value = GammaGammaParams(*(fit["gamma_gamma"][k] for k in ("p", "q", "v")))
    rows = db.execute(
        f"""SELECT s.x, s.t_x, s.T, s.monetary, p.p_alive, p.expected_purchases_365d,
                   p.expected_order_value, p.predicted_clv_12m
            FROM ({_summary(db, manifest["as_of"])}) s JOIN customer_profile p USING (customer_id)"""
    ).df()
    x, t_x, age, monetary = (rows[c].to_numpy(np.float64) for c in ("x", "t_x", "T", "monetary"))
    assert len(x) == fit["customers"]
    np.testing.assert_allclose(rows["p_alive"], bgnbd.p_alive(params, x, t_x, age), atol=5e-5)
    expected = bgnbd.expected_purchases(params, 365.0, x, t_x, age)
    np.testing.assert_allclose(rows["expected_purchases_365d"], expected, atol=5e-5)
    order_value = gamma_gamma.expected_value(value, x, monetary)
    np.testing.assert_allclose(rows["expected_order_value"], order_value, atol=5e-3)
    # Undiscounted the twelve months add up to the 365-day expectation; discounting only lowers it.
    clv = rows["predicted_clv_12m"].to_numpy(np.float64)
    assert np.all(clv <= np.round(expected * order_value, 2) + 0.01)
    assert np.all(clv >= np.round(expected * order_value / 1.1, 2) - 0.01)


def test_holdout_counts_match_sql(db: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> None:
    holdout = manifest["models"]["clv"]["holdout"]
    end = holdout["calibration_end"]
    actual = db.execute(
        f"""
        WITH cal AS ({_summary(db, end)}),
        later AS (SELECT customer_id, count(*) AS y FROM purchase_days
                  WHERE day > DATE '{end}' GROUP BY customer_id)
        SELECT CASE WHEN x >= 7 THEN '7+' ELSE x::VARCHAR END AS f, count(*) AS customers,
               avg(coalesce(y, 0)) AS actual_mean, sum(coalesce(y, 0)) AS total
        FROM cal LEFT JOIN later USING (customer_id) GROUP BY 1 ORDER BY 1"""
    ).fetchall()
    published = db.execute(
        "SELECT calibration_frequency, customers, actual_mean FROM model_clv_holdout_by_frequency "
        "ORDER BY 1"
    ).fetchall()
    assert [(f, c) for f, c, _ in published] == [(f, c) for f, c, _, _ in actual]
    assert [m for *_, m in published] == pytest.approx([m for _, _, m, _ in actual])
    assert holdout["customers"] == sum(c for _, c, _, _ in actual)
    assert holdout["actual_repeat_purchases"] == sum(t for *_, t in actual)
    (last,) = db.execute(
        "SELECT actual_cumulative FROM model_clv_holdout_weekly ORDER BY week DESC LIMIT 1"
    ).fetchall()[0]
    assert last == holdout["actual_repeat_purchases"]


def test_churn_report_covers_every_scorer_and_the_cut_off(
    db: duckdb.DuckDBPyConnection, manifest: dict[str, Any]
) -> None:
    churn = manifest["models"]["churn"]
    cutoff = date.fromisoformat(manifest["as_of"]) - timedelta(days=SETTINGS.churn_cutoff_days)
    assert churn["cutoff"] == cutoff.isoformat()
    (labelled,) = db.execute(
        f"SELECT count(DISTINCT customer_id) FROM purchase_days WHERE day <= DATE '{cutoff}'"
    ).fetchall()[0]
    assert churn["train_customers"] + churn["test_customers"] == labelled
    scorers = dict(db.execute("SELECT scorer, auc_roc FROM model_churn_comparison").fetchall())
    assert set(scorers) == {"model", "heuristic", "recency", "bgnbd"}
    beaten = all(scorers["model"] > auc for s, auc in scorers.items() if s != "model")
    assert churn["beats_baselines"] == beaten
    (deciles,) = db.execute(
        "SELECT count(*) FROM model_churn_calibration WHERE scorer = 'model'"
    ).fetchall()[0]
    assert deciles == 10
    (scored, probabilities) = db.execute(
        "SELECT count(*), count(churn_probability) FROM customer_profile WHERE total_orders > 0"
    ).fetchall()[0]
    assert probabilities == scored


def test_clusters_cover_every_buyer_and_label_the_profile(
    db: duckdb.DuckDBPyConnection,
) -> None:
    (buyers,) = db.execute(
        "SELECT count(*) FROM customer_profile WHERE total_orders > 0"
    ).fetchall()[0]
    per_method = dict(
        db.execute("SELECT method, count(*) FROM customer_clusters GROUP BY method").fetchall()
    )
    assert per_method == dict.fromkeys(CLUSTERING_METHODS, buyers)
    sizes = db.execute(
        """SELECT m.method, m.cluster, m.customers, count(c.customer_id)
           FROM model_clusters m LEFT JOIN customer_clusters c USING (method, cluster)
           GROUP BY ALL"""
    ).fetchall()
    assert all(published == counted for *_, published, counted in sizes)
    (mismatched,) = db.execute(
        """SELECT count(*) FROM customer_profile p LEFT JOIN customer_clusters c
           ON c.customer_id = p.customer_id AND c.method = 'kmeans'
           WHERE p.cluster_label IS DISTINCT FROM c.label"""
    ).fetchall()[0]
    assert mismatched == 0
    # Ids follow the labels within each method.
    for method in per_method:
        labels = [
            label
            for (label,) in db.execute(
                f"SELECT label FROM model_clusters WHERE method = '{method}' ORDER BY cluster"
            ).fetchall()
        ]
        assert labels == sorted(labels)
