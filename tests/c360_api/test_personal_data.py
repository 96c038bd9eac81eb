"""Personal data (c360_contract.personal_data) is null without the `pii` scope on every route that
can return it, in every representation (JSON and CSV, first or cached; the HTML report, the
Vega-Lite spec and the PNG chart); with `pii` it is the snapshot's value; the broad attributes
(birth year, age, generation, city, state) and the scores stay visible to everyone.
A workspace holds none (no upload target is personal), so its owner's answers carry none;
/api/auth/me returns the caller's own email to that caller only.

Expectations are DuckDB over the snapshot's Parquet, every value compared as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any, get_args

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from c360_api.analytics.schemas import CustomerProfileSummary
from c360_api.catalog.marketing import ChurnRiskCustomer
from c360_api.catalog.recommendations import RetentionRow
from c360_api.customers.schemas import SECTIONS
from c360_contract.personal_data import PERSONAL_COLUMNS
from c360_contract.uploads import TARGETS
from tests.c360_api.accounts import sign_up
from tests.c360_api.conftest import Expect, Workspace, headers
from tests.c360_api.helpers import error, ok

PII, PLAIN = "pii", "marketing"
# Columns that look personal but only place a person in a broad group, and the scores.
VISIBLE: frozenset[str] = frozenset(
    {
        "birth_year",
        "age",
        "generation",
        "gender",
        "city",
        "state",
        "country",
        "customer_health_score",
        "churn_risk_score",
        "engagement_score",
        "support_score",
        "r_score",
        "f_score",
        "m_score",
        "rfm_score",
    }
)
CHURN_WHERE = "risk_status IN ('High', 'Critical') AND customer_status <> 'Churned'"
# Route -> (query parameters, row model, the same rows in DuckDB: FROM/WHERE/ORDER/LIMIT).
LISTS: dict[str, tuple[dict[str, Any], type[BaseModel], str]] = {
    "/analytics/customer-profiles": (
        {"sort": "customer_id", "limit": 1000},
        CustomerProfileSummary,
        "FROM customer_profile ORDER BY customer_id LIMIT 1000",
    ),
    "/marketing/churn-risk-customers": (
        {"limit": 1000},
        ChurnRiskCustomer,
        f"FROM customer_profile WHERE {CHURN_WHERE} ORDER BY total_spent DESC, customer_id "
        "LIMIT 1000",
    ),
    "/recommendations/customer-retention": (
        {"limit": 1000, "min_value": 0},
        RetentionRow,
        # min_value 0 still leaves out net negative spenders (an upload's returns can make them)
        f"FROM customer_profile WHERE {CHURN_WHERE} AND total_spent >= 0 "
        "ORDER BY total_spent DESC, customer_id LIMIT 1000",
    ),
}
# Routes whose postal codes count orders per postal code (the order heatmap): no row is one
# order or one person, so they place no one and are served to every data scope.
AGGREGATES: frozenset[str] = frozenset({"/geography/heatmap"})
VIEW_ROUTES = ("/customers/{customer_id}", "/customers/lookup")
# The same lists over a signed-in owner's workspace.
WORKSPACE = "/workspaces/{workspace_id}"
# Workspaces serve the catalogue's metrics; the profile list is the retailer's own route.
WORKSPACE_LISTS = {
    WORKSPACE + path: path for path in LISTS if path != "/analytics/customer-profiles"
}
# Routes answering the caller's own account: its personal columns go to that caller only.
OWN_ACCOUNT = {"/api/auth/me": {"email"}}

Row = dict[str, str | None]


def _checked(fields: dict[str, Any]) -> dict[str, Any]:
    """The personal and visible columns among a model's fields, with their annotations."""
    return {c: a for c, a in fields.items() if c in PERSONAL_COLUMNS | VISIBLE}


def _text(column: str, annotation: Any) -> str:
    """SQL rendering a column as the API's JSON/CSV text (an int column the API types as float
    reads `3.0`)."""
    value = f"CAST({column} AS DOUBLE)" if float in get_args(annotation) else column
    return f"CAST({value} AS VARCHAR) AS {column}"


