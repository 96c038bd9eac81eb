"""Answering a data request: negotiate the representation, serve it from the cache or compute and
render it once, and send it with HTTP caching and compression.

The cache holds rendered bytes per (route, normalised parameters, snapshot, pii right,
representation), so a hit costs no query, validation or rendering, and a JSON entry can never be
served as PNG. Every answer carries an `ETag` derived from that same key (a changed snapshot is a
changed tag), `Cache-Control` from the cache's TTL and `Vary`; `If-None-Match` gets a 304, and
bodies of 1 KiB or more are gzipped for clients that accept it (PNG is compressed already).
The cached-answer fast path (`fast_path.py`) calls `cache_key` and `respond` too, so a hit before
routing and a hit in the route are the same answer.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from c360_api.core.cache import ResponseCache
from c360_api.core.security import Principal
from c360_api.exceptions import InvalidParameterError
from c360_api.render.answer import Answer
from c360_api.render.negotiate import (
    MEDIA_TYPES,
    Representation,
    UnknownFormatError,
    negotiate,
)
from c360_api.render.renderers import render
from c360_api.snapshots import Snapshot
from c360_contract.scopes import Scope

# X-Cache values, also what the access log records.
HIT, MISS = "HIT", "MISS"
FORMAT_PARAM = "format"
GZIP_MIN_BYTES = 1024
VARY = "Accept, Accept-Encoding, X-API-Key"
_COMPRESSED = frozenset({MEDIA_TYPES[Representation.PNG]})


@dataclass
class Rendered:
    """One representation of one answer, as sent; `route` and `scopes` are the route that made it
    and the scopes guarding it, which the fast path checks before serving it again."""

    body: bytes
    media_type: str
    etag: str
    route: APIRoute
    scopes: frozenset[Scope]
    headers: dict[str, str] = field(default_factory=dict)
    _gzipped: bytes | None = None

    def gzipped(self) -> bytes:
        """The body gzipped, computed once (a race computes it twice; both results are equal)."""
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


def cache_key(
    request: Request, snapshot_id: str, pii: bool, representation: Representation
) -> tuple[Any, ...]:
    """Path, data parameters (order-free: only repeatable filters may repeat, the routes refuse a
    repeated scalar before anything is cached; `format` excluded: the representation stands for
    it), snapshot, the caller's pii right and the representation."""
    params = tuple(
        sorted((k, v) for k, v in request.query_params.multi_items() if k != FORMAT_PARAM)
    )
    return (request.scope["path"], params, snapshot_id, pii, representation.value)


def etag_of(key: tuple[Any, ...]) -> str:
    return 'W/"' + hashlib.sha256(repr(key).encode()).hexdigest()[:32] + '"'


def representation_of(request: Request, offered: Sequence[Representation]) -> Representation:
    """The negotiated representation; a `format` this route does not offer is a 422 listing the
    valid ones."""
    try:
        return negotiate(
            request.query_params.getlist(FORMAT_PARAM), request.headers.get("accept"), offered
        )
    except UnknownFormatError as exc:
        raise InvalidParameterError(
            str(exc), parameter=FORMAT_PARAM, invalid=[exc.requested], allowed=exc.offered
        ) from None


def accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, q = part.strip().partition(";q=")
        if coding.strip().lower() == "gzip":
            try:
                return float(q or 1) > 0
            except ValueError:
                return False
    return False


def respond(
    request: Request, entry: Rendered, cache_state: str, snapshot: Snapshot, max_age: int
) -> Response:
    """The HTTP answer for a rendered entry: 304 when the client has it, gzipped when welcome."""
    headers = {
        "X-Cache": cache_state,
        "X-Snapshot-ID": snapshot.snapshot_id,
        "ETag": entry.etag,
        "Cache-Control": f"private, max-age={max_age}",
        "Vary": VARY,
    }
    matches = request.headers.get("if-none-match", "")
    if entry.etag in (tag.strip() for tag in matches.split(",")):
        return Response(status_code=304, headers=headers)
    headers.update(entry.headers)
    body = entry.body
    if (
        len(body) >= GZIP_MIN_BYTES
        and entry.media_type not in _COMPRESSED
        and accepts_gzip(request)
    ):
        body = entry.gzipped()
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=entry.media_type, headers=headers)


