"""The contract every catalogue metric keeps, checked over the whole catalogue: access, parameter
bounds, every representation, HTTP caching, and what OpenAPI says about it.

Each metric's values are checked against an independent computation in its own value test; here
the representations are checked against each other (CSV and Vega-Lite carry exactly the JSON
rows) and against what the declaration promises.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import struct
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from c360_api.catalog.registry import BY_ALIAS, CATALOG
from c360_api.catalog.routes import all_params
from c360_api.render.images import png
from c360_contract.catalog import Metric, Param
from c360_contract.scopes import Scope
from c360_contract.units import unit_range
from tests.c360_api.conftest import Expect, headers
from tests.c360_api.helpers import error, ok

ROLE_OF = {
    Scope.MARKETING: "marketing",
    Scope.PRODUCT: "product",
    Scope.FINANCE: "finance",
    Scope.CUSTOMER_SUCCESS: "customer_success",
}
FORMATS = ("json", "csv", "png", "html", "vega")
# The media type each representation answers in, restated from the issue (not imported).
MEDIA = {
    "json": "application/json",
    "csv": "text/csv",
    "png": "image/png",
    "html": "text/html",
    "vega": "application/vnd.vegalite.v5+json",
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What pandas' read_csv turns into NaN by default: no category value may be one of these.
PANDAS_NULLS = {
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
}  # fmt: skip


def role(metric: Metric) -> str:
    return ROLE_OF[min(metric.scopes)]


def get(client: TestClient, metric: Metric, **params: Any) -> Any:
    return client.get(metric.path, params=params, headers=headers(role(metric)))


def rows_of(body: dict[str, Any], metric: Metric, table: str | None = None) -> list[dict[str, Any]]:
    data = body["data"]
    return data[table or metric.tables[0].name] if metric.multi_table else data


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", content[16:24])
    return width, height


def csv_cell(value: Any) -> str:
    """A JSON value as the CSV renders it (independently restated: lists as JSON arrays)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return str(value)
    return str(value)


ids = [m.id for m in CATALOG]


