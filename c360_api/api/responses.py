"""The success envelope, CSV rendering and the cached reply every data route goes through.

Data routes validate and serialise their data once, when it enters the cache, with the route's own
response model; every answer (hit or miss) then splices those bytes into a fresh envelope. A hit
costs no validation and no serialisation, and FastAPI passes the finished `Response` through.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, Generic, TypeVar, cast

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool

from c360_api.core.cache import ResponseCache
from c360_api.core.config import Scope
from c360_api.core.security import Principal
from c360_api.exceptions import InvalidParameterError
from c360_api.store import Row, Snapshot

DataT = TypeVar("DataT")

# X-Cache values, also what the access log records.
HIT, MISS = "HIT", "MISS"
CSV_MEDIA_TYPE = "text/csv"
JSON_MEDIA_TYPE = "application/json"
LIST_SEPARATOR = "|"
# Parameters that choose the representation, not the data: never part of a cache key.
REPRESENTATION_PARAMS = frozenset({"format"})

CSV_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
        "description": "JSON envelope, or CSV (`?format=csv` or `Accept: text/csv`) with the row "
        "model's fields as columns; list values joined with `|`.",
    }
}


def example(**values: Any) -> ConfigDict:
    """Model config carrying one example, shown by /docs and /redoc."""
    return ConfigDict(json_schema_extra={"examples": [values]})


class Envelope(BaseModel, Generic[DataT]):
    """Every successful JSON answer."""

    success: bool = True
    message: str
    timestamp: datetime
    data: DataT
    count: int = Field(description="Rows in data, or the total matching rows for paged lists.")
    snapshot_id: str | None = Field(
        examples=["20251231T235959Z-1a2b3c4d"], description="Null only before the first publish."
    )
    as_of: date | None = Field(examples=["2025-12-31"])


@dataclass
class Result:
    """What a repository call produced: the data, its count, and the rows CSV renders (if tabular).

    `data_json` is `data` validated and serialised by the route's model, filled by the first JSON
    answer and reused by every cache hit after it. `route` and `scopes` are the route that cached it
    and the scopes guarding that route, which the cached-answer fast path checks before answering.
    """

    data: Any
    count: int
    table: list[Row] | None
    message: str
    data_json: bytes | None = None
    route: APIRoute | None = None
    scopes: frozenset[Scope] = frozenset()


def table_result(rows: list[Row], message: str, total: int | None = None) -> Result:
    return Result(rows, len(rows) if total is None else total, rows, message)


def envelope(data: Any, count: int, message: str, snapshot: Snapshot | None) -> dict[str, Any]:
    """The success envelope around `data`, stamped with the snapshot it was read from."""
    return {
        "success": True,
        "message": message,
        "timestamp": datetime.now(UTC),
        "data": data,
        "count": count,
        "snapshot_id": snapshot.snapshot_id if snapshot else None,
        "as_of": snapshot.as_of if snapshot else None,
    }


@cache
def _data_adapter(response_model: type[BaseModel]) -> TypeAdapter[Any]:
    """Validator/serialiser of the `data` field of a route's `Envelope[...]` response model."""
    annotation = response_model.model_fields["data"].annotation
    return TypeAdapter(cast(Any, annotation))


