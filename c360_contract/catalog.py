"""The metric catalogue's types: what one declaration of a metric holds.

A metric is declared once (`c360_api/catalog/<area>.py`) and everything else derives from that
declaration: its route and OpenAPI operation, its parameters and their bounds, its cache key, its
JSON, CSV, PNG, HTML and Vega-Lite representations, its entry in `GET /catalog`, its rows in
`docs/metrics.md` and its line in the API benchmark. Plain data (pydantic models for rows), so the
catalogue can be read by tools that never start the API.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from c360_contract.glossary import GLOSSARY
from c360_contract.scopes import Scope

ParamType = type[int] | type[float] | type[str] | type[date] | type[bool]
Row = dict[str, Any]

# Parameters every time-based metric takes: inclusive dates in the business timezone, or the
# last `days` days up to the snapshot's as-of date.
WINDOW_PARAMS: tuple[str, ...] = ("start", "end", "days")
MAX_WINDOW_DAYS = 3650
# The default window of a daily series (a row per day, or per day and method): a quarter shows the
# weekly pattern and the trend in a readable chart, where the whole history is thousands of rows.
DAILY_SERIES_DAYS = 90
PAGE_PARAMS: tuple[str, str] = ("limit", "offset")
_SQL_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


class RowModel(BaseModel):
    """Base of every response row: a field without its own description takes the glossary's."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        described = False
        for name, info in cls.model_fields.items():
            if info.description is None and name in GLOSSARY:
                info.description = GLOSSARY[name]
                described = True
        if described:
            cls.model_rebuild(force=True)


def example(**values: Any) -> ConfigDict:
    """Model config carrying one example row, shown by /docs and /redoc."""
    return ConfigDict(json_schema_extra={"examples": [values]})


@dataclass(frozen=True)
class Param:
    """One query parameter: its type, bounds or allowed values, default and meaning."""

    name: str
    type: ParamType
    description: str
    default: Any = None
    ge: float | None = None
    le: float | None = None
    choices: tuple[str, ...] | None = None
    repeat: bool = False

    @property
    def required(self) -> bool:
        return self.default is None and not self.repeat and self.name not in WINDOW_PARAMS


@dataclass(frozen=True)
class Top:
    """Chart only an answer's first `rows` rows, in the query's order, which `by` names for the
    subtitle ("Top 25 of 436 by fewest days of cover"). Hundreds of bars are unreadable, and each
    axis label costs the renderer milliseconds; the data (JSON, CSV, the Vega-Lite spec's values)
    keeps every row. 25 bars still read at the chart's width with labels turned."""

    by: str
    rows: int = 25


@dataclass(frozen=True)
class Chart:
    """A chart as Vega-Lite marks and encodings; fields are row-model fields with a Vega-Lite type
    suffix (`month:O`, `revenue:Q`). A `rect` mark with `color` is a heatmap.

    `measure` names a parameter whose value picks the y field (for example orders or revenue), so
    one metric charts any of its measures. `fold` turns those columns of a one-row answer into bars
    (x is then `measure:N`, y `value:Q`). `offset` puts bars of one x side by side by that field
    (grouped, not stacked: for series that must not add up, such as actual and predicted). `top`
    charts only the leading rows of a long ranked list. `dash` splits a line chart's series by
    a second field drawn as solid and dashed lines (each category's orders and units).

    `title` replaces the metric's title on the chart; with a `measure` it must name it as
    `{measure}`, so a chart of revenue is never titled "Orders by ...". `y_title` is the y axis's
    title where the field's name says nothing: a fold's values are all `value`, so a fold needs
    one.
    """

    mark: Literal["bar", "line", "area", "point", "rect", "arc"]
    x: str
    y: str
    color: str | None = None
    measure: str | None = None
    fold: tuple[str, ...] = ()
    tooltip: tuple[str, ...] = ()
    title: str | None = None
    offset: str | None = None
    top: Top | None = None
    dash: str | None = None
    y_title: str | None = None

    def __post_init__(self) -> None:
        if self.measure is not None and "{measure}" not in (self.title or ""):
            raise ValueError(f"a chart by {self.measure} needs a title naming {{measure}}")
        if self.fold and self.y_title is None:
            raise ValueError(f"a fold of {', '.join(self.fold)} needs a y_title")


@dataclass(frozen=True)
class Sql:
    """DuckDB SQL over the snapshot's tables, with `$name` parameters bound from the request."""

    text: str

    @property
    def parameters(self) -> frozenset[str]:
        return frozenset(_SQL_PARAM.findall(self.text))


@dataclass(frozen=True)
class Mart:
    """A table the pipeline built (for aggregates that are expensive and fixed), in `order`."""

    table: str
    order: str


@dataclass(frozen=True)
class Rows:
    """What a query produced; `total` is every matching row of a paged list."""

    rows: list[Row]
    total: int | None = None


# A query written in Python over the snapshot, for the rare answer SQL alone cannot shape.
QueryFn = Callable[[Any, Mapping[str, Any]], Rows]
Query = Sql | Mart | QueryFn


@dataclass(frozen=True)
class Table:
    """One table of an answer: its rows' model, the query that produces them and its chart.

    `time_of_day`: the rows are by the hour orders were placed. A file of dates alone puts every
    order at 00:00, so over such a snapshot the chart would be one false spike at midnight: it
    says so instead, and the dashboard leaves it out (the rows are still answered)."""

    name: str
    row: type[BaseModel]
    query: Query
    chart: Chart | None = None
    time_of_day: bool = False


@dataclass(frozen=True)
class Page:
    """Paged lists take `limit` (1..`max_limit`) and `offset`; the answer's count is the total."""

    default_limit: int = 100
    max_limit: int = 1000


@dataclass(frozen=True)
class Metric:
    """Everything about one metric, in one place.

    The answer's message is `message` formatted with the one row `note` returns (a figure the
    tables do not show, such as a median, or a model's verdict), else the title.
    """

    id: str
    path: str
    area: str
    scope: Scope | frozenset[Scope]
    title: str
    description: str
    formula: str
    tables: tuple[Table, ...]
    params: tuple[Param, ...] = ()
    window: bool = False
    default_days: int | None = None
    """A windowed metric whose natural window is recent (trending products): without `start`,
    `end` or `days`, the last this many days up to as-of instead of the whole snapshot."""
    page: Page | None = None
    aliases: tuple[str, ...] = ()
    requires: frozenset[str] = frozenset()
    message: str | None = None
    note: Sql | QueryFn | None = None

    @property
    def scopes(self) -> frozenset[Scope]:
        """The scopes any one of which opens the metric."""
        return self.scope if isinstance(self.scope, frozenset) else frozenset({self.scope})

    @property
    def operation_id(self) -> str:
        return f"get_{self.id}"

    @property
    def multi_table(self) -> bool:
        return len(self.tables) > 1

    def table(self, name: str | None) -> Table:
        """The named table (the first when `name` is None)."""
        if name is None:
            return self.tables[0]
        return next(t for t in self.tables if t.name == name)
