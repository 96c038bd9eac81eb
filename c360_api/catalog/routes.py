"""Routes generated from the catalogue: one GET operation per metric and no hand-written handler.

Each metric's parameters become typed, bounded, described query parameters (choices become real
enums a generated client can name), every metric gets the window, paging, `table` and `format`
parameters it needs, and the operation is named `get_<metric id>`. The same builder serves the
retailer's snapshot at the root and, with another context dependency, a workspace's snapshot.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from c360_api.api.answers import FORMAT_PARAM, Ctx
from c360_api.api.params import SQL_BIGINT_MAX, IsoDate, enum_type
from c360_api.catalog.execute import EARLIEST_START
from c360_api.catalog.openapi import METRIC_ERRORS, metric_responses, response_model
from c360_api.catalog.serve import serve_metric
from c360_api.exceptions import C360Error
from c360_api.render.negotiate import Representation
from c360_contract.catalog import MAX_WINDOW_DAYS, Metric, Param
from c360_contract.scopes import Scope

TABLE_PARAM = "table"
WINDOW = (
    Param("start", date, "First day of the window (inclusive, business timezone), from "
          f"{EARLIEST_START} on. Default: the snapshot's first order day (with `end` given)."),
    Param("end", date, "Last day of the window (inclusive, business timezone). Default: the "
          "snapshot's as-of date; a later date is refused."),
    Param("days", int, "The window as the last `days` days up to the snapshot's as-of date "
          "(as-of included). Not with `start` or `end`.", ge=1, le=MAX_WINDOW_DAYS),
)  # fmt: skip


def window_params(metric: Metric) -> tuple[Param, ...]:
    """The window parameters, saying so where the metric's default is its last days."""
    if not metric.window:
        return ()
    if metric.default_days is None:
        return WINDOW
    recent = f"With none of `start`, `end` and `days`, the last {metric.default_days} days."
    return tuple(replace(p, description=f"{p.description} {recent}") for p in WINDOW)


def page_params(metric: Metric) -> tuple[Param, ...]:
    if metric.page is None:
        return ()
    return (
        Param("limit", int, "Rows per page.", metric.page.default_limit, 1, metric.page.max_limit),
        Param("offset", int, "Matching rows to skip before the page.", 0, 0, SQL_BIGINT_MAX),
    )


def all_params(metric: Metric) -> tuple[Param, ...]:
    """Every query parameter of the metric's operation, `format` last."""
    tables = (
        (
            Param(
                TABLE_PARAM,
                str,
                "Which table CSV, PNG and Vega-Lite render (JSON and HTML carry every table).",
                metric.tables[0].name,
                choices=tuple(t.name for t in metric.tables),
            ),
        )
        if metric.multi_table
        else ()
    )
    formats = Param(
        FORMAT_PARAM,
        str,
        "Representation; the Accept header also selects it. One of: "
        + ", ".join(r.value for r in Representation)
        + ".",
        choices=tuple(r.value for r in Representation),
    )
    return (*metric.params, *window_params(metric), *page_params(metric), *tables, formats)


def _annotation(param: Param, owner: str) -> Any:
    base: Any = enum_type(param.name, param.choices, owner) if param.choices else param.type
    if param.type is date:
        base = IsoDate
    query: dict[str, Any] = {"description": param.description}
    if param.type is int:
        query["ge"] = -SQL_BIGINT_MAX - 1 if param.ge is None else param.ge
        query["le"] = SQL_BIGINT_MAX if param.le is None else param.le
    elif param.type is float:
        query.update(ge=param.ge, le=param.le, allow_inf_nan=False)
    if param.repeat:
        return Annotated[list[base] | None, Query(**query)]
    if param.default is None:
        return Annotated[base | None, Query(**query)]
    return Annotated[base, Query(**query)]


def _default(param: Param) -> Any:
    if param.repeat or param.default is None:
        return None
    return param.default


def endpoint_for(metric: Metric, context: Any, leading: Sequence[inspect.Parameter] = ()) -> Any:
    """The handler of `metric`: its signature declares the context dependency (auth, snapshot)
    and every query parameter; its body hands the values to the context."""

    async def endpoint(ctx: Ctx, **values: Any) -> Any:
        return await serve_metric(ctx, metric, values)

    parameters = [
        *leading,
        inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=context),
        *(
            inspect.Parameter(
                p.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=_default(p),
                annotation=_annotation(p, metric.id),
            )
            for p in all_params(metric)
        ),
    ]
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = metric.operation_id
    endpoint.__doc__ = metric.description
    return endpoint


def add_metric_routes(
    router: APIRouter,
    catalog: Sequence[Metric],
    context_for: Callable[[frozenset[Scope]], Any],
    prefix: str = "",
    guards: Sequence[Any] = (),
    leading: Sequence[inspect.Parameter] = (),
    operation_prefix: str = "",
    errors: Sequence[type[C360Error]] = METRIC_ERRORS,
) -> None:
    """One GET operation per metric under `prefix`, each behind `guards` (rate limit, strict
    parameters) and the context dependency of its scopes; `errors` are what its context answers.

    The routes go straight onto `router`, the app's own: FastAPI analyses a route's signature when
    it is added, and analyses the routes of an included router again, per inclusion, on the first
    request that reaches them (for the catalogue's routes, ~150 ms of the first metric request).
    """
    for metric in catalog:
        router.add_api_route(
            prefix + metric.path,
            endpoint_for(metric, context_for(metric.scopes), leading),
            methods=["GET"],
            name=f"{operation_prefix}{metric.id}",
            operation_id=f"{operation_prefix}{metric.operation_id}",
            dependencies=guards,
            summary=metric.title,
            description=f"{metric.description}\n\n**Formula.** {metric.formula}",
            tags=[metric.area],
            response_model=response_model(metric),
            responses=metric_responses(metric, errors),
        )
