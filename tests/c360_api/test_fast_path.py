"""Cache hits answered before routing (`c360_api/api/fast_path.py`): same answers, same checks."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from c360_api.main import create_app
from tests.c360_api.conftest import Expect, build_test_warehouse, headers, make_settings
from tests.c360_api.helpers import error, ok

OVERVIEW = "/marketing/customer-health-overview"
PROFILES = "/analytics/customer-profiles?customer_status=Active&limit=3"


@pytest.fixture
def fresh(pipeline_warehouse: Path, tmp_path: Path) -> Iterator[TestClient]:
    """A client with an empty cache and its own metrics."""
    warehouse = build_test_warehouse(pipeline_warehouse, tmp_path)
    with TestClient(create_app(make_settings(warehouse))) as c:
        yield c


class SentMessages:
    """Outermost ASGI layer: records every message the app hands the server, as handed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.sent: list[Message] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def record(message: Message) -> None:
            self.sent.append(message)
            await send(message)

        await self.app(scope, receive, record)

    def bodies(self) -> list[Message]:
        return [m for m in self.sent if m["type"] == "http.response.body"]


def admin_metrics(client: TestClient) -> dict[str, object]:
    data: dict[str, object] = ok(client.get("/admin/metrics", headers=headers("admin")))["data"]
    return data


class TestCachedAnswers:
    def test_a_hit_is_the_routes_answer_and_is_counted_under_its_route(
        self, fresh: TestClient, expect: Expect
    ) -> None:
        customer = expect.df("SELECT max(customer_id) c FROM customer_profile")["c"][0]
        path = f"/customers/{customer}"
        miss = fresh.get(path, headers=headers("marketing"))
        hit = fresh.get(path, headers=headers("marketing"))
        assert (miss.headers["X-Cache"], hit.headers["X-Cache"]) == ("MISS", "HIT")
        first, second = ok(miss), ok(hit)
        assert {k: v for k, v in first.items() if k != "timestamp"} == {
            k: v for k, v in second.items() if k != "timestamp"
        }
        assert second["timestamp"] >= first["timestamp"]
        assert hit.headers["X-Snapshot-ID"] == expect.snapshot_id
        assert hit.headers["X-Request-ID"] != miss.headers["X-Request-ID"]
        metrics = admin_metrics(fresh)
        routes = metrics["routes"]
        assert isinstance(routes, dict)
        assert routes["/customers/{customer_id}"]["requests"] == 2
        assert (metrics["cache_hits"], metrics["cache_misses"]) == (1, 1)

    def test_a_hit_still_needs_a_key_with_the_routes_scope(self, fresh: TestClient) -> None:
        ok(fresh.get(OVERVIEW, headers=headers("marketing")))
        assert fresh.get(OVERVIEW, headers=headers("marketing")).headers["X-Cache"] == "HIT"
        error(fresh.get(OVERVIEW), 401)
        error(fresh.get(OVERVIEW, headers={"X-API-Key": "not-a-key"}), 401)
        error(fresh.get(OVERVIEW, headers=headers("product")), 403)
        error(fresh.get(OVERVIEW, headers=headers("admin")), 403)
        # A cross-domain route's entry serves every data scope (same pii flag, same answer).
        ok(fresh.get(PROFILES, headers=headers("marketing")))
        shared = fresh.get(PROFILES, headers=headers("finance"))
        assert (shared.status_code, shared.headers["X-Cache"]) == (200, "HIT")

    def test_contact_details_never_cross_the_pii_boundary(self, fresh: TestClient) -> None:
        with_pii = ok(fresh.get(PROFILES, headers=headers("pii")))["data"]
        assert any(row["email"] for row in with_pii)
        without = fresh.get(PROFILES, headers=headers("marketing"))
        assert without.headers["X-Cache"] == "MISS"
        assert all(row["email"] is None and row["phone"] is None for row in ok(without)["data"])

    def test_every_representation_is_cached_apart_and_hit_before_routing(
        self, fresh: TestClient, expect: Expect
    ) -> None:
        rows = ok(fresh.get(PROFILES, headers=headers("marketing")))["data"]
        as_csv = fresh.get(PROFILES + "&format=csv", headers=headers("marketing"))
        assert as_csv.headers["content-type"].startswith("text/csv")
        assert as_csv.headers["X-Cache"] == "MISS"  # a JSON entry is never served as CSV
        assert len(as_csv.text.strip().splitlines()) == 1 + len(rows)
        accepted = fresh.get(PROFILES, headers={**headers("marketing"), "Accept": "text/csv"})
        assert (accepted.headers["X-Cache"], accepted.text) == ("HIT", as_csv.text)
        explicit = fresh.get(PROFILES + "&format=json", headers=headers("marketing"))
        assert explicit.headers["X-Cache"] == "HIT"
        assert ok(explicit)["data"] == rows
        body = error(fresh.get(PROFILES + "&format=xml", headers=headers("marketing")), 422)
        assert "format" in body["error_message"]
        for fmt in ("png", "vega"):  # a list of customers has no chart
            error(fresh.get(f"{PROFILES}&format={fmt}", headers=headers("marketing")), 422)
        customer = expect.df("SELECT min(customer_id) c FROM customer_profile")["c"][0]
        ok(fresh.get(f"/customers/{customer}", headers=headers("marketing")))
        as_table = fresh.get(f"/customers/{customer}?format=csv", headers=headers("marketing"))
        assert as_table.headers["X-Table"] == "profile"
        assert as_table.text.splitlines()[1].startswith(f"{customer},")

    def test_hits_count_once_against_the_rate_limit(self, warehouse: Path) -> None:
        with TestClient(create_app(make_settings(warehouse, rate_limit_per_minute=4))) as c:
            answers = [c.get(OVERVIEW, headers=headers("marketing")) for _ in range(4)]
            assert [a.headers["X-Cache"] for a in answers] == ["MISS", "HIT", "HIT", "HIT"]
            limited = c.get(OVERVIEW, headers=headers("marketing"))
            error(limited, 429)
            assert int(limited.headers["Retry-After"]) > 0
            # A refused key is still counted once: three wrong-scope calls, then the limit.
            for _ in range(4):
                error(c.get(OVERVIEW, headers=headers("product")), 403)
            error(c.get(OVERVIEW, headers=headers("product")), 429)
            assert admin_metrics(c)["rate_limited"] == 2


