"""Query parameters shared by routes, and the rules every declared parameter follows.

- Integers stop where the query stops: DuckDB binds LIMIT, OFFSET and integer comparisons as
  BIGINT, so a larger value was a conversion error (a 500); bounded here it is a 422.
- Floats are finite: `inf` or `nan` as a lower bound matched nothing, silently.
- A single-valued (scalar) query parameter given more than once is a 422 naming it. FastAPI reads
  the last value, and the cache keyed the repeated values sorted, so `?limit=8&limit=3` and
  `?limit=3&limit=8` shared one entry.
- A parameter the route does not declare is a 422 naming it: a misspelt filter (`?limt=5`) is not
  silently ignored, and junk parameters cannot fill the cache with copies of one answer.

Which parameters exist and which are scalar comes from the route's declared parameters (its
dependency tree), never from a list, so generated routes follow the rules too. The route's
dependency (`validate_query`) and the cached-answer fast path (which leaves such requests to the
route) ask the same function, `query_errors`.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import date
from enum import StrEnum
from functools import cache
from types import UnionType
from typing import Annotated, Any, NamedTuple, Union, get_args, get_origin

from fastapi import Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BeforeValidator

from c360_api.exceptions import invalid_parameters

SQL_BIGINT_MAX = 2**63 - 1
MAX_PAGE_SIZE = 1000

PageLimit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Rows per page.")]
PageOffset = Annotated[
    int, Query(ge=0, le=SQL_BIGINT_MAX, description="Matching rows to skip before the page.")
]


def finite_minimum(description: str, maximum: float | None = None) -> Any:
    """`Query` of an optional lower bound: at least 0, at most `maximum`, never inf or nan."""
    return Query(ge=0, le=maximum, allow_inf_nan=False, description=description)


def _is_sequence(annotation: Any) -> bool:
    """Whether FastAPI collects every value of a query parameter so annotated (a list, tuple or set,
    alone or in a union) rather than only the last."""
    origin = get_origin(annotation)
    if origin is Union or origin is UnionType:
        return any(_is_sequence(arg) for arg in get_args(annotation))
    cls = origin or annotation
    return (
        isinstance(cls, type)
        and issubclass(cls, Sequence | set | frozenset | deque)
        and not issubclass(cls, str | bytes)
    )


class DeclaredQuery(NamedTuple):
    """The query parameters a route declares (its own and its dependencies'), by kind."""

    names: frozenset[str]
    scalars: frozenset[str]


def _query_fields(dependant: Dependant) -> Iterator[tuple[str, Any]]:
    yield from ((field.alias, field.field_info.annotation) for field in dependant.query_params)
    for sub in dependant.dependencies:
        yield from _query_fields(sub)


# id(dependant) -> (dependant, its query): the dependant is kept so its id cannot be reused.
_DECLARED: dict[int, tuple[Dependant, DeclaredQuery]] = {}


def declared_query(route: APIRoute) -> DeclaredQuery:
    """What `route` declares, read from its dependency tree once per route."""
    dependant = route.dependant
    cached = _DECLARED.get(id(dependant))
    if cached is None or cached[0] is not dependant:
        fields = list(_query_fields(dependant))
        declared = DeclaredQuery(
            frozenset(name for name, _ in fields),
            frozenset(name for name, annotation in fields if not _is_sequence(annotation)),
        )
        cached = _DECLARED[id(dependant)] = (dependant, declared)
    return cached[1]


def query_errors(request: Request, route: APIRoute) -> list[dict[str, Any]]:
    """What is wrong with the request's query for `route`: parameters it does not declare, and
    scalar ones given more than once (one error each, as FastAPI's validation errors)."""
    declared = declared_query(route)
    names = [name for name, _ in request.query_params.multi_items()]
    unique = set(names)
    errors = [
        {
            "parameter": name,
            "location": "query",
            "message": "unknown parameter for this route",
            "allowed": sorted(declared.names),
        }
        for name in sorted(unique - declared.names)
    ]
    if len(names) != len(unique):
        errors += [
            {
                "parameter": name,
                "location": "query",
                "message": "takes one value; it was given more than once",
            }
            for name in sorted(declared.scalars)
            if names.count(name) > 1
        ]
    return errors


async def validate_query(request: Request) -> None:
    """Router dependency: 422 naming each undeclared parameter and each repeated scalar one."""
    route = request.scope["route"]
    assert isinstance(route, APIRoute)
    errors = query_errors(request, route)
    if errors:
        raise invalid_parameters(errors)


_ENUMS: dict[str, tuple[str, ...]] = {}


def _camel(text: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^0-9a-zA-Z]+", text) if part)


@cache
def enum_type(name: str, choices: tuple[str, ...], owner: str = "") -> type[StrEnum]:
    """A named enum of a parameter's choices (a generated client gets a class it can name).

    Enums are shared by name across routes (one `CustomerStatus`); a name already taken by other
    choices is qualified by `owner` (the route's id).
    """
    title = _camel(name)
    if _ENUMS.setdefault(title, choices) != choices:
        title = _camel(f"{owner}_{name}")
        _ENUMS[title] = choices
    members = [(re.sub(r"\W+", "_", c).strip("_").upper() or "EMPTY", c) for c in choices]
    return StrEnum(title, members)  # type: ignore[return-value]


def value_of(choice: Any) -> str:
    """A parameter value as its plain string (an enum member's value)."""
    return str(getattr(choice, "value", choice))


def _iso_date(value: Any) -> Any:
    """Only `YYYY-MM-DD`: pydantic's lax mode would read `0` or `1700000000` as a Unix time."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
