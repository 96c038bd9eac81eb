"""Rate limits: headers on every counted answer, failed keys throttled per address, the storage."""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from c360_api.core.config import Settings
from c360_api.core.ratelimit import CounterStorage
from c360_api.main import create_app
from tests.c360_api.conftest import build_test_warehouse, headers, make_settings
from tests.c360_api.helpers import error, ok

OVERVIEW = "/marketing/customer-health-overview"
GUESSER, NEIGHBOUR = ("203.0.113.7", 40000), ("198.51.100.9", 40000)


def limits_of(response: object) -> tuple[int, int, int]:
    h = response.headers  # type: ignore[attr-defined]
    return int(h["X-RateLimit-Limit"]), int(h["X-RateLimit-Remaining"]), int(h["X-RateLimit-Reset"])


@pytest.fixture
def own_warehouse(pipeline_warehouse: Path, tmp_path: Path) -> Path:
    return build_test_warehouse(pipeline_warehouse, tmp_path)


class TestHeaders:
    def test_on_misses_fast_path_hits_refusals_and_429(self, own_warehouse: Path) -> None:
        app = create_app(make_settings(own_warehouse, rate_limit_per_minute=4))
        with TestClient(app) as c:
            before = time.time()
            answers = [c.get(OVERVIEW, headers=headers("marketing")) for _ in range(3)]
            after = time.time()
            assert [a.headers["X-Cache"] for a in answers] == ["MISS", "HIT", "HIT"]
            assert [limits_of(a)[:2] for a in answers] == [(4, 3), (4, 2), (4, 1)]
            reset = limits_of(answers[0])[2]
            # The window opens at the first request, between `before` and `after`; the header
            # is its end rounded up to a whole second.
            assert before + 60 <= reset <= after + 61
            assert {limits_of(a)[2] for a in answers} == {reset}
            # A refusal by scope is counted too, against its own key's budget.
            refused = c.get(OVERVIEW, headers=headers("product"))
            error(refused, 403)
            assert limits_of(refused)[:2] == (4, 3)
            assert limits_of(c.get(OVERVIEW, headers=headers("marketing")))[:2] == (4, 0)
            limited = c.get(OVERVIEW, headers=headers("marketing"))
            error(limited, 429)
            assert limits_of(limited) == (4, 0, reset)
            assert 0 < int(limited.headers["Retry-After"]) <= 60

    def test_on_admin_routes_but_not_on_monitoring(self, own_warehouse: Path) -> None:
        with TestClient(create_app(make_settings(own_warehouse, rate_limit_per_minute=9))) as c:
            assert limits_of(c.get("/admin/metrics", headers=headers("admin")))[:2] == (9, 8)
            for path in ("/health", "/ping", "/openapi.json", "/docs"):
                assert "X-RateLimit-Limit" not in c.get(path).headers, path

    def test_cors_exposes_them(self, own_warehouse: Path) -> None:
        settings = make_settings(own_warehouse, cors_origins=["http://bi.example"])
        with TestClient(create_app(settings)) as c:
            answer = c.get(
                OVERVIEW, headers={**headers("marketing"), "Origin": "http://bi.example"}
            )
            exposed = {
                h.strip().lower()
                for h in answer.headers["access-control-expose-headers"].split(",")
            }
            assert {
                "x-ratelimit-limit",
                "x-ratelimit-remaining",
                "x-ratelimit-reset",
                "retry-after",
            } <= exposed