@pytest.mark.parametrize("metric", CATALOG, ids=ids)
class TestEveryMetric:
    def test_needs_a_key_with_its_scope(self, client: TestClient, metric: Metric) -> None:
        error(client.get(metric.path), 401)
        error(client.get(metric.path, headers={"X-API-Key": "not-a-key"}), 401)
        body = error(client.get(metric.path, headers=headers("admin")), 403)
        assert set(body["error_details"]["required_scopes"]) == {s.value for s in metric.scopes}

    def test_json_rows_are_the_declared_rows(
        self, client: TestClient, metric: Metric, expect: Expect
    ) -> None:
        body = ok(get(client, metric))
        assert (body["snapshot_id"], body["as_of"]) == (expect.snapshot_id, expect.as_of)
        for table in metric.tables:
            rows = rows_of(body, metric, table.name)
            assert all(list(r) == list(table.row.model_fields) for r in rows), table.name
        first = rows_of(body, metric)
        if metric.page is None:
            assert body["count"] == len(first)
        else:
            assert body["count"] >= len(first)
            assert body["links"]["prev"] is None

    def test_csv_is_the_json_rows_value_for_value(self, client: TestClient, metric: Metric) -> None:
        body = ok(get(client, metric))
        for table in metric.tables:
            params = {"format": "csv"} | ({"table": table.name} if metric.multi_table else {})
            answer = get(client, metric, **params)
            assert answer.headers["content-type"].startswith("text/csv")
            frame = pd.read_csv(io.StringIO(answer.text), dtype=str, keep_default_na=False)
            assert list(frame.columns) == list(table.row.model_fields)
            rows = rows_of(body, metric, table.name)
            assert frame.values.tolist() == [[csv_cell(v) for v in row.values()] for row in rows]
            total = body["count"] if metric.page is not None else len(rows)
            assert answer.headers["X-Total-Count"] == str(total)

    def test_png_is_a_chart_of_the_answer(self, client: TestClient, metric: Metric) -> None:
        answer = get(client, metric, format="png")
        assert answer.headers["content-type"] == "image/png"
        width, height = png_size(answer.content)
        assert width >= 300
        assert height >= 200

    def test_vega_lite_spec_inlines_exactly_the_rows(
        self, client: TestClient, metric: Metric
    ) -> None:
        body = ok(get(client, metric))
        rows = rows_of(body, metric)
        spec = get(client, metric, format="vega").json()
        assert "vega-lite" in spec["$schema"]
        if rows:
            assert spec["data"]["values"] == rows
        title = spec["title"]
        top = metric.tables[0].chart.top if metric.tables[0].chart else None
        if top is not None and len(rows) > top.rows:  # charts the leading rows and says so
            assert title["subtitle"] == f"Top {top.rows} of {body['count']:,} by {top.by}"
            title = title["text"]
        assert title == metric.title

    def test_html_report_says_what_it_shows(
        self, client: TestClient, metric: Metric, expect: Expect
    ) -> None:
        answer = get(client, metric, format="html")
        assert answer.headers["content-type"].startswith("text/html")
        page = answer.text
        for text in (metric.title, expect.snapshot_id, expect.as_of, "<table", "<svg"):
            assert text in page, text
        # The declaration's own words, HTML-escaped in the page.
        shown = html.unescape(page)
        assert metric.description in shown
        assert metric.formula in shown
        for fmt in FORMATS:
            assert f"format={fmt}" in page
        assert "http://" not in page.replace("http://www.w3.org", "")  # self-contained

    def test_unknown_format_is_422_listing_the_valid_ones(
        self, client: TestClient, metric: Metric
    ) -> None:
        body = error(get(client, metric, format="xml"), 422)
        assert all(f in json.dumps(body["error_details"]) for f in FORMATS)

    def test_each_bounded_parameter_refuses_values_past_its_bounds(
        self, client: TestClient, metric: Metric
    ) -> None:
        for param in all_params(metric):
            for value in out_of_bounds(param):
                body = error(get(client, metric, **{param.name: value}), 422)
                names = [e["parameter"] for e in body["error_details"].get("errors", [])]
                assert names == [param.name] or body["error_details"].get("parameter") == param.name

    def test_a_window_inside_the_snapshot_answers_and_a_bad_one_is_422(
        self, client: TestClient, metric: Metric, expect: Expect
    ) -> None:
        if not metric.window:
            pytest.skip("not a time-based metric")
        as_of = date.fromisoformat(expect.as_of)
        ok(get(client, metric, start=str(as_of - timedelta(days=60)), end=str(as_of)))
        late = error(get(client, metric, end=str(as_of + timedelta(days=1))), 422)
        assert late["error_details"]["parameter"] == "end"
        backwards = error(get(client, metric, start=str(as_of), end=str(as_of - timedelta(1))), 422)
        assert backwards["error_details"]["parameter"] == "start"
        error(get(client, metric, start="0"), 422)  # not read as a Unix time
        # Before 1970: refused rather than a month series of thousands of empty buckets.
        for start, status in (("1970-01-01", 200), ("1969-12-31", 422), ("0011-01-01", 422)):
            answer = get(client, metric, start=start, end=expect.as_of)
            if status == 200:
                ok(answer)
            else:
                assert error(answer, status)["error_details"]["parameter"] == "start"

    def test_every_representation_answers_with_a_window(
        self, client: TestClient, metric: Metric, expect: Expect
    ) -> None:
        """The window's answer in each representation: CSV and Vega-Lite carry the window's JSON
        rows, the report names the window among its active parameters."""
        if not metric.window:
            pytest.skip("not a time-based metric")
        as_of = date.fromisoformat(expect.as_of)
        window = {"start": str(as_of - timedelta(days=120)), "end": str(as_of - timedelta(days=30))}
        answers = {fmt: get(client, metric, **window, format=fmt) for fmt in FORMATS}
        for fmt, answer in answers.items():
            assert answer.status_code == 200, (fmt, answer.text[:300])
            assert answer.headers["content-type"].startswith(MEDIA[fmt]), fmt
        rows = rows_of(answers["json"].json(), metric)
        frame = pd.read_csv(io.StringIO(answers["csv"].text), dtype=str, keep_default_na=False)
        assert frame.values.tolist() == [[csv_cell(v) for v in row.values()] for row in rows]
        if rows and metric.tables[0].chart is not None:
            assert answers["vega"].json()["data"]["values"] == rows
        png_size(answers["png"].content)
        assert all(day in answers["html"].text for day in window.values())

    def test_numbers_keep_their_unit(self, client: TestClient, metric: Metric) -> None:
        body = ok(get(client, metric))
        for table in metric.tables:
            for row in rows_of(body, metric, table.name):
                for column, value in row.items():
                    bounds = unit_range(column)
                    if bounds is not None and isinstance(value, int | float):
                        assert bounds[0] <= value <= bounds[1], (column, value)

    def test_no_category_reads_as_missing_in_pandas(
        self, client: TestClient, metric: Metric
    ) -> None:
        for table in metric.tables:
            params = {"format": "csv"} | ({"table": table.name} if metric.multi_table else {})
            text = get(client, metric, **params).text
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
            for column in frame.columns:
                values = set(frame[column]) - {""}
                assert not values & PANDAS_NULLS, (table.name, column, values & PANDAS_NULLS)


