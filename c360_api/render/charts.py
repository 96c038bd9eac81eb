"""A catalogue chart declaration plus rows -> one Vega-Lite spec, built with Altair.

The same spec is the `vega` representation, the source of the PNG and of the HTML report's SVG,
and what the dashboard draws, so every picture of a metric is the same picture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from c360_contract.catalog import Chart, Row

if TYPE_CHECKING:
    from types import ModuleType

WIDTH, HEIGHT = 640, 320
# A heatmap row at least this tall, so its axis labels (about 11 px of text) never overlap: a
# cohort heatmap over three years has 36 rows.
ROW_STEP = 14
NO_DATA = "No data for this selection"


def _altair() -> ModuleType:
    """Altair, imported on first use: its import costs about a second of the API's start, so the
    app warms it in the background (`images.warm_in_background`) instead."""
    import altair

    return altair


def _field_type(encoded: str) -> tuple[str, str]:
    name, _, kind = encoded.partition(":")
    return name, kind or "Q"


def y_field(chart: Chart, params: Mapping[str, Any]) -> str:
    """The y encoding: the declared one, or the measure the request chose."""
    if chart.measure is None or params.get(chart.measure) is None:
        return chart.y
    _, kind = _field_type(chart.y)
    return f"{params[chart.measure]}:{kind}"


def no_data_spec(title: str) -> dict[str, Any]:
    """A valid chart that says there is nothing to draw."""
    alt = _altair()
    chart = (
        alt.Chart(alt.InlineData(values=[{"text": NO_DATA}]), title=title)
        .mark_text(size=18, color="#666")
        .encode(text="text:N")
        .properties(width=WIDTH, height=HEIGHT)
    )
    return _inline(chart.to_dict())


def chart_spec(
    chart: Chart, rows: Sequence[Row], title: str, params: Mapping[str, Any]
) -> dict[str, Any]:
    """The Vega-Lite spec of `chart` over `rows` (JSON-ready values), data inlined."""
    if not rows:
        return no_data_spec(title)
    alt = _altair()
    y = y_field(chart, params)
    # sort=None keeps the rows' order (the query's ORDER BY) on ordinal and nominal axes.
    encoding: dict[str, Any] = {"x": alt.X(chart.x, sort=None), "y": alt.Y(y, sort=None)}
    if chart.mark == "rect" and chart.color is not None:
        encoding["color"] = alt.Color(chart.color, scale=alt.Scale(scheme="blues"))
    elif chart.color is not None:
        encoding["color"] = alt.Color(chart.color, sort=None)
    if chart.offset is not None:
        encoding["xOffset"] = alt.XOffset(chart.offset, sort=None)
    fields = chart.tooltip or tuple(e for e in (chart.x, y, chart.color) if e is not None)
    encoding["tooltip"] = [alt.Tooltip(f) for f in fields]
    base = alt.Chart(alt.InlineData(values=list(rows)), title=chart.title or title)
    if chart.fold:
        base = base.transform_fold(list(chart.fold), as_=["measure", "value"])
    mark = getattr(base, f"mark_{chart.mark}")()
    height = HEIGHT
    if chart.mark == "rect":
        name, _ = _field_type(y)
        height = max(HEIGHT, ROW_STEP * len({row.get(name) for row in rows}))
    # A narrow chart (a phone's) drops the labels that would overlap, not the rest of the axis.
    spec: dict[str, Any] = (
        mark.encode(**encoding)
        .properties(width=WIDTH, height=height)
        .configure_axis(labelOverlap="greedy")
        .to_dict()
    )
    return _inline(spec)


def _inline(spec: dict[str, Any]) -> dict[str, Any]:
    """`data.values` in place of Altair's named top-level `datasets`, so a consumer (the
    dashboard, a BI tool) finds the rows where Vega-Lite's own examples keep them."""
    name = spec.get("data", {}).get("name")
    datasets = spec.pop("datasets", {})
    if name in datasets:
        spec["data"] = {"values": datasets[name]}
    return spec
