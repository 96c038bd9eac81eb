"""In-process rate-limit storage for slowapi that never starts a thread on the request path.

`limits`' MemoryStorage starts a new `threading.Timer` (a fresh thread) whenever its previous
expiry timer has finished, i.e. every 10 ms under steady traffic: at a thousand requests a second
that thread churn cost more than serving a cached answer. Counters already expire lazily when their
key is read, so this storage only sweeps other callers' expired keys inline, at most once a second.
"""

from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage

SWEEP_SECONDS = 1.0
STORAGE_URI = "c360-memory://"


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