# The aliases of issue 8's table and the paths that answer them, restated from the issue.
ALIASES = {
    "kpi/summary": "/kpi/summary",
    "basic_stats": "/kpi/summary",
    "kpi/revenue": "/kpi/revenue",
    "monthly_stats": "/kpi/revenue",
    "kpi/conversion": "/kpi/conversion",
    "cohort": "/cohorts/sizes",
    "cohorts/retention": "/cohorts/retention",
    "retention": "/cohorts/retention",
    "cohorts/repeat-purchase": "/cohorts/repeat-purchase",
    "demand/growth": "/demand/growth",
    "monthly_growth": "/demand/growth",
    "demand/top-products": "/demand/top-products",
    "demand/by-category": "/demand/by-category",
    "orders_by_hour": "/orders/by-hour",
    "revenue_by_hour": "/orders/by-hour",
    "avg_order_value_by_hour": "/orders/by-hour",
    "orders_by_day_of_week": "/orders/by-day-of-week",
    "orders_by_day_of_month": "/orders/by-day-of-month",
    "orders_by_month": "/orders/by-month",
    "orders_heatmap": "/orders/heatmap",
    "repeat_rate": "/behaviour/repeat-rate",
    "new_vs_returning": "/behaviour/new-vs-returning",
    "first_second_delay": "/behaviour/first-second-delay",
    "avg_days_between_orders": "/behaviour/days-between-orders",
    "customer_lifetime": "/behaviour/customer-lifetime",
    "ltv": "/behaviour/ltv",
    "churn_status": "/marketing/customer-health-overview",
    "customer_lifecycle": "/customer-success/lifecycle-analysis",
    "rfm": "/finance/rfm-segmentation",
    "segment": "/marketing/customer-segmentation",
}


def out_of_bounds(param: Param) -> list[str]:
    """Values the parameter's declaration refuses."""
    if param.choices:
        return ["not-a-choice"]
    if param.type is date:
        return ["2024-13-01", "yesterday"]
    values = []
    if param.ge is not None and param.type is int:
        values.append(str(int(param.ge) - 1))
    if param.le is not None and param.type is int:
        values.append(str(int(param.le) + 1))
    if param.type is float:
        values.append("inf")
    return values


KPI = "/kpi/summary"
PROFILES = "/analytics/customer-profiles"


class TestNegotiation:
    def test_format_and_accept_agree(self, client: TestClient) -> None:
        by_format = client.get(KPI, params={"format": "csv"}, headers=headers("finance"))
        by_accept = client.get(KPI, headers={**headers("finance"), "Accept": "text/csv"})
        assert by_accept.headers["content-type"] == by_format.headers["content-type"]
        assert by_accept.text == by_format.text

    @pytest.mark.parametrize(
        ("accept", "media"),
        [
            ("application/json;q=0.1, text/csv", "text/csv"),
            ("text/csv;q=0.1, application/json", "application/json"),
            ("image/png, */*;q=0.1", "image/png"),
            ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
            ("application/xml", "application/json"),  # nothing offered: the default
            ("text/csv;q=0", "application/json"),  # q=0 means never
        ],
    )
    def test_accept_quality_values_are_respected(
        self, client: TestClient, accept: str, media: str
    ) -> None:
        answer = client.get(KPI, headers={**headers("finance"), "Accept": accept})
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith(media)

    def test_the_cache_keeps_each_representation_apart(self, client: TestClient) -> None:
        path = "/orders/by-month?start=2025-02-01"
        first = client.get(path, headers=headers("finance"))
        png = client.get(path + "&format=png", headers=headers("finance"))
        again = client.get(path, headers=headers("finance"))
        assert png.headers["content-type"] == "image/png"
        assert (png.headers["X-Cache"], again.headers["X-Cache"]) == ("MISS", "HIT")
        assert again.content == first.content


