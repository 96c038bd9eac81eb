"""Request, cache and rate-limit metrics: Prometheus counters plus in-process latency percentiles.

Each app instance owns its own `CollectorRegistry`, so several apps (tests) never collide.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict, deque
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client import Counter as PromCounter

LATENCY_WINDOW = 5000  # latest requests kept per route for percentiles


def _percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted, non-empty list."""
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


class Metrics:
    """Everything /metrics and /admin/metrics report."""

    def __init__(self) -> None:
        self.started = time.time()
        self.registry = CollectorRegistry()
        self._requests = PromCounter(
            "c360_requests", "HTTP requests", ["route", "method", "status"], registry=self.registry
        )
        self._latency = Histogram(
            "c360_request_duration_seconds", "Request latency", ["route"], registry=self.registry
        )
        self._cache = PromCounter("c360_cache", "Cache lookups", ["result"], registry=self.registry)
        self._limited = PromCounter(
            "c360_rate_limited", "Requests refused by the rate limit", registry=self.registry
        )
        self.snapshot_age = Gauge(
            "c360_snapshot_age_seconds", "Age of the served snapshot", registry=self.registry
        )
        self._lock = threading.Lock()
        self._durations: defaultdict[str, deque[float]] = defaultdict(
            lambda: deque(maxlen=LATENCY_WINDOW)
        )
        self._route_counts: Counter[str] = Counter()
        self._status_counts: Counter[int] = Counter()
        self.cache_hits = 0
        self.cache_misses = 0
        self.rate_limited = 0

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self._requests.labels(route, method, str(status)).inc()
        self._latency.labels(route).observe(seconds)
        with self._lock:
            self._durations[route].append(seconds * 1000)
            self._route_counts[route] += 1
            self._status_counts[status] += 1
            if status == 429:
                self.rate_limited += 1
        if status == 429:
            self._limited.inc()

    def cache_event(self, hit: bool) -> None:
        self._cache.labels("hit" if hit else "miss").inc()
        with self._lock:
            if hit:
                self.cache_hits += 1
            else:
                self.cache_misses += 1

    def summary(self) -> dict[str, Any]:
        """Uptime, per-route counts and p50/p95/p99 in ms, status counts, cache and limit counters."""
        with self._lock:
            routes = {
                route: {
                    "requests": self._route_counts[route],
                    **{f"p{q}_ms": round(_percentile(sorted(values), q), 3) for q in (50, 95, 99)},
                }
                for route, values in self._durations.items()
                if values
            }
            return {
                "uptime_seconds": round(time.time() - self.started, 3),
                "requests_total": sum(self._route_counts.values()),
                "routes": routes,
                "status_counts": {str(k): v for k, v in sorted(self._status_counts.items())},
                "cache_hits": self.cache_hits,
                "cache_misses": self.cache_misses,
                "rate_limited": self.rate_limited,
            }

    def prometheus_text(self) -> bytes:
        return generate_latest(self.registry)