def _expected(expect: Expect, columns: dict[str, Any], rest: str, role: str) -> list[Row]:
    """The rows as text, personal columns null unless `role` has pii."""
    select = ", ".join(["customer_id", *(_text(c, a) for c, a in columns.items())])
    frame = expect.df(f"SELECT {select} {rest}")
    rows: list[Row] = [
        {k: None if pd.isna(v) else str(v) for k, v in r.items()} for r in frame.to_dict("records")
    ]
    if role == PLAIN:
        rows = [{k: None if k in PERSONAL_COLUMNS else v for k, v in r.items()} for r in rows]
    return rows


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _json_rows(body: dict[str, Any], columns: Iterable[str]) -> list[Row]:
    return [{c: _as_text(r[c]) for c in ["customer_id", *columns]} for r in body["data"]]


def _csv_rows(text: str, columns: Iterable[str]) -> list[Row]:
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return [
        {c: (r[c] or None) for c in ["customer_id", *columns]} for r in frame.to_dict("records")
    ]


class _Tables(HTMLParser):
    """The data tables of an HTML report: header cells and body rows as text, "" when empty."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self._cell: list[str] | None = None
        self._row: list[str] = []
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "thead":
            self._in_head = True
            self.tables.append(([], []))
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self.tables and self._row:
            header, rows = self.tables[-1]
            if self._in_head:
                header.extend(self._row)
            elif len(self._row) == len(header):
                rows.append(self._row)

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _html_rows(text: str, columns: Iterable[str]) -> list[Row]:
    """The rows of the report's one table holding customer_id, as `columns`."""
    parser = _Tables()
    parser.feed(text)
    (table,) = [(h, rows) for h, rows in parser.tables if "customer_id" in h]
    header, rows = table
    return [{c: row[header.index(c)] or None for c in ["customer_id", *columns]} for row in rows]


def _properties(schema: Any, components: dict[str, Any]) -> set[str]:
    """Every property name an OpenAPI schema can hold, through references and nesting."""
    if isinstance(schema, list):
        return {p for item in schema for p in _properties(item, components)}
    if not isinstance(schema, dict):
        return set()
    found: set[str] = set()
    if "$ref" in schema:
        found |= _properties(components[schema["$ref"].rsplit("/", 1)[1]], components)
    found |= set(schema.get("properties", {}))
    for value in schema.values():
        found |= _properties(value, components)
    return found


class TestEveryRouteIsCovered:
    def test_the_routes_documented_to_return_personal_data_are_the_ones_tested(
        self, client: TestClient
    ) -> None:
        spec = client.get("/openapi.json").json()
        components = spec["components"]["schemas"]
        personal_routes = {
            path
            for path, operations in spec["paths"].items()
            for operation in operations.values()
            if _properties(operation["responses"].get("200", {}), components) & PERSONAL_COLUMNS
        }
        assert personal_routes == (
            set(LISTS)
            | set(VIEW_ROUTES)
            | AGGREGATES
            | set(WORKSPACE_LISTS)
            | {WORKSPACE + path for path in AGGREGATES}
            | set(OWN_ACCOUNT)
        )

    def test_every_personal_field_says_so_in_the_openapi(self, client: TestClient) -> None:
        """A BI tool or client generator sees which columns need the pii scope."""
        spec = client.get("/openapi.json").json()
        undocumented = {
            f"{name}.{column}"
            for name, schema in spec["components"]["schemas"].items()
            for column, field in schema.get("properties", {}).items()
            if column in PERSONAL_COLUMNS
            and not field.get("description", "").endswith(": null without pii).")
        }
        # The signed-in caller's own account (OWN_ACCOUNT) and what they sign in with.
        assert undocumented == {"UserOut.email", "Credentials.email"}


class TestWorkspaces:
    def test_no_upload_target_is_personal(self) -> None:
        assert not set(TARGETS) & PERSONAL_COLUMNS

    @pytest.mark.parametrize("path", sorted(WORKSPACE_LISTS))
    @pytest.mark.parametrize("fmt", ["json", "csv"])
    def test_the_owner_gets_the_rows_with_no_personal_data(
        self, workspace: Workspace, path: str, fmt: str
    ) -> None:
        params, model, rest = LISTS[WORKSPACE_LISTS[path]]
        columns = _checked({c: f.annotation for c, f in model.model_fields.items()})
        # Unmasked (as a pii key would read it): the workspace's snapshot holds no personal data.
        want = _expected(Expect(workspace.warehouse), columns, rest, PII)
        assert want
        assert all(row[c] is None for row in want for c in PERSONAL_COLUMNS & set(columns))
        url = path.replace("{workspace_id}", workspace.workspace_id)
        for _ in range(2):  # miss, then cache hit
            response = workspace.client.get(
                url, params={**params, "format": fmt}, headers=workspace.owner
            )
            got = (
                _json_rows(ok(response), columns)
                if fmt == "json"
                else _csv_rows(response.text, columns)
            )
            assert got == want


