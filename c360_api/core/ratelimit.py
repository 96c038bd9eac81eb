"""Rate limiting on `limits`' public API: a fixed window per caller, a stricter one for failed keys.

A caller is its API key's id, or its client address when it has no valid key. A request whose key
matches none is a failed authentication: it counts against its address (not against a bucket of
its own, which let every guessed key start afresh) and against the address's failed-auth budget,
so guessing keys is throttled while valid keys from the same address keep their own budget.

`check_rate_limit` counts a request once however many times it is asked (the cached-answer fast
path asks, and when that falls through to the routes their dependency asks again); the outcome is
kept on the request, and `RateLimitHeadersMiddleware` puts it on the answer, whatever the answer.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from c360_api.core.security import presents_credentials, request_principal
from c360_api.exceptions import RateLimitedError

SWEEP_SECONDS = 1.0


class CounterStorage(Storage):
    """Fixed-window counters in this process's memory, on `limits`' public `Storage` interface.

    `limits`' MemoryStorage (5.8) starts a new `threading.Timer` whenever its previous one has
    finished: about 60 thread starts a second at 1,000 requests a second (measured), which cost more
    than serving a cached answer. Here a counter expires when it is read after its window, and
    other callers' expired counters are swept inline, at most once a second.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self._clock = clock
        self._counters: dict[str, tuple[int, float]] = {}  # key -> (count, window end)
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return RuntimeError  # nothing here talks to a server; kept for the interface

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = self._clock()
        with self._lock:
            if now >= self._next_sweep:
                self._next_sweep = now + SWEEP_SECONDS
                self._counters = {k: v for k, v in self._counters.items() if v[1] > now}
            count, ends = self._counters.get(key, (0, now))
            if ends <= now:
                count, ends = 0, now + expiry
            self._counters[key] = (count + amount, ends)
            return count + amount

    def get(self, key: str) -> int:
        count, ends = self._counters.get(key, (0, 0.0))
        return count if ends > self._clock() else 0

    def get_expiry(self, key: str) -> float:
        now = self._clock()
        _, ends = self._counters.get(key, (0, now))
        return ends if ends > now else now

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            count, self._counters = len(self._counters), {}
        return count

    def clear(self, key: str) -> None:
        with self._lock:
            self._counters.pop(key, None)

    def __len__(self) -> int:
        return len(self._counters)


@dataclass(frozen=True, slots=True)
class RateLimitState:
    """A request's standing in the budget that binds it (the one nearest exhaustion)."""

    limit: int
    remaining: int
    reset: float  # Unix time at which the window starts afresh
    exceeded: bool

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(math.ceil(self.reset)).encode()),
        ]

    def retry_after(self) -> int:
        """Whole seconds until the window resets (at least 1)."""
        return max(1, math.ceil(self.reset - time.time()))


class RateLimits:
    """The app's budgets: requests per caller a minute, failed authentications per address."""

    def __init__(
        self, per_minute: int, failed_auth_per_minute: int, login_per_minute: int = 10
    ) -> None:
        self._limiter = FixedWindowRateLimiter(CounterStorage())
        self._per_caller = RateLimitItemPerMinute(per_minute)
        self._failed_auth = RateLimitItemPerMinute(failed_auth_per_minute)
        self._login = RateLimitItemPerMinute(login_per_minute)

    def hit(self, request: Request) -> RateLimitState:
        """Count `request` in every budget it belongs to."""
        principal = request_principal(request)
        if principal is not None:
            return self._hit(self._per_caller, "key", principal.key_id)
        address = request.client.host if request.client else "unknown"
        state = self._hit(self._per_caller, "addr", address)
        if not presents_credentials(request):
            return state
        failed = self._hit(self._failed_auth, "failed-auth", address)
        return min(state, failed, key=lambda s: (not s.exceeded, s.remaining))

    def hit_login(self, request: Request) -> RateLimitState:
        """Count a login attempt against its client address's login budget."""
        address = request.client.host if request.client else "unknown"
        return self._hit(self._login, "login", address)

    def _hit(self, item: RateLimitItem, *identifiers: str) -> RateLimitState:
        allowed = self._limiter.hit(item, *identifiers)
        stats = self._limiter.get_window_stats(item, *identifiers)
        return RateLimitState(item.amount, stats.remaining, stats.reset_time, not allowed)


def check_rate_limit(request: Request) -> RateLimitState:
    """Count the request against its caller's budgets (once), raising RateLimitedError (429 with
    Retry-After) whenever asked about a request that went over one."""
    state: RateLimitState | None = getattr(request.state, "rate_limit", None)
    if state is None:
        rate_limits: RateLimits = request.app.state.rate_limits
        state = request.state.rate_limit = rate_limits.hit(request)
    if state.exceeded:
        raise RateLimitedError(
            f"Rate limit exceeded: {state.limit} per minute",
            headers={"Retry-After": str(state.retry_after())},
            limit=state.limit,
        )
    return state


def check_login_rate(request: Request) -> None:
    """Count a login attempt (per client address), raising RateLimitedError past the budget."""
    rate_limits: RateLimits = request.app.state.rate_limits
    state = rate_limits.hit_login(request)
    if state.exceeded:
        raise RateLimitedError(
            f"Too many login attempts: {state.limit} per minute",
            headers={"Retry-After": str(state.retry_after())},
            limit=state.limit,
        )


class RateLimitHeadersMiddleware:
    """X-RateLimit-Limit, -Remaining and -Reset on every answer to a counted request: successes
    (cache hits answered before routing included), refusals and errors alike."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                state: RateLimitState | None = scope.get("state", {}).get("rate_limit")
                if state is not None:
                    message["headers"] = [*message.get("headers", ()), *state.headers()]
            await send(message)

        await self.app(scope, receive, send_with_limits)