class TestCharts:
    @pytest.mark.parametrize("measure", ["orders", "revenue", "avg_order_value"])
    def test_measure_picks_what_the_hourly_chart_plots(
        self, client: TestClient, measure: str
    ) -> None:
        params = {"measure": measure, "start": "2025-01-01"}
        rows = ok(client.get("/orders/by-hour", params=params, headers=headers("finance")))["data"]
        spec = client.get(
            "/orders/by-hour", params={**params, "format": "vega"}, headers=headers("finance")
        ).json()
        assert (spec["encoding"]["y"]["field"], spec["data"]["values"]) == (measure, rows)
        # The title names what is plotted, as the y axis does.
        said = {"orders": "Orders", "revenue": "Revenue", "avg_order_value": "Average order value"}
        assert spec["title"] == f"{said[measure]} by hour of day"
        assert spec["encoding"]["y"]["title"] == said[measure]

    @pytest.mark.parametrize(
        ("metric", "table"),
        [(m, t.name) for m in CATALOG for t in m.tables if t.chart and t.chart.fold],
        ids=lambda v: v if isinstance(v, str) else v.id,
    )
    def test_a_folded_chart_names_its_value_axis(
        self, client: TestClient, metric: Metric, table: str
    ) -> None:
        chosen = {"table": table} if metric.multi_table else {}
        spec = get(client, metric, **chosen, format="vega").json()
        title = spec["encoding"]["y"]["title"]
        assert title
        assert title != "Value"

    def test_new_vs_returning_counts_customers(self, client: TestClient) -> None:
        spec = client.get(
            "/behaviour/new-vs-returning?format=vega", headers=headers("marketing")
        ).json()
        assert spec["encoding"]["y"]["title"] == "Customers"

    @pytest.mark.parametrize(
        ("metric", "table"),
        [(m, t.name) for m in CATALOG for t in m.tables if t.chart is None],
        ids=lambda v: v if isinstance(v, str) else v.id,
    )
    def test_a_table_without_a_chart_does_not_say_no_data(
        self, client: TestClient, metric: Metric, table: str
    ) -> None:
        """Its rows exist; its picture says it has no chart, never that there is no data."""
        assert ok(get(client, metric))["data"][table]
        spec = get(client, metric, table=table, format="vega").json()
        assert spec["data"]["values"] == [
            {"text": f"The {table} table has no chart: see its JSON or CSV"}
        ]
        png_size(get(client, metric, table=table, format="png").content)

    def test_png_is_byte_identical_for_the_same_data(self, client: TestClient) -> None:
        """The served PNG is its Vega-Lite spec rendered, and rendering it again (after a JSON
        round trip) gives the same bytes."""
        path = "/cohorts/retention?months=6"
        spec = client.get(path + "&format=vega", headers=headers("finance")).json()
        served = client.get(path + "&format=png", headers=headers("finance")).content
        assert png(spec) == served == png(json.loads(json.dumps(spec)))


