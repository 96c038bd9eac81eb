"""The HTML report: a self-contained page (inline CSS and SVG, no scripts) with the title,
description, formula, chart, data, snapshot and parameters of one answer, linking its other
representations.

A table with a `Grouping` is shown as one table per group under its own heading (the catalogue
by area); a column whose field is declared a URI reference (`json_schema_extra={"format":
"uri-reference"}`) is shown as links.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic.config import JsonDict

from c360_api.render.answer import Answer, AnswerTable
from c360_api.render.charts import table_spec
from c360_api.render.images import svg
from c360_api.render.json_body import table_data

URI_REFERENCE: JsonDict = {"format": "uri-reference"}


@dataclass(frozen=True)
class _Group:
    name: str | None
    note: str | None
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class _Section:
    name: str
    columns: list[str]
    links: frozenset[str]
    groups: list[_Group]
    svg: str | None

    @property
    def rows(self) -> int:
        return sum(len(g.rows) for g in self.groups)


def _groups(table: AnswerTable, rows: list[dict[str, Any]]) -> list[_Group]:
    grouping = table.grouping
    if grouping is None:
        return [_Group(None, None, rows)]
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(str(row[grouping.column]), []).append(row)
    return [_Group(name, grouping.notes.get(name), members) for name, members in found.items()]


def _section(answer: Answer, table: AnswerTable) -> _Section:
    data = table_data(table)
    rows = [data] if table.single else data
    spec = table_spec(answer, table)
    fields = table.row.model_fields
    hidden = None if table.grouping is None else table.grouping.column
    return _Section(
        table.name,
        [name for name in fields if name != hidden],
        frozenset(n for n, info in fields.items() if info.json_schema_extra == URI_REFERENCE),
        _groups(table, rows),
        None if spec is None else svg(spec),
    )


def number(value: Any) -> Any:
    """A cell as a reader wants it: thousands separated, at least two decimals, at most four; a
    list as its items separated by commas."""
    if isinstance(value, list | tuple):
        return ", ".join(str(number(item)) for item in value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    text = f"{value:,.4f}".rstrip("0")
    decimals = len(text.partition(".")[2])
    return text + "0" * (2 - decimals) if decimals < 2 else text


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("c360_api.render", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    env.filters["number"] = number
    return env


def render_html(answer: Answer) -> bytes:
    sections = [_section(answer, table) for table in answer.tables]
    page = _environment().get_template("report.html").render(answer=answer, tables=sections)
    return page.encode()
