"""GET /marketing/churn-risk-customers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.c360_api.conftest import Expect, headers
from tests.c360_api.helpers import error, ok, read_csv

PATH = "/marketing/churn-risk-customers"
COLUMNS = (
    "customer_id, customer_name, customer_segment, loyalty_tier, total_spent, risk_status, "
    "churn_risk_score, customer_health_score, customer_status, recency_days, "
    "strftime(last_order_date, '%Y-%m-%d') AS last_order_date"
)
WHERE = "risk_status IN ('High', 'Critical') AND customer_status <> 'Churned'"


class TestChurnRiskCustomers:
    def test_lists_high_and_critical_not_churned_by_spend(
        self, client: TestClient, expect: Expect
    ) -> None:
        body = ok(client.get(PATH, params={"limit": 1000}, headers=headers("marketing")))
        want = expect.df(
            f"SELECT {COLUMNS} FROM customer_profile WHERE {WHERE} ORDER BY total_spent DESC, customer_id"
        )
        assert body["count"] == len(want) > 0
        assert [r["customer_id"] for r in body["data"]] == list(want["customer_id"])
        first = body["data"][0]
        assert set(first) == set(want.columns)
        assert first["total_spent"] == want.iloc[0]["total_spent"]
        assert first["last_order_date"] == want.iloc[0]["last_order_date"]
        assert {r["risk_status"] for r in body["data"]} <= {"High", "Critical"}

    def test_min_lifetime_value_filters_on_total_spent(
        self, client: TestClient, expect: Expect
    ) -> None:
        bound = float(
            expect.df(f"SELECT median(total_spent) m FROM customer_profile WHERE {WHERE}")["m"][0]
        )
        body = ok(
            client.get(
                PATH,
                params={"min_lifetime_value": bound, "limit": 1000},
                headers=headers("marketing"),
            )
        )
        want = expect.df(
            f"SELECT customer_id FROM customer_profile WHERE {WHERE} AND total_spent >= ? "
            "ORDER BY total_spent DESC, customer_id",
            [bound],
        )
        assert 0 < body["count"] == len(want)
        assert [r["customer_id"] for r in body["data"]] == list(want["customer_id"])

    def test_limit_and_offset_page_while_count_stays_total(
        self, client: TestClient, expect: Expect
    ) -> None:
        want = expect.df(
            f"SELECT customer_id FROM customer_profile WHERE {WHERE} ORDER BY total_spent DESC, customer_id"
        )
        body = ok(client.get(PATH, params={"limit": 3, "offset": 2}, headers=headers("marketing")))
        assert body["count"] == len(want)
        assert [r["customer_id"] for r in body["data"]] == list(want["customer_id"][2:5])

    def test_csv(self, client: TestClient, expect: Expect) -> None:
        frame = read_csv(
            client.get(PATH, params={"format": "csv", "limit": 5}, headers=headers("marketing"))
        )
        want = expect.df(
            f"SELECT {COLUMNS} FROM customer_profile WHERE {WHERE} ORDER BY total_spent DESC, customer_id LIMIT 5"
        )
        assert list(frame.columns) == list(want.columns)
        assert list(frame["customer_id"]) == list(want["customer_id"])

    def test_auth(self, client: TestClient) -> None:
        error(client.get(PATH), 401)
        error(client.get(PATH, headers={"X-API-Key": "wrong"}), 401)
        error(client.get(PATH, headers=headers("product")), 403)

    def test_bad_params_are_422_naming_them(self, client: TestClient) -> None:
        for params, name in (
            ({"limit": 0}, "limit"),
            ({"limit": 1001}, "limit"),
            ({"offset": -1}, "offset"),
            ({"min_lifetime_value": "lots"}, "min_lifetime_value"),
        ):
            body = error(client.get(PATH, params=params, headers=headers("marketing")), 422)
            assert [e["parameter"] for e in body["error_details"]["errors"]] == [name]