class TestHttpCaching:
    def test_etag_304_cache_control_and_vary(self, client: TestClient) -> None:
        first = client.get(KPI, headers=headers("finance"))
        tag = first.headers["ETag"]
        assert tag.startswith('W/"')
        assert first.headers["Cache-Control"].startswith("private, max-age=")
        assert {v.strip() for v in first.headers["Vary"].split(",")} >= {"Accept", "X-API-Key"}
        again = client.get(KPI, headers={**headers("finance"), "If-None-Match": tag})
        assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", tag)
        other = client.get(KPI, params={"format": "csv"}, headers=headers("finance"))
        assert other.headers["ETag"] != tag
        stale = client.get(KPI, headers={**headers("finance"), "If-None-Match": 'W/"old"'})
        assert stale.status_code == 200

    def test_large_answers_are_gzipped_for_clients_that_accept_it(self, client: TestClient) -> None:
        path = f"{PROFILES}?limit=200&sort=customer_id"
        plain = client.get(path, headers={**headers("marketing"), "Accept-Encoding": "identity"})
        assert "Content-Encoding" not in plain.headers
        raw = client.get(
            path, headers={**headers("marketing"), "Accept-Encoding": "gzip"}, follow_redirects=True
        )
        assert raw.headers["Content-Encoding"] == "gzip"
        assert raw.content == plain.content  # httpx decodes; the bytes are the same answer
        assert int(raw.headers["content-length"]) < len(plain.content) / 3
        png = client.get(
            "/orders/heatmap?format=png", headers={**headers("finance"), "Accept-Encoding": "gzip"}
        )
        assert "Content-Encoding" not in png.headers  # already compressed

    def test_gzip_is_a_real_gzip_stream(self, client: TestClient) -> None:
        with client.stream(
            "GET",
            f"{PROFILES}?limit=100",
            headers={**headers("marketing"), "Accept-Encoding": "gzip"},
        ) as answer:
            body = b"".join(answer.iter_raw())
        assert json.loads(gzip.decompress(body))["count"] > 0


class TestPagesAndTables:
    def test_a_page_links_its_neighbours_in_json_and_csv(
        self, client: TestClient, expect: Expect
    ) -> None:
        total = int(expect.df("SELECT count(*) n FROM customer_profile")["n"][0])
        body = ok(
            client.get(
                f"{PROFILES}?limit=5&offset=5&sort=customer_id", headers=headers("marketing")
            )
        )
        links = body["links"]
        assert links["next"].endswith("offset=10")
        assert links["prev"].endswith("offset=0")
        assert "limit=5" in links["self"]
        assert (
            ok(client.get(links["next"], headers=headers("marketing")))["data"][0]["customer_id"]
            > body["data"][-1]["customer_id"]
        )
        last = ok(
            client.get(f"{PROFILES}?limit=5&offset={total - 2}", headers=headers("marketing"))
        )
        assert last["links"]["next"] is None
        csv = client.get(f"{PROFILES}?limit=5&offset=5&format=csv", headers=headers("marketing"))
        assert csv.headers["X-Total-Count"] == str(total)
        assert 'rel="next"' in csv.headers["Link"]
        assert 'rel="prev"' in csv.headers["Link"]
        assert "format=csv" in csv.headers["Link"]

    def test_each_table_of_a_two_table_metric_is_a_csv(self, client: TestClient) -> None:
        path = "/finance/rfm-segmentation"
        body = ok(client.get(path, headers=headers("finance")))
        assert set(body["data"]) == {"segments", "matrix"}
        default = client.get(path, params={"format": "csv"}, headers=headers("finance"))
        assert default.headers["X-Table"] == "segments"
        assert 'table=matrix>; rel="alternate"' in default.headers["Link"]
        matrix = client.get(
            path, params={"format": "csv", "table": "matrix"}, headers=headers("finance")
        )
        assert matrix.headers["X-Table"] == "matrix"
        assert len(matrix.text.strip().splitlines()) == 1 + len(body["data"]["matrix"])

    def test_an_empty_answer_charts_no_data(self, client: TestClient, expect: Expect) -> None:
        first = ok(client.get(KPI, headers=headers("finance")))["data"][0]["first_order_date"]
        before = str(date.fromisoformat(first) - timedelta(days=1))
        body = ok(client.get("/cohorts/sizes", params={"end": before}, headers=headers("finance")))
        assert body["data"] == []
        spec = client.get(
            "/cohorts/sizes", params={"end": before, "format": "vega"}, headers=headers("finance")
        ).json()
        assert spec["data"]["values"] == [{"text": "No data for this selection"}]
        png = client.get(
            "/cohorts/sizes", params={"end": before, "format": "png"}, headers=headers("finance")
        )
        assert png_size(png.content)[0] >= 300


