"""Rate limiting: one slowapi check per request, and storage that never starts a thread.

`check_rate_limit` counts a request once however many times it is asked (the cached-answer fast
path asks, and when that falls through to the routes their dependency asks again).

`limits`' MemoryStorage starts a new `threading.Timer` (a fresh thread) whenever its previous
expiry timer has finished, i.e. every 10 ms under steady traffic: at a thousand requests a second
that thread churn cost more than serving a cached answer. Counters already expire lazily when their
key is read, so this storage only sweeps other callers' expired keys inline, at most once a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from limits.storage import MemoryStorage
from slowapi import Limiter
from slowapi.errors import RateLimitExceeded
from starlette.requests import Request

SWEEP_SECONDS = 1.0
STORAGE_URI = "c360-memory://"
_UNCHECKED = object()  # request.state has no rate-limit outcome yet


def check_rate_limit(request: Request, endpoint: Callable[..., Any] | None) -> None:
    """Count the request against its caller's budget (once), raising slowapi's RateLimitExceeded
    whenever asked about a request that went over it.

    slowapi's middleware looks handlers up in a flat `app.routes`, which no longer holds the routes
    of included routers in this FastAPI version, so its check is called here directly.
    """
    outcome: object = getattr(request.state, "rate_limit", _UNCHECKED)
    if outcome is _UNCHECKED:
        limiter: Limiter = request.app.state.limiter
        try:
            limiter._check_request_limit(request, endpoint, True)
        except RateLimitExceeded as exc:
            request.state.rate_limit = exc
            raise
        request.state.rate_limit = None
    elif isinstance(outcome, RateLimitExceeded):
        raise outcome


class SweepingMemoryStorage(MemoryStorage):
    """MemoryStorage with the expiry sweep run inline and rate-limited instead of on a timer."""

    STORAGE_SCHEME = ["c360-memory"]

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, **options: str
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = 0.0
        self._sweep_lock = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (the parent's mangled name)
        now = time.monotonic()
        if now < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
        finally:
            self._sweep_lock.release()