class TestLargeCachedBodies:
    """A hit's cost must not grow with its body: the stored bytes go to the server as they are,
    in one message, through every middleware (no re-serialising, copying, buffering or chunking).
    Identity across hits is the check: any per-hit copy or rendering makes a new object."""

    # Every day of the snapshot by payment method: the largest cached answer (356 KB at 1M).
    PATH = "/payments/trends?days=3650"

    def test_every_hit_hands_the_server_the_same_bytes_object(
        self, pipeline_warehouse: Path, tmp_path: Path
    ) -> None:
        warehouse = build_test_warehouse(pipeline_warehouse, tmp_path)
        recorder = SentMessages(create_app(make_settings(warehouse)))
        with TestClient(recorder) as c:
            # httpx asks for gzip by default; wrk (the load bench) asks for nothing.
            plain = [
                c.get(self.PATH, headers={**headers("finance"), "Accept-Encoding": "identity"})
                for _ in range(3)
            ]
            zipped = [
                c.get(self.PATH, headers={**headers("finance"), "Accept-Encoding": "gzip"})
                for _ in range(3)
            ]
        assert [r.headers["X-Cache"] for r in plain + zipped] == ["MISS", *["HIT"] * 5]
        bodies = recorder.bodies()
        assert len(bodies) == 6  # one body message per answer: nothing streamed in pieces
        assert not any(m.get("more_body") for m in bodies)
        raw, packed = [m["body"] for m in bodies[:3]], [m["body"] for m in bodies[3:]]
        assert len(raw[0]) >= 1024  # large enough to be gzipped when asked
        assert all(body is raw[0] for body in raw)
        assert all(body is packed[0] for body in packed)
        # What was sent is the answer itself: the whole body, and the same data gzipped.
        assert [int(r.headers["content-length"]) for r in plain] == [len(raw[0])] * 3
        assert [r.headers.get("content-encoding") for r in plain] == [None] * 3
        assert gzip.decompress(packed[0]) == raw[0]
        assert [r.headers.get("content-encoding") for r in zipped] == ["gzip"] * 3
        assert json.loads(raw[0])["data"] == plain[0].json()["data"]