def representation_headers(answer: Answer, representation: Representation) -> dict[str, str]:
    """What a one-table representation says about the rest: its rows (a paged list's total), its
    neighbouring pages and the answer's other tables, as `X-Total-Count` and `Link`."""
    total = answer.count if answer.links is not None else len(answer.chosen().rows)
    headers = {"X-Total-Count": str(total)}
    links = []
    for rel in ("next", "prev"):
        target = (answer.links or {}).get(rel)
        if target is not None:
            links.append(f'<{_with_format(target, representation)}>; rel="{rel}"')
    chosen = answer.chosen().name
    base = answer.urls.get(representation)
    if base is not None and len(answer.tables) > 1:
        links += [
            f'<{base}&table={t.name}>; rel="alternate"; title="{t.name}"'
            for t in answer.tables
            if t.name != chosen
        ]
    if links:
        headers["Link"] = ", ".join(links)
    if len(answer.tables) > 1:
        headers["X-Table"] = chosen
    return headers


def _with_format(url: str, representation: Representation) -> str:
    if representation is Representation.JSON:
        return url
    return f"{url}{'&' if '?' in url else '?'}{FORMAT_PARAM}={representation.value}"


def request_urls(request: Request, offered: Sequence[Representation]) -> dict[Representation, str]:
    """This request (path and query, host-free so cached bodies hold for any host) in each
    offered representation."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != FORMAT_PARAM]
    urls = {}
    for rep in offered:
        query = "&".join(f"{k}={v}" for k, v in [*params, (FORMAT_PARAM, rep.value)])
        urls[rep] = f"{request.scope['path']}?{query}"
    return urls


def paging_links(request: Request, limit: int, offset: int, total: int) -> dict[str, str | None]:
    """self, next and prev of a page (path and query)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]

    def page(at: int) -> str:
        query = "&".join(f"{k}={v}" for k, v in [*params, ("offset", str(at))])
        return f"{request.scope['path']}?{query}"

    return {
        "self": page(offset),
        "next": page(offset + limit) if offset + limit < total else None,
        "prev": page(max(offset - limit, 0)) if offset > 0 else None,
    }


@dataclass(frozen=True)
class Ctx:
    """One request's view: its leased snapshot, caller, the scopes of its route and the cache."""

    request: Request
    snapshot: Snapshot
    principal: Principal
    scopes: frozenset[Scope]
    cache: ResponseCache
    max_age: int

    async def answer(
        self, build: Callable[[], Answer], offered: Sequence[Representation]
    ) -> Response:
        """Serve the representation the request asks for: from the cache, else `build` the
        answer and render it (off the event loop, with everything else that blocks)."""
        representation = representation_of(self.request, offered)
        key = cache_key(self.request, self.snapshot.snapshot_id, self.principal.pii, representation)
        entry: Rendered | None = self.cache.get(key)
        state = HIT if entry is not None else MISS
        if entry is None:
            entry = await run_in_threadpool(self._render, key, build, representation)
            self.cache.put(key, entry)
        self.request.state.cache = state
        return respond(self.request, entry, state, self.snapshot, self.max_age)

    def _render(
        self, key: tuple[Any, ...], build: Callable[[], Answer], representation: Representation
    ) -> Rendered:
        answer = build()
        route = self.request.scope["route"]
        assert isinstance(route, APIRoute)
        headers = (
            {}
            if representation in (Representation.JSON, Representation.HTML)
            else representation_headers(answer, representation)
        )
        return Rendered(
            render(answer, representation),
            MEDIA_TYPES[representation],
            etag_of(key),
            route,
            self.scopes,
            headers,
        )
