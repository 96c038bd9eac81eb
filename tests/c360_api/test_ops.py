"""Health, metrics, cache, snapshot switching, rate limits and refresh jobs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
import structlog
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from c360_api.main import create_app
from c360_api.snapshots import ENUM_COLUMNS, SnapshotStore, _connect
from c360_contract.scopes import Scope
from c360_contract.warehouse import current_snapshot_id
from tests.c360_api.conftest import Expect, headers, make_settings
from tests.c360_api.fake_pipeline import publish_copy
from tests.c360_api.helpers import error, fake_pipeline_mode, ok, wait_for

OVERVIEW = "/marketing/customer-health-overview"


@pytest.fixture
def own_client(own_warehouse: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(own_warehouse))) as c:
        yield c


class TestPing:
    def test_alive_without_key_or_data(self, tmp_path: Path) -> None:
        with TestClient(create_app(make_settings(tmp_path / "empty"))) as c:
            response = c.get("/ping")
            assert response.status_code == 200
            assert response.json() == {"status": "alive"}
            assert len(response.headers["X-Request-ID"]) == 32


class TestInMemoryTables:
    def test_loaded_tables_answer_exactly_as_the_views(
        self, warehouse: Path, expect: Expect
    ) -> None:
        customer = expect.df("SELECT max(customer_id) c FROM customer_profile")["c"][0]
        status_count = int(
            expect.df("SELECT count(*) n FROM customer_profile WHERE customer_status = 'Active'")[
                "n"
            ][0]
        )
        paths = [
            "/analytics/customer-profiles?customer_status=Active&sort=customer_health_score_desc"
            "&limit=50&offset=20",
            "/analytics/customer-profiles?sort=customer_name&limit=30&offset=100",
            "/analytics/customer-profiles?sort=customer_id&limit=5&offset=3",
            # Every ENUM column in memory, with a value no customer has (state ZZ).
            "/analytics/customer-profiles?segment=Premium&segment=Basic&loyalty_tier=Gold"
            "&loyalty_tier=No%20Tier&generation=Gen%20Z&generation=Millennials&state=CA&state=ZZ"
            "&customer_status=Active&customer_status=At%20Risk&limit=1000",
            "/analytics/customer-profiles?rfm_segment=Champions&rfm_segment=Lost&limit=1000",
            "/analytics/customer-profiles?state=ZZ",
            "/marketing/churn-risk-customers?min_lifetime_value=100&limit=20",
            f"/customers/{customer}",
        ]
        views_app = create_app(make_settings(warehouse, snapshot_in_memory=False))
        tables_app = create_app(make_settings(warehouse, snapshot_in_memory=True))
        with TestClient(views_app) as views, TestClient(tables_app) as tables:
            wait_for(lambda: tables_app.state.store.peek().loaded)
            assert not views_app.state.store.peek().loaded
            # /health says when answers come at full speed: in memory, or never to be copied.
            assert ok(tables.get("/health"))["data"]["loaded"] is True
            assert ok(views.get("/health"))["data"]["loaded"] is True
            for path in paths:  # with pii: sorting by customer_name needs it
                want = ok(views.get(path, headers=headers("pii")))
                got = ok(tables.get(path, headers=headers("pii")))
                assert (got["data"], got["count"]) == (want["data"], want["count"]), path
            assert ok(tables.get(paths[4], headers=headers("marketing")))["count"] > 0
            # A page past the end is empty and still counts every match.
            past = ok(
                tables.get(
                    "/analytics/customer-profiles?customer_status=Active&offset=1000000",
                    headers=headers("marketing"),
                )
            )
            assert (past["data"], past["count"]) == ([], status_count)

    def test_background_work_waits_for_the_server(self, warehouse: Path) -> None:
        """Building the app starts neither the in-memory copy nor the chart warm-up (on a small
        machine they would take the cores the start needs); the lifespan starts both."""
        background = ("load-", "warm-charts")
        before = {t.ident for t in threading.enumerate()}
        app = create_app(make_settings(warehouse, snapshot_in_memory=True))
        started = [t.name for t in threading.enumerate() if t.ident not in before]
        assert [name for name in started if name.startswith(background)] == []
        assert ok(TestClient(app).get("/health"))["data"]["loaded"] is False  # no lifespan
        with TestClient(app) as client:
            wait_for(lambda: app.state.store.peek().loaded, timeout=120)
            assert ok(client.get("/health"))["data"]["loaded"] is True

    def test_closing_the_store_closes_its_snapshot_before_returning(self, warehouse: Path) -> None:
        """At shutdown the snapshot is closed by the time the server says it has finished, not
        in a thread that logs after it (what `make run` printed last on Ctrl-C)."""
        store = SnapshotStore(warehouse, in_memory=False)
        store.check()
        with store.lease() as snap:
            assert snap.rows("SELECT 1 AS one") == [{"one": 1}]
        store.close()
        assert snap.closed
        with pytest.raises(duckdb.ConnectionException):
            snap.rows("SELECT 1 AS one")

    def test_filter_columns_become_enums_unless_they_hold_no_value(self, tmp_path: Path) -> None:
        table = tmp_path / "customer_profile"
        table.mkdir()
        others = ", ".join(
            f"'x' AS {c}"
            for c in ENUM_COLUMNS["customer_profile"]
            if c not in ("customer_status", "state")
        )
        duckdb.execute(
            f"COPY (SELECT *, {others} FROM (VALUES ('C1', 'Active', NULL::VARCHAR), "
            "('C2', 'New', NULL), ('C3', NULL, NULL)) t(customer_id, customer_status, state)) "
            f"TO '{table}/part-0.parquet' (FORMAT parquet)"
        )
        con, _ = _connect(tmp_path, date(2025, 12, 31), frozenset({"customer_profile"}))
        types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns()").fetchall())
        assert types["customer_status"] == "ENUM('Active', 'New')"
        assert types["state"] == "VARCHAR"
        found = con.execute(
            "SELECT customer_id, customer_status FROM customer_profile "
            "WHERE customer_status IN (?, ?) ORDER BY customer_id",
            ["New", "Churned"],
        ).fetchall()
        assert found == [("C2", "New")]

    def test_a_snapshot_older_than_a_column_still_loads(self, own_warehouse: Path) -> None:
        """Published before cluster_label existed: loaded into memory all the same."""
        snapshot_id = current_snapshot_id(own_warehouse)
        assert snapshot_id is not None
        profile = own_warehouse / "snapshots" / snapshot_id / "customer_profile"
        assert "cluster_label" in ENUM_COLUMNS["customer_profile"]
        con = duckdb.connect()
        con.execute(
            "CREATE TABLE old AS SELECT * EXCLUDE (cluster_label) "
            f"FROM read_parquet('{profile}/*.parquet')"
        )
        for part in profile.glob("*.parquet"):
            part.unlink()
        con.execute(f"COPY old TO '{profile / 'p.parquet'}' (FORMAT parquet)")
        app = create_app(make_settings(own_warehouse, snapshot_in_memory=True))
        with TestClient(app) as c:
            wait_for(lambda: app.state.store.peek().loaded, timeout=120)
            assert ok(c.get("/health"))["data"]["loaded"] is True
            assert ok(c.get(OVERVIEW, headers=headers("marketing")))["count"] > 0


class TestHealth:
    def test_reports_the_served_snapshot(self, client: TestClient, expect: Expect) -> None:
        body = ok(client.get("/health"))
        assert body["data"]["status"] == "ok"
        assert body["data"]["snapshot_id"] == body["snapshot_id"] == expect.snapshot_id
        assert body["data"]["as_of"] == expect.as_of
        assert body["data"]["snapshot_age_seconds"] >= 0
        assert body["data"]["version"]

    def test_503_before_anything_is_published_is_logged_without_a_traceback(
        self, tmp_path: Path
    ) -> None:
        app = create_app(make_settings(tmp_path / "empty"))
        with TestClient(app) as c, structlog.testing.capture_logs() as logs:
            error(c.get("/health"), 503)
            error(c.get(OVERVIEW, headers=headers("marketing")), 503)
        errors = [e for e in logs if e["log_level"] in ("warning", "error") and "path" in e]
        assert [(e["event"], e["path"]) for e in errors] == [
            ("server_error", "/health"),
            ("server_error", OVERVIEW),
        ]
        assert not any("exc_info" in e for e in errors)

    def test_an_unexpected_error_is_a_500_envelope_logged_with_its_traceback(
        self, tmp_path: Path
    ) -> None:
        app = create_app(make_settings(tmp_path / "empty"))

        def boom() -> None:
            raise RuntimeError("secret internals")

        app.add_api_route("/boom", boom)
        with (
            TestClient(app, raise_server_exceptions=False) as c,
            structlog.testing.capture_logs() as logs,
        ):
            body = error(c.get("/boom"), 500)
        assert "secret internals" not in repr(body)
        [logged] = [e for e in logs if e["event"] == "unhandled_error"]
        assert isinstance(logged["exc_info"], RuntimeError)

    def test_request_id_header(self, client: TestClient) -> None:
        a, b = client.get("/health"), client.get("/health")
        assert len(a.headers["X-Request-ID"]) == 32
        assert a.headers["X-Request-ID"] != b.headers["X-Request-ID"]


class TestPrometheusMetrics:
    def test_text_format_counts_requests(self, own_client: TestClient) -> None:
        own_client.get(OVERVIEW, headers=headers("marketing"))
        text = own_client.get("/metrics").text
        assert (
            'c360_requests_total{method="GET",route="/marketing/customer-health-overview",status="200"} 1.0'
            in text
        )
        assert 'c360_cache_total{result="miss"} 1.0' in text
        assert "c360_snapshot_age_seconds" in text


class TestAdminMetrics:
    def test_reports_routes_statuses_cache_and_snapshot(
        self, own_client: TestClient, own_warehouse: Path
    ) -> None:
        for _ in range(3):
            own_client.get(OVERVIEW, headers=headers("marketing"))
        own_client.get(OVERVIEW)
        data = ok(own_client.get("/admin/metrics", headers=headers("admin")))["data"]
        route = data["routes"][OVERVIEW]
        assert route["requests"] == 4
        assert 0 < route["p50_ms"] <= route["p95_ms"] <= route["p99_ms"]
        assert data["status_counts"]["200"] == 3
        assert data["status_counts"]["401"] == 1
        assert (data["cache_hits"], data["cache_misses"]) == (2, 1)
        assert data["snapshot_id"] == Expect(own_warehouse).snapshot_id
        assert data["uptime_seconds"] > 0
        assert data["last_job"] is None

    def test_needs_the_admin_scope(self, client: TestClient) -> None:
        error(client.get("/admin/metrics"), 401)
        error(client.get("/admin/metrics", headers=headers("marketing")), 403)

    def test_admin_routes_refuse_when_no_admin_key_is_configured(self, warehouse: Path) -> None:
        settings = make_settings(warehouse)
        settings.api_keys = [k for k in settings.api_keys if Scope.ADMIN not in k.scopes]
        with TestClient(create_app(settings)) as c:
            body = error(c.get("/admin/metrics", headers=headers("admin")), 403)
            assert "no admin key" in body["error_message"]


class TestCacheAndSnapshotSwitch:
    def test_hit_then_new_snapshot_misses_and_serves_new_id(
        self, own_client: TestClient, own_warehouse: Path
    ) -> None:
        first = own_client.get(OVERVIEW, headers=headers("marketing"))
        second = own_client.get(OVERVIEW, headers=headers("marketing"))
        assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
        assert ok(first)["data"] == ok(second)["data"]
        # Repeated values in another order share one entry.
        a = own_client.get(
            "/analytics/customer-profiles?customer_status=Active&customer_status=New&limit=5",
            headers=headers("marketing"),
        )
        b = own_client.get(
            "/analytics/customer-profiles?limit=5&customer_status=New&customer_status=Active",
            headers=headers("marketing"),
        )
        assert (a.headers["X-Cache"], b.headers["X-Cache"]) == ("MISS", "HIT")
        # The pii flag is part of the key.
        assert own_client.get(OVERVIEW, headers=headers("pii")).headers["X-Cache"] == "MISS"

        new_id = publish_copy(own_warehouse)
        after = own_client.get(OVERVIEW, headers=headers("marketing"))
        assert after.headers["X-Cache"] == "MISS"
        assert ok(after)["snapshot_id"] == new_id
        assert isinstance(own_client.app, FastAPI)
        assert len(own_client.app.state.cache) == 1  # emptied on the switch

    def test_concurrent_requests_during_switches_all_succeed(
        self, own_client: TestClient, own_warehouse: Path
    ) -> None:
        customer = Expect(own_warehouse).df("SELECT min(customer_id) c FROM customer_profile")["c"][
            0
        ]
        # Distinct pages miss the cache, so most requests read the snapshot while it switches.
        paths = [
            "/analytics/customer-profiles?limit=50&offset={}",
            "/marketing/churn-risk-customers?limit=5&offset={}",
            f"/customers/{customer}",
        ]

        def call(i: int) -> tuple[int, str]:
            r = own_client.get(paths[i % len(paths)].format(i), headers=headers("marketing"))
            return r.status_code, r.json().get("snapshot_id", "")

        original = Expect(own_warehouse).snapshot_id
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(call, i) for i in range(120)]
            published = [publish_copy(own_warehouse) for _ in range(3)]
            results = [f.result(timeout=60) for f in futures]
        assert all(status == 200 for status, _ in results), results
        ids_seen = {sid for _, sid in results}
        assert ids_seen <= {original, *published}
        assert ok(own_client.get("/health"))["snapshot_id"] == published[-1]


class TestRateLimit:
    def test_429_after_the_limit_with_retry_after(self, warehouse: Path) -> None:
        with TestClient(create_app(make_settings(warehouse, rate_limit_per_minute=3))) as c:
            for _ in range(3):
                ok(c.get(OVERVIEW, headers=headers("marketing")))
            limited = c.get(OVERVIEW, headers=headers("marketing"))
            error(limited, 429)
            assert int(limited.headers["Retry-After"]) > 0
            # Limits are per key: another key still passes; health is exempt.
            ok(c.get(OVERVIEW, headers=headers("pii")))
            ok(c.get("/health"))
            assert (
                ok(c.get("/admin/metrics", headers=headers("admin")))["data"]["rate_limited"] == 1
            )


class TestRefreshData:
    control = staticmethod(fake_pipeline_mode)

    @staticmethod
    def job(client: TestClient, job_id: str) -> dict[str, Any]:
        return ok(client.get(f"/admin/jobs/{job_id}", headers=headers("admin")))["data"]

    def finished(self, client: TestClient, job_id: str) -> dict[str, Any]:
        return wait_for(
            lambda: (j := self.job(client, job_id))["state"] not in ("queued", "running") and j
        )

    def test_success_publishes_and_serves_the_new_snapshot(
        self, own_client: TestClient, own_warehouse: Path
    ) -> None:
        self.control(own_warehouse, "succeed")
        response = own_client.post("/admin/refresh-data", headers=headers("admin"))
        assert response.status_code == 202
        job = self.finished(own_client, response.json()["data"]["job_id"])
        assert job["state"] == "succeeded", job
        assert job["snapshot_id"] == Expect(own_warehouse).snapshot_id
        assert job["stages_done"] == job["stage_count"] == 5
        assert job["stages"][0]["rows_in"] == 100
        assert job["duration_seconds"] > 0
        assert (
            ok(own_client.get(OVERVIEW, headers=headers("marketing")))["snapshot_id"]
            == job["snapshot_id"]
        )
        metrics = ok(own_client.get("/admin/metrics", headers=headers("admin")))["data"]
        assert metrics["last_job"]["state"] == "succeeded"

    def test_failure_keeps_serving_the_previous_snapshot(
        self, own_client: TestClient, own_warehouse: Path
    ) -> None:
        before = Expect(own_warehouse).snapshot_id
        self.control(own_warehouse, "fail")
        response = own_client.post(
            "/admin/refresh-data?force_refresh=true", headers=headers("admin")
        )
        assert response.status_code == 202
        job = self.finished(own_client, response.json()["data"]["job_id"])
        assert job["state"] == "failed"
        assert job["error"] == "identity resolution exploded"
        assert job["exit_code"] == 1
        assert job["force"] is True
        assert ok(own_client.get(OVERVIEW, headers=headers("marketing")))["snapshot_id"] == before

    def test_second_refresh_while_one_runs_is_409(
        self, own_client: TestClient, own_warehouse: Path
    ) -> None:
        self.control(own_warehouse, "wait")
        first = own_client.post("/admin/refresh-data", headers=headers("admin")).json()["data"][
            "job_id"
        ]
        wait_for(lambda: self.job(own_client, first)["state"] == "running")
        body = error(own_client.post("/admin/refresh-data", headers=headers("admin")), 409)
        assert body["error_details"]["running_job_id"] == first
        self.control(own_warehouse, "succeed")
        assert self.finished(own_client, first)["state"] == "succeeded"

    def test_unknown_job_is_404_and_scope_is_admin(self, client: TestClient) -> None:
        error(client.get("/admin/jobs/nope", headers=headers("admin")), 404)
        error(client.post("/admin/refresh-data"), 401)
        error(client.post("/admin/refresh-data", headers=headers("finance")), 403)

    def test_broken_publish_is_ignored(self, own_client: TestClient, own_warehouse: Path) -> None:
        before = Expect(own_warehouse).snapshot_id
        (own_warehouse / "CURRENT").write_text("missing-snapshot\n")
        assert ok(own_client.get(OVERVIEW, headers=headers("marketing")))["snapshot_id"] == before


class TestAnonymousAccess:
    """Local demos may open data scopes to callers without a key; never pii, admin or production."""

    def test_open_scope_answers_without_a_key(self, warehouse: Path) -> None:
        settings = make_settings(warehouse, anonymous_scopes=frozenset({Scope.MARKETING}))
        with TestClient(create_app(settings)) as client:
            body = ok(client.get("/marketing/churn-risk-customers?limit=5"))
            assert all(row["customer_id"] for row in body["data"])
            again = client.get("/marketing/churn-risk-customers?limit=5")
            assert again.headers["X-Cache"] == "HIT"
            assert ok(again)["data"] == body["data"]
            # The entry a keyless caller filled still refuses a key without the scope.
            error(
                client.get("/marketing/churn-risk-customers?limit=5", headers=headers("product")),
                403,
            )
            profiles = ok(client.get("/analytics/customer-profiles?limit=5"))["data"]
            assert all(r["email"] is None and r["phone"] is None for r in profiles)
            error(client.get("/finance/revenue-analysis"), 401)
            error(client.get("/admin/metrics"), 401)
            error(
                client.get("/marketing/churn-risk-customers", headers={"X-API-Key": "wrong"}), 401
            )

    @pytest.mark.parametrize("scope", [Scope.PII, Scope.ADMIN])
    def test_pii_and_admin_are_never_anonymous(self, warehouse: Path, scope: Scope) -> None:
        with pytest.raises(ValidationError, match="anonymous_scopes"):
            make_settings(warehouse, anonymous_scopes=frozenset({scope}))

    def test_production_refuses_anonymous_access(self, warehouse: Path) -> None:
        with pytest.raises(ValidationError, match="anonymous"):
            make_settings(
                warehouse, environment="production", anonymous_scopes=frozenset({Scope.MARKETING})
            )