class TestOwnAccount:
    def test_each_user_gets_their_own_email_only(self, workspace: Workspace) -> None:
        other = sign_up(workspace.client, "Someone@Else.example")
        for header, email in (
            (workspace.owner, "owner@shop.example"),
            (other, "someone@else.example"),
        ):
            data = workspace.client.get("/api/auth/me", headers=header).json()
            assert set(OWN_ACCOUNT["/api/auth/me"]) <= set(data)
            assert data["email"] == email
        error(workspace.client.get("/api/auth/me"), 401)
        error(workspace.client.get("/api/auth/me", headers=headers(PII)), 401)


class TestLists:
    @pytest.mark.parametrize("path", sorted(LISTS))
    @pytest.mark.parametrize("fmt", ["json", "csv"])
    @pytest.mark.parametrize("role", [PII, PLAIN])
    def test_personal_columns_need_pii_and_the_rest_stays_visible(
        self, client: TestClient, expect: Expect, path: str, fmt: str, role: str
    ) -> None:
        params, model, rest = LISTS[path]
        columns = _checked({c: f.annotation for c, f in model.model_fields.items()})
        want = _expected(expect, columns, rest, role)
        # Both keys ask twice, so the second answer of each is a cache hit.
        for _ in range(2):
            for other in (PII, PLAIN):
                response = client.get(
                    path, params={**params, "format": fmt}, headers=headers(other)
                )
                assert response.status_code == 200, response.text
                if other != role:
                    continue
                got = (
                    _json_rows(ok(response), columns)
                    if fmt == "json"
                    else _csv_rows(response.text, columns)
                )
                assert got == want
        filled = {c for row in want for c, v in row.items() if v is not None}
        assert filled == (set(columns) | {"customer_id"}) - (
            set() if role == PII else PERSONAL_COLUMNS
        )

    def test_sorting_by_a_personal_column_needs_pii(
        self, client: TestClient, expect: Expect
    ) -> None:
        path = "/analytics/customer-profiles"
        for sort in ("customer_name", "customer_name_desc"):
            body = error(client.get(path, params={"sort": sort}, headers=headers(PLAIN)), 403)
            assert body["error_details"]["parameter"] == "sort"
        got = ok(client.get(path, params={"sort": "customer_name"}, headers=headers(PII)))["data"]
        want = expect.df(
            "SELECT customer_id FROM customer_profile ORDER BY customer_name NULLS LAST, "
            "customer_id LIMIT 100"
        )
        assert [r["customer_id"] for r in got] == list(want["customer_id"])


def _sample(expect: Expect) -> list[tuple[str, str]]:
    """(customer_id, crm_id) of the first customers by id that have a CRM record."""
    frame = expect.df(
        "SELECT customer_id, min(source_record_id) crm_id FROM identity_crosswalk "
        "WHERE source = 'crm' GROUP BY 1 ORDER BY 1 LIMIT 20"
    )
    return list(zip(frame["customer_id"], frame["crm_id"], strict=True))


class TestCustomerView:
    @pytest.mark.parametrize("route", VIEW_ROUTES)
    @pytest.mark.parametrize("role", [PII, PLAIN])
    def test_personal_columns_need_pii_and_the_rest_stays_visible(
        self, client: TestClient, expect: Expect, route: str, role: str
    ) -> None:
        by_column = {c: s for s, m in SECTIONS.items() for c in m.model_fields}
        columns = _checked(
            {c: f.annotation for m in SECTIONS.values() for c, f in m.model_fields.items()}
        )
        assert set(columns) >= PERSONAL_COLUMNS
        seen: list[Row] = []
        for customer_id, crm_id in _sample(expect):
            (want,) = _expected(
                expect, columns, f"FROM customer_profile WHERE customer_id = '{customer_id}'", role
            )
            for _ in range(2):  # miss, then cache hit
                for other in (PII, PLAIN):
                    response = (
                        client.get(f"/customers/{customer_id}", headers=headers(other))
                        if route == "/customers/{customer_id}"
                        else client.get(
                            "/customers/lookup",
                            params={"source": "crm", "id": crm_id},
                            headers=headers(other),
                        )
                    )
                    data = ok(response)["data"]
                    if other != role:
                        continue
                    got = {"customer_id": data["customer_id"]} | {
                        c: _as_text(data[by_column[c]][c]) for c in columns
                    }
                    assert got == want
            seen.append(want)
        # The sample exercises every column: each personal one is filled somewhere (with pii).
        filled = {c for row in seen for c, v in row.items() if v is not None}
        assert filled == (set(columns) | {"customer_id"}) - (
            set() if role == PII else PERSONAL_COLUMNS
        )


