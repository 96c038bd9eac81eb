"""Cache hits answered before routing: the same checks as the route, without its dependency graph.

Resolving a data route's dependencies (key, rate limit, snapshot lease, cache, representation) cost
more than twice what answering a cached result does. A cache entry remembers the route that filled
it and the scopes guarding that route, so this middleware can answer a JSON hit itself after asking
exactly what the route would ask (`check_rate_limit`, then `admit`). Everything else goes to the
routes untouched: a miss, CSV, an unknown or repeated scalar parameter (the route answers 422),
an unknown or unentitled key, an exceeded limit (the routes answer the refusal; the request is
still counted once), or a CURRENT that changed and must be opened first.
"""

from __future__ import annotations

from fastapi import Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from c360_api.api.params import query_errors
from c360_api.api.responses import HIT, Result, cache_key, json_answer, wants_csv
from c360_api.core.cache import ResponseCache
from c360_api.core.ratelimit import check_rate_limit
from c360_api.core.security import admit, caller
from c360_api.exceptions import C360Error
from c360_api.store import SnapshotStore


class CachedAnswerMiddleware:
    """Innermost middleware: the access log, metrics and CORS still wrap every answer.

    Only paths under `prefixes` (the data routers') are looked up; others cost one string test.
    """

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and scope["path"].startswith(self.prefixes)
        ):
            response = cached_answer(Request(scope))
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def cached_answer(request: Request) -> Response | None:
    """The route's JSON answer from the cache, or None to let the route answer."""
    store: SnapshotStore = request.app.state.store
    snapshot = store.peek()
    if snapshot is None or store.stale():
        return None
    principal = caller(request)
    if principal is None:
        return None
    response_cache: ResponseCache = request.app.state.cache
    result: Result | None = response_cache.peek(
        cache_key(request, snapshot.snapshot_id, principal.pii)
    )
    if result is None or result.data_json is None or result.route is None:
        return None
    formats = request.query_params.getlist("format")
    if formats not in ([], ["json"]) or wants_csv(request, None, result.table is not None):
        return None
    if query_errors(request, result.route):
        return None
    try:
        check_rate_limit(request)
        admit(request, result.scopes)
    except C360Error:
        return None
    request.scope["route"] = result.route
    request.scope["endpoint"] = result.route.endpoint
    request.state.cache = HIT
    response_cache.count_hit()
    return json_answer(result, snapshot, HIT)
