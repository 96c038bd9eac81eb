"""GET /analytics/customer-profiles."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.c360_api.conftest import Expect, headers
from tests.c360_api.helpers import error, ok, read_csv

PATH = "/analytics/customer-profiles"


def ids(client: TestClient, params: Any, role: str = "marketing") -> tuple[list[str], int]:
    body = ok(client.get(PATH, params=params, headers=headers(role)))
    return [r["customer_id"] for r in body["data"]], body["count"]


def all_ids(client: TestClient, params: Any) -> tuple[list[str], int]:
    """Every matching id, paging 1,000 at a time until `count` rows have been read."""
    pairs = [(k, v) for k, v in (params.items() if isinstance(params, dict) else params)]
    collected: list[str] = []
    while True:
        page, count = ids(client, [*pairs, ("limit", 1000), ("offset", len(collected))])
        collected += page
        if len(collected) >= count or not page:
            return collected, count


class TestCustomerProfiles:
    def test_default_is_first_100_by_total_spent_desc(
        self, client: TestClient, expect: Expect
    ) -> None:
        got, count = ids(client, {})
        want = expect.df(
            "SELECT customer_id FROM customer_profile ORDER BY total_spent DESC NULLS LAST, customer_id"
        )
        assert count == len(want)
        assert got == list(want["customer_id"][:100])

    def test_repeated_customer_status_is_an_or(self, client: TestClient, expect: Expect) -> None:
        got, count = all_ids(
            client, [("customer_status", "Active"), ("customer_status", "At Risk")]
        )
        want = expect.df(
            "SELECT customer_id FROM customer_profile WHERE customer_status IN ('Active', 'At Risk')"
        )
        assert count == len(want) > 0
        assert sorted(got) == sorted(want["customer_id"])

    @pytest.mark.parametrize(
        ("param", "column"),
        [
            ("segment", "customer_segment"),
            ("loyalty_tier", "loyalty_tier"),
            ("rfm_segment", "rfm_segment"),
            ("generation", "generation"),
            ("state", "state"),
        ],
    )
    def test_each_equality_filter(
        self, client: TestClient, expect: Expect, param: str, column: str
    ) -> None:
        value = expect.df(f"SELECT mode({column}) v FROM customer_profile")["v"][0]
        got, count = all_ids(client, {param: value})
        want = expect.df(f"SELECT customer_id FROM customer_profile WHERE {column} = ?", [value])
        assert count == len(want) > 0
        assert sorted(got) == sorted(want["customer_id"])

    @pytest.mark.parametrize(
        ("param", "column"),
        [("min_health_score", "customer_health_score"), ("min_lifetime_value", "total_spent")],
    )
    def test_each_lower_bound_is_inclusive(
        self, client: TestClient, expect: Expect, param: str, column: str
    ) -> None:
        bound = float(expect.df(f"SELECT median({column}) v FROM customer_profile")["v"][0])
        got, count = all_ids(client, {param: bound})
        want = expect.df(f"SELECT customer_id FROM customer_profile WHERE {column} >= ?", [bound])
        assert count == len(want) > 0
        assert sorted(got) == sorted(want["customer_id"])

    def test_filters_combine_with_and(self, client: TestClient, expect: Expect) -> None:
        got, count = all_ids(
            client, {"customer_status": "Active", "state": "TX", "min_health_score": 1}
        )
        want = expect.df(
            "SELECT customer_id FROM customer_profile WHERE customer_status = 'Active' "
            "AND state = 'TX' AND customer_health_score >= 1"
        )
        assert count == len(want)
        assert sorted(got) == sorted(want["customer_id"])

    @pytest.mark.parametrize(
        ("sort", "order"), [("customer_health_score", "ASC"), ("recency_days_desc", "DESC")]
    )
    def test_sort(self, client: TestClient, expect: Expect, sort: str, order: str) -> None:
        column = sort.removesuffix("_desc")
        got, _ = ids(client, {"sort": sort, "limit": 1000})
        want = expect.df(
            f"SELECT customer_id FROM customer_profile ORDER BY {column} {order} NULLS LAST, customer_id"
        )
        assert got == list(want["customer_id"][:1000])

    def test_paging(self, client: TestClient, expect: Expect) -> None:
        got, count = ids(client, {"sort": "customer_id", "limit": 7, "offset": 10})
        want = expect.df(
            "SELECT customer_id FROM customer_profile ORDER BY customer_id LIMIT 7 OFFSET 10"
        )
        assert got == list(want["customer_id"])
        assert count == int(expect.df("SELECT count(*) n FROM customer_profile")["n"][0])

    def test_csv_lists_are_json_arrays(self, client: TestClient, expect: Expect) -> None:
        """A list reads back as in JSON: `[]` when empty, never confused with a null."""
        frame = read_csv(
            client.get(
                PATH,
                params={"sort": "customer_id", "limit": 1000, "format": "csv"},
                headers=headers("pii"),
            )
        )
        want = expect.df(
            "SELECT customer_id, to_json(channels_used)::VARCHAR channels, email "
            "FROM customer_profile ORDER BY customer_id LIMIT 1000"
        )
        assert list(frame["customer_id"]) == list(want["customer_id"])
        assert list(frame["channels_used"]) == list(want["channels"])
        assert "[]" in set(frame["channels_used"])  # prospects: an empty list, not a null
        assert list(frame["email"]) == list(want["email"].fillna(""))

    @pytest.mark.parametrize("role", ["product", "finance", "customer_success"])
    def test_any_data_scope_may_read(self, client: TestClient, role: str) -> None:
        ok(client.get(PATH, params={"limit": 1}, headers=headers(role)))

    def test_auth(self, client: TestClient) -> None:
        error(client.get(PATH), 401)
        error(client.get(PATH, headers={"X-API-Key": "wrong"}), 401)
        error(client.get(PATH, headers=headers("admin")), 403)

    @pytest.mark.parametrize(
        ("params", "name"),
        [
            ({"customer_status": "Happy"}, "customer_status"),
            ({"segment": "Gold"}, "segment"),
            ({"loyalty_tier": "Diamond"}, "loyalty_tier"),
            ({"rfm_segment": "Vips"}, "rfm_segment"),
            ({"generation": "Boomers"}, "generation"),
            ({"sort": "email"}, "sort"),
        ],
    )
    def test_invalid_enum_is_422_with_allowed_values(
        self, client: TestClient, params: dict[str, Any], name: str
    ) -> None:
        body = error(client.get(PATH, params=params, headers=headers("marketing")), 422)
        errors = body["error_details"]["errors"]
        assert [e["parameter"].split(".")[0] for e in errors] == [name]
        assert name in body["error_message"]
        assert errors[0]["allowed"].count("'") >= 4  # at least two quoted allowed values

    @pytest.mark.parametrize(
        ("params", "name"),
        [
            ({"limit": 0}, "limit"),
            ({"limit": 1001}, "limit"),
            ({"offset": -1}, "offset"),
            ({"min_health_score": 6}, "min_health_score"),
            ({"min_lifetime_value": "x"}, "min_lifetime_value"),
            ({"state": "ca"}, "state.0"),
            ({"state": ["TX", "Texas"]}, "state.1"),
        ],
    )
    def test_out_of_range_is_422_naming_the_parameter(
        self, client: TestClient, params: dict[str, Any], name: str
    ) -> None:
        body = error(client.get(PATH, params=params, headers=headers("marketing")), 422)
        assert [e["parameter"] for e in body["error_details"]["errors"]] == [name]