def _personal(row: Row) -> Row:
    return {c: v for c, v in row.items() if c == "customer_id" or c in PERSONAL_COLUMNS}


# The catalogue's customer lists: they also answer as a chart (PNG) and its Vega-Lite spec.
CHARTED = ("/marketing/churn-risk-customers", "/recommendations/customer-retention")


class TestOtherRepresentations:
    """The HTML report, the Vega-Lite spec and the PNG chart are built from the same masked rows
    as JSON and CSV; each is checked against DuckDB here, so none can leak what JSON masks."""

    @pytest.mark.parametrize("path", sorted(LISTS))
    @pytest.mark.parametrize("role", [PII, PLAIN])
    def test_html_report(self, client: TestClient, expect: Expect, path: str, role: str) -> None:
        params, model, rest = LISTS[path]
        columns = _checked({c: f.annotation for c, f in model.model_fields.items()})
        want = [_personal(row) for row in _expected(expect, columns, rest, role)]
        response = client.get(path, params={**params, "format": "html"}, headers=headers(role))
        assert response.status_code == 200, response.text
        assert _html_rows(response.text, PERSONAL_COLUMNS & set(columns)) == want
        assert any(v is not None for row in want for c, v in row.items() if c != "customer_id") == (
            role == PII
        )

    @pytest.mark.parametrize("path", CHARTED)
    @pytest.mark.parametrize("role", [PII, PLAIN])
    def test_vega_spec_rows(self, client: TestClient, expect: Expect, path: str, role: str) -> None:
        params, model, rest = LISTS[path]
        columns = _checked({c: f.annotation for c, f in model.model_fields.items()})
        want = [_personal(row) for row in _expected(expect, columns, rest, role)]
        spec = client.get(path, params={**params, "format": "vega"}, headers=headers(role)).json()
        keys = ["customer_id", *(PERSONAL_COLUMNS & set(columns))]
        assert [{c: _as_text(r[c]) for c in keys} for r in spec["data"]["values"]] == want

    @pytest.mark.parametrize("path", CHARTED)
    def test_the_chart_draws_no_personal_column(self, client: TestClient, path: str) -> None:
        """The picture is the same for both keys, so it shows nothing only pii may see."""
        params = {**LISTS[path][0], "format": "png"}
        pictures = [client.get(path, params=params, headers=headers(r)) for r in (PII, PLAIN)]
        assert all(p.headers["content-type"] == "image/png" for p in pictures)
        assert pictures[0].content == pictures[1].content

    @pytest.mark.parametrize("fmt", ["csv", "html"])
    @pytest.mark.parametrize("role", [PII, PLAIN])
    def test_customer_view(self, client: TestClient, expect: Expect, fmt: str, role: str) -> None:
        columns = _checked(
            {c: f.annotation for m in SECTIONS.values() for c, f in m.model_fields.items()}
        )
        seen: list[Row] = []
        for customer_id, _ in _sample(expect):
            (want,) = _expected(
                expect, columns, f"FROM customer_profile WHERE customer_id = '{customer_id}'", role
            )
            response = client.get(
                f"/customers/{customer_id}", params={"format": fmt}, headers=headers(role)
            )
            assert response.status_code == 200, response.text
            rows = (
                _csv_rows(response.text, PERSONAL_COLUMNS)
                if fmt == "csv"
                else _html_rows(response.text, PERSONAL_COLUMNS)
            )
            assert rows == [_personal(want)]
            seen.append(want)
        filled = {c for row in seen for c, v in row.items() if v is not None}
        assert (filled >= PERSONAL_COLUMNS) == (role == PII)
        assert not filled & PERSONAL_COLUMNS or role == PII