def envelope_json(data_json: bytes, count: int, message: str, snapshot: Snapshot) -> bytes:
    """The success envelope as JSON around already serialised `data` (same fields, same order and
    same encoding as `Envelope`)."""
    head = to_json({"success": True, "message": message, "timestamp": datetime.now(UTC)})
    tail = to_json({"count": count, "snapshot_id": snapshot.snapshot_id, "as_of": snapshot.as_of})
    return b"".join((head[:-1], b',"data":', data_json, b",", tail[1:]))


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def render_csv(rows: Sequence[Row], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return out.getvalue()


def cache_key(request: Request, snapshot_id: str, pii: bool) -> tuple[Any, ...]:
    """Route path, normalised data parameters (order-free), snapshot and the caller's pii right."""
    params: dict[str, list[str]] = {}
    for k, v in request.query_params.multi_items():
        if k not in REPRESENTATION_PARAMS:
            params.setdefault(k, []).append(v)
    normalised = tuple(sorted((k, tuple(sorted(v))) for k, v in params.items()))
    return (request.scope["path"], normalised, snapshot_id, pii)


def wants_csv(request: Request, fmt: str | None, tabular: bool) -> bool:
    """Whether to answer CSV: `format` decides, else the Accept header (tabular data only)."""
    if fmt == "csv":
        if not tabular:
            raise InvalidParameterError(
                "format=csv is only available on list endpoints", parameter="format"
            )
        return True
    if fmt == "json":
        return False
    return tabular and CSV_MEDIA_TYPE in request.headers.get("accept", "")


def _headers(cache_state: str, snapshot: Snapshot) -> dict[str, str]:
    return {"X-Cache": cache_state, "X-Snapshot-ID": snapshot.snapshot_id}


def json_answer(result: Result, snapshot: Snapshot, cache_state: str) -> Response:
    """A result's envelope around its serialised data, stamped now."""
    assert result.data_json is not None
    body = envelope_json(result.data_json, result.count, result.message, snapshot)
    return Response(body, media_type=JSON_MEDIA_TYPE, headers=_headers(cache_state, snapshot))


@dataclass(frozen=True)
class Ctx:
    """One request's view: its leased snapshot, caller, cache and requested representation."""

    request: Request
    snapshot: Snapshot
    principal: Principal
    scopes: frozenset[Scope]
    cache: ResponseCache
    fmt: str | None

    def _wants_csv(self, tabular: bool) -> bool:
        return wants_csv(self.request, self.fmt, tabular)

    async def mart(self, table: str, model: type[BaseModel], message: str) -> Response:
        """Reply with a whole mart, selecting exactly `model`'s fields."""
        columns = list(model.model_fields)
        return await self.reply(lambda s: table_result(s.mart(table, columns), message), model)

    async def reply(
        self, fetch: Callable[[Snapshot], Result], csv_model: type[BaseModel] | None
    ) -> Response:
        """Serve from cache or `fetch`, then answer the envelope (data validated by the route's
        response model) or CSV with `csv_model`'s fields as columns.

        A JSON cache hit is answered on the event loop: it only splices cached bytes into an
        envelope. Everything that blocks or costs CPU in proportion to the data (the DuckDB read,
        validation, CSV rendering) runs in the thread pool.
        """
        key = cache_key(self.request, self.snapshot.snapshot_id, self.principal.pii)
        result = self.cache.get(key)
        self.request.state.cache = HIT if result is not None else MISS
        tabular = csv_model is not None and (result is None or result.table is not None)
        if result is not None and result.data_json is not None and not self._wants_csv(tabular):
            return json_answer(result, self.snapshot, self.request.state.cache)
        return await run_in_threadpool(self._answer, key, result, fetch, csv_model)

    def _answer(
        self,
        key: tuple[Any, ...],
        result: Result | None,
        fetch: Callable[[Snapshot], Result],
        csv_model: type[BaseModel] | None,
    ) -> Response:
        route = self.request.scope["route"]
        assert isinstance(route, APIRoute)
        if result is None:
            result = fetch(self.snapshot)
            result.route, result.scopes = route, self.scopes
            self.cache.put(key, result)
        if self._wants_csv(csv_model is not None and result.table is not None):
            assert csv_model is not None
            assert result.table is not None
            return Response(
                render_csv(result.table, list(csv_model.model_fields)),
                media_type=CSV_MEDIA_TYPE,
                headers={
                    **_headers(self.request.state.cache, self.snapshot),
                    "X-Total-Count": str(result.count),
                },
            )
        if result.data_json is None:
            adapter = _data_adapter(route.response_model)
            result.data_json = adapter.dump_json(adapter.validate_python(result.data))
        return json_answer(result, self.snapshot, self.request.state.cache)
