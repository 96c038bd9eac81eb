"""The HTML report: a self-contained page (inline CSS and SVG, no scripts) with the title,
description, formula, chart, data, snapshot and parameters of one answer, linking its other
representations."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from c360_api.render.answer import Answer
from c360_api.render.charts import chart_spec
from c360_api.render.images import svg
from c360_api.render.json_body import table_data


@dataclass(frozen=True)
class _Section:
    name: str
    columns: list[str]
    rows: list[dict[str, Any]]
    svg: str | None


def number(value: Any) -> Any:
    """A cell as a reader wants it: thousands separated, at least two decimals, at most four."""
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
    sections = []
    for table in answer.tables:
        data = table_data(table)
        rows = [data] if table.single else data
        picture = (
            svg(chart_spec(table.chart, rows, answer.title, answer.params))
            if table.chart is not None
            else None
        )
        sections.append(_Section(table.name, list(table.row.model_fields), rows, picture))
    page = _environment().get_template("report.html").render(answer=answer, tables=sections)
    return page.encode()
