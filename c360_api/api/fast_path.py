"""Cache hits answered before routing: the same checks as the route, without its dependency graph.

Resolving a data route's dependencies (key, rate limit, parameters, snapshot lease, cache) cost
more than twice what answering a cached entry does. An entry remembers the route that rendered it
and the scopes guarding that route, so this middleware can serve it after asking exactly what the
route would ask (`query_errors`, `check_rate_limit`, then `admit`), in any representation: it
negotiates with the same `negotiate()` and looks up the same key as the route. Everything else goes
to the routes untouched: a miss, an unknown or repeated parameter (the route answers 422), an
unknown or unentitled key, an exceeded limit (the routes answer the refusal; the request is still
counted once), or a CURRENT that changed and must be opened first.
"""

from __future__ import annotations

from fastapi import Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from c360_api.api.answers import HIT, Rendered, cache_key, representation_of, respond
from c360_api.api.params import query_errors
from c360_api.core.cache import ResponseCache
from c360_api.core.ratelimit import check_rate_limit
from c360_api.core.security import admit, caller
from c360_api.exceptions import C360Error
from c360_api.render.negotiate import ALL_REPRESENTATIONS
from c360_api.snapshots import SnapshotStore


class CachedAnswerMiddleware:
    """Innermost middleware: the access log, metrics and CORS still wrap every answer.

    Only paths under `prefixes` (the data routes') are looked up; others cost one string test.
    """

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...], max_age: int) -> None:
        self.app = app
        self.prefixes = prefixes
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and scope["path"].startswith(self.prefixes)
        ):
            response = cached_answer(Request(scope), self.max_age)
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def cached_answer(request: Request, max_age: int) -> Response | None:
    """The route's answer from the cache, or None to let the route answer."""
    store: SnapshotStore = request.app.state.store
    snapshot = store.peek()
    if snapshot is None or store.stale():
        return None
    principal = caller(request)
    if principal is None:
        return None
    try:
        representation = representation_of(request, ALL_REPRESENTATIONS)
    except C360Error:
        return None
    response_cache: ResponseCache = request.app.state.cache
    key = cache_key(request, snapshot.snapshot_id, principal.pii, representation)
    entry: Rendered | None = response_cache.peek(key)
    if entry is None or query_errors(request, entry.route):
        return None
    try:
        check_rate_limit(request)
        admit(request, entry.scopes)
    except C360Error:
        return None
    request.scope["route"] = entry.route
    request.scope["endpoint"] = entry.route.endpoint
    request.state.cache = HIT
    response_cache.count_hit()
    return respond(request, entry, HIT, snapshot, max_age)
