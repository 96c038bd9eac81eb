"""Query parameters: repeated scalars, unknown names, integer and float bounds (route and fast path).

Which parameters are scalar, integer or float is read from /openapi.json here, independently of
the code that enforces the rules, and every operation is checked, so generated routes are covered.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from c360_api.api.answers import cache_key
from c360_api.main import create_app
from c360_api.render.negotiate import Representation
from tests.c360_api.conftest import Expect, Workspace, build_test_warehouse, headers, make_settings
from tests.c360_api.helpers import error, ok

PROFILES = "/analytics/customer-profiles"
CHURN = "/marketing/churn-risk-customers"
RETENTION = "/recommendations/customer-retention"
PAGED = (PROFILES, CHURN)
BIGINT_MAX = 2**63 - 1  # DuckDB's BIGINT, what LIMIT/OFFSET and integer comparisons take


@pytest.fixture
def fresh(pipeline_warehouse: Path, tmp_path: Path) -> Iterator[TestClient]:
    """A client with an empty cache."""
    warehouse = build_test_warehouse(pipeline_warehouse, tmp_path)
    with TestClient(create_app(make_settings(warehouse))) as c:
        yield c


def operations(client: TestClient) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every documented operation."""
    for path, methods in client.get("/openapi.json").json()["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def query_params(operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in operation.get("parameters", []) if p["in"] == "query"]


def types_of(schema: dict[str, Any]) -> set[str]:
    """The JSON types a parameter schema admits (through anyOf, e.g. optional values)."""
    if "anyOf" in schema:
        return set().union(*(types_of(s) for s in schema["anyOf"]))
    return {schema["type"]} if "type" in schema else set()


def sample(schema: dict[str, Any]) -> str:
    """A valid value for a scalar parameter schema, as sent in a query string."""
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    chosen = options[0]
    if "enum" in chosen:
        return str(chosen["enum"][0])
    if chosen.get("type") == "boolean":
        return "true"
    if chosen.get("type") in ("integer", "number"):
        return str(chosen.get("minimum", 1))
    return "x"


def required_query(operation: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["name"], sample(p["schema"])) for p in query_params(operation) if p.get("required")]


def concrete(path: str, expect: Expect) -> str:
    customer = expect.df("SELECT min(customer_id) c FROM customer_profile")["c"][0]
    return path.replace("{customer_id}", customer).replace("{job_id}", "nope")


def error_parameters(body: dict[str, Any]) -> list[str]:
    return [e["parameter"] for e in body["error_details"]["errors"]]


class TestRepeatedScalars:
    def test_the_reported_cache_mixup_is_now_422_both_ways(self, fresh: TestClient) -> None:
        for query in ("limit=8&limit=3", "limit=3&limit=8"):
            body = error(fresh.get(f"{CHURN}?{query}", headers=headers("marketing")), 422)
            assert error_parameters(body) == ["limit"]
            assert "limit" in body["error_message"]
        assert len(fresh.app.state.cache) == 0  # type: ignore[attr-defined]
        single = fresh.get(f"{CHURN}?limit=3", headers=headers("marketing"))
        assert (single.headers["X-Cache"], len(ok(single)["data"])) == ("MISS", 3)

    def test_the_fast_path_never_answers_a_repeated_scalar_from_cache(
        self, fresh: TestClient
    ) -> None:
        ok(fresh.get(f"{CHURN}?limit=3", headers=headers("marketing")))
        state = fresh.app.state  # type: ignore[attr-defined]
        snapshot_id = state.store.peek().snapshot_id

        def key(query: bytes) -> tuple[Any, ...]:
            scope = {"type": "http", "path": CHURN, "query_string": query, "headers": []}
            return cache_key(Request(scope), snapshot_id, False, Representation.JSON)

        entry = state.cache.peek(key(b"limit=3"))
        assert entry is not None
        # Plant the route's entry under the keys repeated requests compute (the sorted key used
        # to share one entry between `limit=3&limit=8` and `limit=8&limit=3`).
        for query in ("limit=3&limit=3", "limit=8&limit=3"):
            state.cache.put(key(query.encode()), entry)
            answer = fresh.get(f"{CHURN}?{query}", headers=headers("marketing"))
            assert error_parameters(error(answer, 422)) == ["limit"]
            assert "X-Cache" not in answer.headers

    def test_repeatable_filters_still_repeat(self, fresh: TestClient) -> None:
        query = "customer_status=Active&customer_status=New&limit=5"
        ok(fresh.get(f"{PROFILES}?{query}", headers=headers("marketing")))
        again = fresh.get(f"{PROFILES}?{query}", headers=headers("marketing"))
        assert again.headers["X-Cache"] == "HIT"

    def test_every_scalar_query_parameter_of_every_operation_refuses_repeats(
        self, client: TestClient, expect: Expect
    ) -> None:
        checked = 0
        for method, path, operation in operations(client):
            for param in query_params(operation):
                if "array" in types_of(param["schema"]):
                    continue
                value = sample(param["schema"])
                others = [(k, v) for k, v in required_query(operation) if k != param["name"]]
                response = client.request(
                    method,
                    concrete(path, expect),
                    params=[*others, (param["name"], value), (param["name"], value)],
                    headers=headers("all"),
                )
                body = error(response, 422)
                assert error_parameters(body) == [param["name"]], (method, path)
                checked += 1
        assert checked >= 15  # format on every data route, paging, bounds, sort, lookup, refresh


