"""Running a catalogue metric over one snapshot: bind the request's parameters, run each table's
query, and hand the rows to the render layer.

Binding resolves the time window (`start`/`end`, inclusive business-local dates, or `days`, the
last N days up to the as-of date; the whole snapshot by default) and refuses a window that ends
after the snapshot's as-of or starts after it ends, and `days` given with `start` or `end`, so
every query sees complete, valid parameters (`start` and `end`, whichever way they were given).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from c360_api.exceptions import InvalidParameterError
from c360_contract.catalog import Mart, Metric, Row, Rows, Sql, Table


class SnapshotReader(Protocol):
    """What a metric needs of a snapshot (the retailer's own or a workspace's)."""

    snapshot_id: str
    as_of: date

    @property
    def first_date(self) -> date: ...

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[Row]: ...


@dataclass(frozen=True)
class TableRows:
    table: Table
    rows: list[Row]


@dataclass(frozen=True)
class MetricRows:
    """Each table's rows, the answer's count (a paged list's total matching rows) and message."""

    tables: tuple[TableRows, ...]
    count: int
    message: str


# The earliest window start: a month series from any earlier date holds only empty months yet costs
# a bucket each (year 11 made ~24,000 and a minute's query); no business data predates it.
EARLIEST_START = date(1970, 1, 1)


def bind(metric: Metric, raw: Mapping[str, Any], first_date: date, as_of: date) -> dict[str, Any]:
    """Every parameter's value, defaults filled in and the window resolved and checked."""
    values = {p.name: raw.get(p.name, p.default) for p in metric.params}
    if metric.page is not None:
        values["limit"] = raw.get("limit", metric.page.default_limit)
        values["offset"] = raw.get("offset", 0)
    if metric.window:
        days: int | None = raw.get("days")
        if days is None and raw.get("start") is None and raw.get("end") is None:
            days = metric.default_days
        if days is not None:
            given = [name for name in ("start", "end") if raw.get(name) is not None]
            if given:
                raise InvalidParameterError(
                    f"days cannot be combined with {' or '.join(given)}: it is the window "
                    "ending on the as-of date",
                    parameter="days",
                    conflicts_with=given,
                )
            start_of_days = as_of - timedelta(days=days - 1)
            values.update(start=start_of_days, end=as_of, as_of=as_of, days=days)
            return values
        end: date = raw.get("end") or as_of
        # A window that ends before the first order is valid (and empty), not a conflict.
        start: date = raw.get("start") or min(first_date, end)
        for name, value in (("start", start), ("end", end)):
            if value > as_of:
                raise InvalidParameterError(
                    f"{name} {value} is after the snapshot's as-of date {as_of}",
                    parameter=name,
                    as_of=as_of.isoformat(),
                )
        if start < EARLIEST_START:
            raise InvalidParameterError(
                f"start {start} is before {EARLIEST_START}, the earliest window start",
                parameter="start",
                earliest=EARLIEST_START.isoformat(),
            )
        if start > end:
            raise InvalidParameterError(
                f"start {start} is after end {end}", parameter="start", end=end.isoformat()
            )
        values.update(start=start, end=end, as_of=as_of, days=(end - start).days + 1)
    return values


_RELATION = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)\b(?!\s*\()", re.IGNORECASE)
_CTE = re.compile(r"(?:\bWITH|,)\s*([a-z_][a-z0-9_]*)\s+AS\s*(?:MATERIALIZED\s*)?\(", re.IGNORECASE)


def sql_relations(sql: str) -> frozenset[str]:
    """The tables and views `sql` reads (its own CTEs and table functions excluded)."""
    return frozenset(_RELATION.findall(sql)) - frozenset(_CTE.findall(sql))


def needed_relations(metric: Metric) -> frozenset[str]:
    """Every table a metric's queries read, plus what it declares it needs."""
    needed = set(metric.requires)
    for table in metric.tables:
        if isinstance(table.query, Sql):
            needed |= sql_relations(table.query.text)
        elif isinstance(table.query, Mart):
            needed.add(table.query.table)
    if isinstance(metric.note, Sql):
        needed |= sql_relations(metric.note.text)
    return frozenset(needed)


DATES_ONLY = "This file has dates only, no time of day"
"""What a chart by hour of day says over an upload of dates alone, instead of a spike at 0."""


def withheld(table: Table, times_of_day: bool) -> str | None:
    """Why `table`'s chart would mislead over a snapshot with or without `times_of_day` (None:
    it draws). The answer and the dashboard both ask, so the rule is one."""
    return DATES_ONLY if table.time_of_day and not times_of_day else None


def _sql_rows(snapshot: SnapshotReader, sql: Sql, values: Mapping[str, Any], paged: bool) -> Rows:
    params = {name: values[name] for name in sql.parameters}
    if not paged:
        return Rows(snapshot.rows(sql.text, params))
    total = snapshot.rows(f"SELECT count(*) AS n FROM ({sql.text})", params)[0]["n"]
    page = snapshot.rows(
        f"SELECT * FROM ({sql.text}) LIMIT $limit OFFSET $offset",
        {**params, "limit": values["limit"], "offset": values["offset"]},
    )
    return Rows(page, int(total))


def _table_rows(
    snapshot: SnapshotReader, table: Table, values: Mapping[str, Any], paged: bool
) -> Rows:
    query = table.query
    if isinstance(query, Sql):
        return _sql_rows(snapshot, query, values, paged)
    if isinstance(query, Mart):
        columns = ", ".join(f'"{c}"' for c in table.row.model_fields)
        return Rows(
            snapshot.rows(f"SELECT {columns} FROM {query.table} ORDER BY {query.order}", {})
        )
    return query(snapshot, values)


def _message(metric: Metric, snapshot: SnapshotReader, values: Mapping[str, Any]) -> str:
    if metric.message is None or metric.note is None:
        return metric.message or metric.title
    note = metric.note
    rows = (
        _sql_rows(snapshot, note, values, paged=False)
        if isinstance(note, Sql)
        else note(snapshot, values)
    ).rows
    if not rows:
        return metric.title
    return metric.message.format(**{k: "n/a" if v is None else v for k, v in rows[0].items()})


def run_metric(metric: Metric, snapshot: SnapshotReader, values: Mapping[str, Any]) -> MetricRows:
    """Each table's rows; the count is the first table's total (paged) or its length."""
    results = [_table_rows(snapshot, t, values, metric.page is not None) for t in metric.tables]
    first = results[0]
    count = first.total if first.total is not None else len(first.rows)
    return MetricRows(
        tuple(TableRows(t, r.rows) for t, r in zip(metric.tables, results, strict=True)),
        count,
        _message(metric, snapshot, values),
    )
