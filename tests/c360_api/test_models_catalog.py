"""The model metrics (/models/clv, /models/churn, /segments/clusters) and the profile's cluster
filter, against DuckDB over the snapshot's Parquet and its manifest read as JSON.

The holdout's actual purchases and the calibration frequencies are re-derived from fact_orders
(completed purchase days), not from the model's tables.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from c360_contract.vocabulary import CHURN_SCORERS, CLUSTERING_METHODS, RFM_SEGMENTS
from tests.c360_api.conftest import Expect, headers
from tests.c360_api.helpers import error, ok


def manifest(expect: Expect) -> dict[str, Any]:
    path = expect.warehouse / "snapshots" / expect.snapshot_id / "manifest.json"
    models: dict[str, Any] = json.loads(path.read_text())["models"]
    return models


def get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    return ok(client.get(path, params=params, headers=headers("finance")))


class TestClv:
    def test_holdout_against_purchase_days_from_the_orders(
        self, client: TestClient, expect: Expect
    ) -> None:
        holdout = manifest(expect)["clv"]["holdout"]
        end = date.fromisoformat(holdout["calibration_end"])
        assert end == date.fromisoformat(expect.as_of) - timedelta(days=holdout["holdout_days"])
        days = """
            WITH d AS (SELECT DISTINCT customer_id, order_date FROM fact_orders
                       WHERE status = 'completed' AND customer_id IS NOT NULL),
            cal AS (SELECT customer_id, count(*) - 1 AS x FROM d WHERE order_date <= ?
                    GROUP BY 1),
            hold AS (SELECT customer_id, count(*) AS y FROM d WHERE order_date > ? GROUP BY 1)
            SELECT CASE WHEN x >= 7 THEN '7+' ELSE x::VARCHAR END AS calibration_frequency,
                   count(*) AS customers, avg(coalesce(y, 0)) AS actual_mean,
                   sum(coalesce(y, 0)) AS actual
            FROM cal LEFT JOIN hold USING (customer_id) GROUP BY 1
        """
        want = expect.df(days, [end, end]).set_index("calibration_frequency")
        body = get(client, "/models/clv")
        data = body["data"]
        (row,) = data["holdout"]
        assert row["customers"] == want["customers"].sum()
        assert row["actual_repeat_purchases"] == want["actual"].sum()
        predicted = row["predicted_repeat_purchases"]
        actual = row["actual_repeat_purchases"]
        assert row["error_pct"] == pytest.approx(100 * (predicted - actual) / actual, abs=0.01)
        assert data["weekly"][-1]["actual_cumulative"] == actual
        assert data["weekly"][-1]["predicted_cumulative"] == pytest.approx(predicted, abs=0.01)
        weeks = [w["week"] for w in data["weekly"]]
        assert weeks == list(range(1, len(weeks) + 1))
        assert [w["days_after_calibration"] for w in data["weekly"]][-1] == holdout["holdout_days"]
        by_frequency = data["by_frequency"]
        labels = [r["calibration_frequency"] for r in by_frequency]
        assert labels == sorted(want.index, key=lambda f: int(f.rstrip("+")))
        for r in by_frequency:
            expected = want.loc[r["calibration_frequency"]]
            assert r["customers"] == expected["customers"]
            assert r["actual_mean"] == pytest.approx(expected["actual_mean"], rel=1e-9)
        assert str(actual) in body["message"]

    def test_fit_is_the_manifests(self, client: TestClient, expect: Expect) -> None:
        clv = manifest(expect)["clv"]
        (fit,) = get(client, "/models/clv")["data"]["fit"]
        bg, gg = clv["bgnbd"], clv["gamma_gamma"]
        assert fit["time_unit"] == clv["time_unit"] == "day"
        assert [fit[k] for k in ("r", "alpha", "a", "b", "log_likelihood")] == [
            bg[k] for k in ("r", "alpha", "a", "b", "log_likelihood")
        ]
        assert [fit[k] for k in ("p", "q", "v")] == [gg[k] for k in ("p", "q", "v")]
        assert fit["gamma_gamma_log_likelihood"] == gg["log_likelihood"]
        assert fit["clv_source"] == clv["predicted_clv_12m"]
        buyers = expect.df(
            "SELECT count(DISTINCT customer_id) n FROM fact_orders "
            "WHERE status = 'completed' AND customer_id IS NOT NULL"
        )["n"][0]
        assert fit["customers"] == buyers
        repeaters = expect.df(
            "SELECT count(*) n FROM (SELECT customer_id FROM fact_orders WHERE status = "
            "'completed' AND customer_id IS NOT NULL GROUP BY 1 "
            "HAVING count(DISTINCT order_date) > 1)"
        )["n"][0]
        assert fit["repeat_customers"] == repeaters

    def test_grouped_bars_of_actual_and_predicted(self, client: TestClient) -> None:
        spec = client.get(
            "/models/clv",
            params={"format": "vega", "table": "by_frequency"},
            headers=headers("finance"),
        ).json()
        assert spec["encoding"]["xOffset"]["field"] == "measure"
        assert spec["transform"][0]["fold"] == ["actual_mean", "predicted_mean"]


class TestChurn:
    def test_comparison_roc_calibration_and_verdict(
        self, client: TestClient, expect: Expect
    ) -> None:
        churn = manifest(expect)["churn"]
        body = ok(client.get("/models/churn", headers=headers("marketing")))
        data = body["data"]
        assert [r["scorer"] for r in data["comparison"]] == list(CHURN_SCORERS)
        stored = expect.df("SELECT * FROM model_churn_comparison").set_index("scorer")
        for r in data["comparison"]:
            assert r["auc_roc"] == pytest.approx(stored.loc[r["scorer"], "auc_roc"])
            assert r["customers"] == churn["test_customers"]
        model_auc = data["comparison"][0]["auc_roc"]
        beats = all(model_auc > r["auc_roc"] for r in data["comparison"][1:])
        assert churn["beats_baselines"] == beats
        assert churn["verdict"] in body["message"]
        assert ("NOT" in body["message"]) == (not beats)
        for scorer in ("model", "heuristic", "bgnbd"):
            deciles = [r for r in data["calibration"] if r["scorer"] == scorer]
            assert [r["decile"] for r in deciles] == list(range(1, 11))
            assert sum(r["customers"] for r in deciles) == pytest.approx(churn["test_customers"])
            for r in deciles:
                assert r["observed_churn_rate"] == round(r["churners"] / r["customers"], 4)
        assert {r["scorer"] for r in data["calibration"]} == {"model", "heuristic", "bgnbd"}
        model_roc = [r for r in data["roc"] if r["scorer"] == "model"]
        ends = [model_roc[0], model_roc[-1]]
        assert [(r["false_positive_share"], r["true_positive_share"]) for r in ends] == [
            (0.0, 0.0),
            (1.0, 1.0),
        ]
        shares = [r["importance_share"] for r in data["importance"]]
        assert shares == sorted(shares, reverse=True)
        assert sum(shares) == pytest.approx(1.0, abs=1e-3)


class TestClusters:
    @pytest.mark.parametrize("method", CLUSTERING_METHODS)
    def test_sizes_labels_points_and_k(
        self, client: TestClient, expect: Expect, method: str
    ) -> None:
        body = ok(
            client.get(
                "/segments/clusters", params={"method": method}, headers=headers("marketing")
            )
        )
        data = body["data"]
        sizes = expect.df(
            "SELECT cluster, any_value(label) AS label, count(*) AS customers "
            "FROM customer_clusters WHERE method = ? GROUP BY 1 ORDER BY 1",
            [method],
        )
        assert [r["cluster"] for r in data["clusters"]] == sizes["cluster"].tolist()
        assert [r["customers"] for r in data["clusters"]] == sizes["customers"].tolist()
        assert [r["label"] for r in data["clusters"]] == sizes["label"].tolist()
        buyers = int(sizes["customers"].sum())
        for r in data["clusters"]:
            assert r["pct_of_buyers"] == pytest.approx(100 * r["customers"] / buyers, abs=0.01)
            assert r["label"] in RFM_SEGMENTS
        chosen = [r["k"] for r in data["selection"] if r["chosen"]]
        assert (
            chosen
            == [len(data["clusters"])]
            == [manifest(expect)["clusters"]["chosen"][method]["k"]]
        )
        assert {r["cluster"] for r in data["points"]} <= {r["cluster"] for r in data["clusters"]}
        assert (
            len(data["points"])
            == expect.df("SELECT count(*) n FROM model_cluster_points WHERE method = ?", [method])[
                "n"
            ][0]
        )
        assert body["message"].startswith(f"{len(data['clusters'])} clusters")

    def test_an_unknown_method_is_422_naming_the_methods(self, client: TestClient) -> None:
        body = error(
            client.get(
                "/segments/clusters", params={"method": "dbscan"}, headers=headers("marketing")
            ),
            422,
        )
        assert all(m in json.dumps(body["error_details"]) for m in CLUSTERING_METHODS)

    def test_profiles_filter_by_cluster_label(self, client: TestClient, expect: Expect) -> None:
        labels = expect.df(
            "SELECT cluster_label, count(*) n FROM customer_profile "
            "WHERE cluster_label IS NOT NULL GROUP BY 1 ORDER BY 2 DESC"
        )
        label, count = labels["cluster_label"][0], int(labels["n"][0])
        body = ok(
            client.get(
                "/analytics/customer-profiles",
                params={"cluster_label": label, "limit": 1000},
                headers=headers("marketing"),
            )
        )
        assert body["count"] == count
        assert {r["cluster_label"] for r in body["data"]} == {label}
        kmeans = expect.df(
            "SELECT count(*) n FROM customer_clusters WHERE method = 'kmeans' AND label = ?",
            [label],
        )["n"][0]
        assert count == kmeans