class TestCatalogue:
    def test_lists_every_metric_with_its_aliases_and_examples(self, client: TestClient) -> None:
        body = ok(client.get("/catalog", headers=headers("marketing")))
        listed = {e["path"]: e for e in body["data"]}
        assert set(listed) == {m.path for m in CATALOG}
        for metric in CATALOG:
            entry = listed[metric.path]
            assert entry["aliases"] == list(metric.aliases)
            assert set(entry["examples"]) == set(FORMATS)
            assert all(
                client.get(url, headers=headers(role(metric))).status_code == 200
                for url in entry["examples"].values()
            )

    def test_every_alias_names_the_metric_the_issue_gives_it(self, client: TestClient) -> None:
        """Each alias is listed by `/catalog` on the metric the issue maps it to (the metric's
        path answers in every representation in `TestEveryMetric`)."""
        listed = {
            alias: entry["path"]
            for entry in ok(client.get("/catalog", headers=headers("marketing")))["data"]
            for alias in entry["aliases"]
        }
        assert {alias: listed.get(alias) for alias in ALIASES} == ALIASES
        assert {alias: BY_ALIAS[alias].path for alias in ALIASES} == ALIASES

    def test_lists_each_parameter_with_its_type_default_and_bounds(
        self, client: TestClient
    ) -> None:
        """The issue's parameters, restated: months 1..36 (12), limit 1..100 (10), measure's
        three choices, and the window's dates on every time-based metric; never `format`."""
        listed = {
            entry["path"]: {p["name"]: p for p in entry["parameters"]}
            for entry in ok(client.get("/catalog", headers=headers("marketing")))["data"]
        }

        def described(path: str, name: str) -> tuple[Any, ...]:
            p = listed[path][name]
            return (p["type"], p["default"], p["minimum"], p["maximum"], p["choices"])

        assert described("/cohorts/retention", "months") == ("integer", 12, 1, 36, None)
        assert described("/demand/top-products", "limit") == ("integer", 10, 1, 100, None)
        assert described("/orders/by-hour", "measure") == (
            "string",
            "orders",
            None,
            None,
            ["orders", "revenue", "avg_order_value"],
        )
        for metric in CATALOG:
            assert "format" not in listed[metric.path]
            if metric.window:
                assert described(metric.path, "start")[0] == "date"
                assert described(metric.path, "end")[0] == "date"

    def test_answers_csv(self, client: TestClient) -> None:
        answer = client.get("/catalog", params={"format": "csv"}, headers=headers("marketing"))
        frame = pd.read_csv(io.StringIO(answer.text), dtype=str, keep_default_na=False)
        assert len(frame) == len(CATALOG)
        assert json.loads(frame.loc[frame["id"] == "kpi_summary", "aliases"].iloc[0]) == [
            "kpi/summary",
            "basic_stats",
        ]


class TestOpenApi:
    def test_operations_are_named_for_what_they_do(self, client: TestClient) -> None:
        spec = client.get("/openapi.json").json()
        operation_ids = {
            op["operationId"] for methods in spec["paths"].values() for op in methods.values()
        }
        assert {m.operation_id for m in CATALOG} <= operation_ids
        assert {
            "get_customer_profiles",
            "get_customer",
            "lookup_customer",
            "get_catalog",
        } <= operation_ids
        assert not any(op.endswith(("_get", "_post")) for op in operation_ids)

    def test_every_parameter_and_field_is_described(self, client: TestClient) -> None:
        spec = client.get("/openapi.json").json()
        for path, methods in spec["paths"].items():
            for operation in methods.values():
                for param in operation.get("parameters", []):
                    assert param.get("description"), (path, param["name"])
        for name, schema in spec["components"]["schemas"].items():
            for field, prop in schema.get("properties", {}).items():
                if name.startswith(("Envelope", "PagedEnvelope")) and field == "data":
                    continue
                assert prop.get("description"), (name, field)

    def test_tags_are_listed_with_descriptions(self, client: TestClient) -> None:
        spec = client.get("/openapi.json").json()
        described = {t["name"] for t in spec["tags"] if t["description"]}
        used = {
            t
            for methods in spec["paths"].values()
            for op in methods.values()
            for t in op.get("tags", [])
        }
        assert used <= described

    def test_filters_and_sorts_are_named_enums(self, client: TestClient) -> None:
        spec = client.get("/openapi.json").json()
        schemas = spec["components"]["schemas"]
        for name in ("CustomerStatus", "LoyaltyTier", "ProfileSort", "Format", "Measure"):
            assert schemas[name]["enum"], name
        assert "total_spent_desc" in schemas["ProfileSort"]["enum"]