class TestUnknownParameters:
    def test_a_misspelt_parameter_is_422_naming_it_and_the_allowed_ones(
        self, fresh: TestClient
    ) -> None:
        body = error(fresh.get(f"{CHURN}?limt=5", headers=headers("marketing")), 422)
        (problem,) = body["error_details"]["errors"]
        assert problem["parameter"] == "limt"
        assert problem["allowed"] == ["format", "limit", "min_lifetime_value", "offset"]

    def test_every_operation_refuses_an_undeclared_parameter(
        self, client: TestClient, expect: Expect
    ) -> None:
        for method, path, operation in operations(client):
            if path in ("/ping", "/health"):  # monitoring takes no key and no parameters
                continue
            response = client.request(
                method,
                concrete(path, expect),
                params=[*required_query(operation), ("not_a_parameter", "1")],
                headers=headers("all"),
            )
            assert error_parameters(error(response, 422)) == ["not_a_parameter"], (method, path)


class TestIntegerBounds:
    def test_every_integer_parameter_is_bounded_to_a_bigint(self, client: TestClient) -> None:
        found = []
        for _, path, operation in operations(client):
            for param in query_params(operation):
                schemas = param["schema"].get("anyOf", [param["schema"]])
                for schema in (s for s in schemas if s.get("type") == "integer"):
                    assert -(2**63) <= schema["minimum"] <= schema["maximum"] <= BIGINT_MAX
                    found.append((path, param["name"]))
        assert {(p, n) for p in PAGED for n in ("limit", "offset")} <= set(found)

    @pytest.mark.parametrize("path", PAGED)
    def test_offset_at_the_maximum_is_an_empty_page_and_one_more_is_422(
        self, client: TestClient, expect: Expect, path: str
    ) -> None:
        at_max = ok(client.get(path, params={"offset": BIGINT_MAX}, headers=headers("marketing")))
        total = ok(client.get(path, params={"limit": 1}, headers=headers("marketing")))["count"]
        assert (at_max["data"], at_max["count"]) == ([], total)
        assert total > 0
        over = client.get(path, params={"offset": BIGINT_MAX + 1}, headers=headers("marketing"))
        assert error_parameters(error(over, 422)) == ["offset"]

    @pytest.mark.parametrize("path", PAGED)
    def test_limit_boundaries(self, client: TestClient, path: str) -> None:
        assert (
            len(ok(client.get(path, params={"limit": 1000}, headers=headers("marketing")))["data"])
            > 0
        )
        for value in (0, 1001, 2**64):
            over = client.get(path, params={"limit": value}, headers=headers("marketing"))
            assert error_parameters(error(over, 422)) == ["limit"]


class TestFloatBounds:
    @pytest.mark.parametrize(
        ("path", "name"),
        [
            (PROFILES, "min_health_score"),
            (PROFILES, "min_lifetime_value"),
            (CHURN, "min_lifetime_value"),
        ],
    )
    @pytest.mark.parametrize("value", ["inf", "-inf", "Infinity", "nan", "NaN", "1e999"])
    def test_non_finite_bounds_are_422(
        self, client: TestClient, path: str, name: str, value: str
    ) -> None:
        response = client.get(path, params={name: value}, headers=headers("marketing"))
        assert error_parameters(error(response, 422)) == [name]

    def test_the_largest_finite_bound_is_accepted_and_matches_nothing(
        self, client: TestClient
    ) -> None:
        body = ok(
            client.get(
                PROFILES,
                params={"min_lifetime_value": repr(1.7976931348623157e308)},
                headers=headers("marketing"),
            )
        )
        assert (body["data"], body["count"]) == ([], 0)

    def test_every_number_parameter_refuses_nan(self, workspace: Workspace, expect: Expect) -> None:
        """Every route, a workspace's too (called by its signed-in owner, on their workspace)."""
        seen = set()
        for method, path, operation in operations(workspace.client):
            for param in query_params(operation):
                if "number" not in types_of(param["schema"]):
                    continue
                own = path.startswith("/workspaces/")
                response = workspace.client.request(
                    method,
                    concrete(path, expect).replace("{workspace_id}", workspace.workspace_id),
                    params=[*required_query(operation), (param["name"], str(math.nan))],
                    headers=workspace.owner if own else headers("all"),
                )
                assert error_parameters(error(response, 422)) == [param["name"]]
                seen.add((path, param["name"]))
        assert seen == {
            (PROFILES, "min_health_score"),
            (PROFILES, "min_lifetime_value"),
            (CHURN, "min_lifetime_value"),
            (f"/workspaces/{{workspace_id}}{CHURN}", "min_lifetime_value"),
            (RETENTION, "min_value"),
            (f"/workspaces/{{workspace_id}}{RETENTION}", "min_value"),
        }