class TestFailedAuthentication:
    def test_guessing_keys_is_throttled_per_address(self, own_warehouse: Path) -> None:
        settings = make_settings(own_warehouse, rate_limit_per_minute=100, failed_auth_per_minute=5)
        app = create_app(settings)
        with TestClient(app, client=GUESSER) as guesser, TestClient(app, client=NEIGHBOUR) as other:
            statuses = [
                guesser.get(OVERVIEW, headers={"X-API-Key": secrets.token_urlsafe(16)}).status_code
                for _ in range(10)
            ]
            assert statuses == [401] * 5 + [429] * 5
            limited = guesser.get(OVERVIEW, headers={"X-API-Key": "one-more-guess"})
            error(limited, 429)
            assert limits_of(limited)[:2] == (5, 0)
            assert int(limited.headers["Retry-After"]) > 0
            # Valid keys keep their own budgets, from another address and from the same one.
            ok(other.get(OVERVIEW, headers=headers("marketing")))
            ok(guesser.get(OVERVIEW, headers=headers("pii")))
            # Another address may still fail its own few times.
            error(other.get(OVERVIEW, headers={"X-API-Key": "typo"}), 401)

    def test_failed_keys_count_against_the_addresss_budget(self, own_warehouse: Path) -> None:
        settings = make_settings(own_warehouse, rate_limit_per_minute=3, failed_auth_per_minute=100)
        with TestClient(create_app(settings), client=GUESSER) as c:
            error(c.get(OVERVIEW), 401)  # no key at all: the address's budget too
            statuses = [
                c.get(OVERVIEW, headers={"X-API-Key": secrets.token_urlsafe(16)}).status_code
                for _ in range(4)
            ]
            assert statuses == [401, 401, 429, 429]
            ok(c.get(OVERVIEW, headers=headers("marketing")))

    def test_the_limit_is_a_setting(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("C360_FAILED_AUTH_PER_MINUTE", "7")
        assert Settings(_env_file=None).failed_auth_per_minute == 7  # type: ignore[call-arg]
        monkeypatch.setenv("C360_FAILED_AUTH_PER_MINUTE", "0")
        with pytest.raises(ValidationError, match="failed_auth_per_minute"):
            Settings(_env_file=None)  # type: ignore[call-arg]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class TestCounterStorage:
    def test_fixed_window_counts_then_starts_afresh_exactly_at_its_end(self) -> None:
        clock = Clock()
        storage = CounterStorage(clock)
        assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
        assert storage.get_expiry("k") == 1_060.0
        clock.now = 1_059.999
        assert (storage.get("k"), storage.incr("k", 60)) == (3, 4)
        clock.now = 1_060.0
        assert storage.get("k") == 0
        assert storage.get_expiry("k") == 1_060.0  # nothing counted: resets now
        assert storage.incr("k", 60) == 1
        assert storage.get_expiry("k") == 1_120.0

    def test_expired_counters_of_other_callers_are_swept_at_most_once_a_second(self) -> None:
        clock = Clock()
        storage = CounterStorage(clock)
        for i in range(100):
            storage.incr(f"caller-{i}", 1)
        clock.now += 1.5  # all expired, and a sweep is due
        storage.incr("new", 60)
        assert len(storage) == 1
        storage.incr("short", 1)
        clock.now += 1.2  # "short" expired, sweep due again
        storage.incr("new", 60)
        assert len(storage) == 1
        storage.incr("brief", 1)
        clock.now += 0.5  # not due yet: "brief" stays until the next sweep, but reads as 0
        storage.incr("new", 60)
        clock.now += 0.6
        assert (len(storage), storage.get("brief")) == (2, 0)

    def test_reset_and_clear(self) -> None:
        storage = CounterStorage(Clock())
        storage.incr("a", 60)
        storage.incr("b", 60)
        storage.clear("a")
        assert (storage.get("a"), storage.get("b")) == (0, 1)
        assert storage.reset() == 1
        assert storage.get("b") == 0
        assert storage.check() is True

    def test_serving_starts_no_timer_thread(
        self, own_warehouse: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """limits' MemoryStorage starts a `threading.Timer` every ~10 ms of traffic."""
        with TestClient(create_app(make_settings(own_warehouse))) as c:
            ok(c.get(OVERVIEW, headers=headers("marketing")))
            started: list[threading.Thread] = []
            original = threading.Thread.start

            def counting_start(thread: threading.Thread) -> None:
                started.append(thread)
                original(thread)

            monkeypatch.setattr(threading.Thread, "start", counting_start)
            deadline = time.monotonic() + 0.05  # past several of those 10 ms timers
            requests = 0
            while time.monotonic() < deadline or requests < 20:
                assert c.get(OVERVIEW, headers=headers("marketing")).headers["X-Cache"] == "HIT"
                requests += 1
                assert requests < 10_000
            # Other apps' snapshots may close meanwhile (a `close-*` thread); no timer may start.
            assert [t for t in started if isinstance(t, threading.Timer)] == []
