"""GET /customers/{customer_id} and GET /customers/lookup."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.c360_api.conftest import Expect, headers
from tests.c360_api.helpers import error, ok, read_csv


def busiest_customer(expect: Expect) -> str:
    """The customer with the most orders, so 'last 20' is exercised when data allows."""
    return str(
        expect.df(
            "SELECT customer_id FROM fact_orders GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        )["customer_id"][0]
    )


class TestGetCustomer:
    def test_whole_360_view(self, client: TestClient, expect: Expect) -> None:
        cid = busiest_customer(expect)
        body = ok(client.get(f"/customers/{cid}", headers=headers("pii")))
        data = body["data"]
        profile = expect.df("SELECT * FROM customer_profile WHERE customer_id = ?", [cid]).iloc[0]
        assert data["customer_id"] == cid
        assert data["golden_record"]["customer_name"] == profile["customer_name"]
        assert data["golden_record"]["email"] == profile["email"]
        assert data["scores"]["customer_health_score"] == profile["customer_health_score"]
        assert data["scores"]["rfm_segment"] == profile["rfm_segment"]
        assert data["orders"]["total_orders"] == profile["total_orders"]
        assert data["loyalty"]["loyalty_tier"] == profile["loyalty_tier"]
        identities = expect.df(
            "SELECT source, source_record_id FROM identity_crosswalk WHERE customer_id = ? "
            "ORDER BY 1, 2",
            [cid],
        )
        assert data["linked_identities"] == identities.to_dict("records")
        orders = expect.df(
            "SELECT order_id FROM fact_orders WHERE customer_id = ? "
            "ORDER BY order_ts DESC, order_id DESC LIMIT 20",
            [cid],
        )
        assert [o["order_id"] for o in data["recent_orders"]] == list(orders["order_id"])
        tickets = expect.df(
            "SELECT ticket_id FROM fact_support_tickets WHERE customer_id = ? "
            "ORDER BY created_at DESC, ticket_id DESC LIMIT 20",
            [cid],
        )
        assert [t["ticket_id"] for t in data["recent_tickets"]] == list(tickets["ticket_id"])
        assert body["count"] == 1

    def test_unknown_customer_is_404(self, client: TestClient) -> None:
        body = error(client.get("/customers/C-DOES-NOT-EXIST", headers=headers("marketing")), 404)
        assert body["error_details"]["customer_id"] == "C-DOES-NOT-EXIST"

    def test_csv_carries_each_table_of_the_view(self, client: TestClient, expect: Expect) -> None:
        cid = busiest_customer(expect)
        view = ok(client.get(f"/customers/{cid}", headers=headers("marketing")))["data"]
        for table, rows in (
            ("linked_identities", view["linked_identities"]),
            ("recent_orders", view["recent_orders"]),
            ("recent_tickets", view["recent_tickets"]),
        ):
            answer = client.get(
                f"/customers/{cid}",
                params={"format": "csv", "table": table},
                headers=headers("marketing"),
            )
            frame = read_csv(answer)
            assert answer.headers["X-Table"] == table
            assert len(frame) == len(rows)
            if rows:
                assert list(frame.columns) == list(rows[0])
        profile = read_csv(
            client.get(f"/customers/{cid}", params={"format": "csv"}, headers=headers("marketing"))
        )
        assert len(profile) == 1
        assert profile["customer_id"][0] == cid
        assert profile["total_orders"][0] == str(view["orders"]["total_orders"])
        accepted = client.get(
            f"/customers/{cid}", headers={**headers("marketing"), "Accept": "text/csv"}
        )
        assert (
            accepted.text
            == client.get(
                f"/customers/{cid}", params={"format": "csv"}, headers=headers("marketing")
            ).text
        )

    def test_auth(self, client: TestClient) -> None:
        error(client.get("/customers/C-000001"), 401)
        error(client.get("/customers/C-000001", headers={"X-API-Key": "x"}), 401)
        error(client.get("/customers/C-000001", headers=headers("admin")), 403)


class TestLookupCustomer:
    @pytest.mark.parametrize("source", ["crm", "ecommerce", "loyalty", "support"])
    def test_finds_the_customer_by_any_source_id(
        self, client: TestClient, expect: Expect, source: str
    ) -> None:
        row = expect.df(
            "SELECT source_record_id, customer_id FROM identity_crosswalk WHERE source = ? "
            "ORDER BY 1 LIMIT 1",
            [source],
        ).iloc[0]
        body = ok(
            client.get(
                "/customers/lookup",
                params={"source": source, "id": row["source_record_id"]},
                headers=headers("finance"),
            )
        )
        assert body["data"]["customer_id"] == row["customer_id"]
        assert {"source": source, "source_record_id": row["source_record_id"]} in body["data"][
            "linked_identities"
        ]

    def test_unknown_id_is_404(self, client: TestClient) -> None:
        error(
            client.get(
                "/customers/lookup",
                params={"source": "crm", "id": "CRM-NOPE"},
                headers=headers("marketing"),
            ),
            404,
        )

    def test_bad_source_is_422_with_allowed_values(self, client: TestClient) -> None:
        body = error(
            client.get(
                "/customers/lookup",
                params={"source": "erp", "id": "1"},
                headers=headers("marketing"),
            ),
            422,
        )
        err = body["error_details"]["errors"][0]
        assert err["parameter"] == "source"
        assert "loyalty" in err["allowed"]

    def test_missing_id_is_422(self, client: TestClient) -> None:
        body = error(
            client.get("/customers/lookup", params={"source": "crm"}, headers=headers("marketing")),
            422,
        )
        assert body["error_details"]["errors"][0]["parameter"] == "id"

    def test_auth(self, client: TestClient) -> None:
        error(client.get("/customers/lookup", params={"source": "crm", "id": "x"}), 401)
        error(
            client.get(
                "/customers/lookup", params={"source": "crm", "id": "x"}, headers=headers("admin")
            ),
            403,
        )
