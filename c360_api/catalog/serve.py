"""A catalogue metric's answer for one request: bind, run, describe, then hand it to the context.

A metric whose inputs this snapshot lacks (an upload without app sessions, say) answers 422 naming
the missing input, before any query runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from fastapi import Response

from c360_api.api.answers import Ctx, paging_links, request_urls
from c360_api.catalog.execute import bind, needed_relations, run_metric, withheld
from c360_api.exceptions import InvalidParameterError
from c360_api.render.answer import Answer, AnswerTable
from c360_api.render.negotiate import ALL_REPRESENTATIONS
from c360_contract.catalog import Metric
from c360_contract.uploads import has_times_of_day

# Values the framework adds for queries; not the caller's parameters.
_INTERNAL = frozenset({"as_of", "pii"})


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Request values with enums as their values (queries and reports see plain strings)."""
    return {k: v.value if isinstance(v, Enum) else v for k, v in values.items()}


def metric_answer(ctx: Ctx, metric: Metric, raw: Mapping[str, Any]) -> Answer:
    snapshot = ctx.snapshot
    missing = sorted(needed_relations(metric) - snapshot.relations)
    if missing:
        raise InvalidParameterError(
            f"{metric.title} needs input this snapshot does not have: {', '.join(missing)}",
            missing_inputs=missing,
        )
    values = _plain(raw)
    bound = bind(metric, values, snapshot.first_date, snapshot.as_of)
    result = run_metric(metric, snapshot, {**bound, "pii": ctx.principal.pii})
    times = has_times_of_day(snapshot.manifest)
    tables = tuple(
        AnswerTable(
            t.table.name, t.table.row, t.rows, t.table.chart, withheld=withheld(t.table, times)
        )
        for t in result.tables
    )
    message = result.message
    links = None
    if metric.page is not None:
        shown = len(result.tables[0].rows)
        message = f"{metric.title}: {shown} of {result.count}"
        links = paging_links(ctx.request, bound["limit"], bound["offset"], result.count)
    return Answer(
        title=metric.title,
        description=metric.description,
        message=message,
        tables=tables,
        count=result.count,
        snapshot_id=snapshot.snapshot_id,
        as_of=snapshot.as_of,
        formula=metric.formula,
        params={k: v for k, v in bound.items() if k not in _INTERNAL},
        table=values.get("table"),
        urls=request_urls(ctx.request, ALL_REPRESENTATIONS),
        links=links,
    )


async def serve_metric(ctx: Ctx, metric: Metric, values: Mapping[str, Any]) -> Response:
    return await ctx.answer(lambda: metric_answer(ctx, metric, values), ALL_REPRESENTATIONS)
