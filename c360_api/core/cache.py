"""Response-data cache: a bounded TTL cache shared by every data route.

Keys carry the snapshot id and the caller's pii flag, so an entry can never be served across a
snapshot switch or to a caller without the right to see personal data; the cache is also emptied
on every switch so old entries do not hold memory.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

from cachetools import TTLCache

from c360_api.core.metrics import Metrics


class ResponseCache:
    """Thread-safe TTLCache that counts hits and misses into the app's metrics."""

    def __init__(self, max_size: int, ttl_seconds: float, metrics: Metrics) -> None:
        self._cache: TTLCache[Hashable, Any] = TTLCache(maxsize=max_size, ttl=ttl_seconds)
        self._lock = threading.Lock()
        self._metrics = metrics

    def get(self, key: Hashable) -> Any | None:
        value = self.peek(key)
        self._metrics.cache_event(hit=value is not None)
        return value

    def peek(self, key: Hashable) -> Any | None:
        """The entry without counting a lookup (the caller counts it if it serves the entry)."""
        with self._lock:
            return self._cache.get(key)

    def count_hit(self) -> None:
        self._metrics.cache_event(hit=True)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._cache[key] = value

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)
