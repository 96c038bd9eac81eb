"""A catalogue chart declaration plus rows -> one Vega-Lite spec, built with Altair.

The same spec is the `vega` representation, the source of the PNG and of the HTML report's SVG,
and what the dashboard draws, so every picture of a metric is the same picture.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from c360_api.render.answer import Answer, AnswerTable
from c360_api.render.json_body import table_data
from c360_contract.catalog import Chart, Row, Top
from c360_contract.units import column_label

if TYPE_CHECKING:
    from types import ModuleType

WIDTH, HEIGHT = 640, 320
# A heatmap row at least this tall, so its axis labels (about 11 px of text) never overlap: a
# cohort heatmap over three years has 36 rows.
ROW_STEP = 14
NO_DATA = "No data for this selection"
# The field a `top` chart numbers the rows in (1 = the first row of the answer) to filter on.
RANK_FIELD = "chart_rank"
# Category values read as words on axes and legends (`organic_search` as "organic search"); an
# identifier is shown as it is written.
WORDS_LABEL = "replace(datum.label, /_/g, ' ')"
# A time axis spanning at most this many days ticks once a day, labelled by date (Vega's default
# would tick every 12 hours of a week-long daily forecast).
DAILY_TICKS = 31
# Pixels kept between two axis labels.
LABEL_GAP = 4
# Width of an average character of Vega's axis labels (10 px sans-serif): category labels that
# fit their slot on the x axis at this width are written level. Longer ones keep Vega-Lite's
# quarter turn: at 45 degrees their boxes overlap and the axis drops every other label.
LABEL_CHAR_PX = 6


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


def chart_heading(chart: Chart, title: str, params: Mapping[str, Any]) -> str:
    """The chart's title: its own (naming the measure it plots), else the metric's `title`."""
    if chart.title is None:
        return title
    if chart.measure is None:
        return chart.title
    name, _ = _field_type(y_field(chart, params))
    return chart.title.format(measure=column_label(name))


def no_chart_text(table: str) -> str:
    """What the picture of a table declared without a chart says: its rows are elsewhere, not
    missing."""
    return f"The {table} table has no chart: see its JSON or CSV"


def no_data_spec(title: str, text: str = NO_DATA) -> dict[str, Any]:
    """A valid chart that says there is nothing to draw (by default: the answer is empty)."""
    alt = _altair()
    chart = (
        alt.Chart(alt.Data(name="rows"), title=title)
        .mark_text(size=18, color="#666")
        .encode(text="text:N")
        .properties(width=WIDTH, height=HEIGHT)
    )
    return _with_rows(chart.to_dict(), [{"text": text}])


def top_subtitle(top: Top, total: int, offset: int) -> str:
    """What a `top` chart shows of the answer: "Top 25 of 436 by units", or on a later page of a
    paged list "101-125 of 38,210 by total spent"."""
    if offset == 0:
        return f"Top {top.rows} of {total:,} by {top.by}"
    return f"{offset + 1:,}-{offset + top.rows:,} of {total:,} by {top.by}"


def chart_spec(
    chart: Chart,
    rows: Sequence[Row],
    title: str,
    params: Mapping[str, Any],
    total: int | None = None,
) -> dict[str, Any]:
    """The Vega-Lite spec of `chart` over `rows` (JSON-ready values), data inlined; `total` is
    the answer's count when `rows` are one page of it (a `top` chart's subtitle names it)."""
    heading: Any = chart_heading(chart, title, params)
    if not rows:
        return no_data_spec(heading)
    alt = _altair()
    top = chart.top if chart.top is not None and len(rows) > chart.top.rows else None
    if top is not None:
        offset = int(params.get("offset") or 0)
        heading = alt.Title(heading, subtitle=top_subtitle(top, total or len(rows), offset))
    y = y_field(chart, params)
    titles = {} if chart.y_title is None else {y: chart.y_title}

    def _title(encoded: str) -> str:
        """An axis, legend or tooltip title: the declared y title, else the field's name as
        words (`column_label`)."""
        return titles.get(encoded) or column_label(_field_type(encoded)[0])

    encoding: dict[str, Any]
    if chart.mark == "arc":  # a pie: y is each slice's angle, x its colour (x/y would be axes)
        encoding = {
            "theta": alt.Theta(y, title=_title(y)),
            "color": alt.Color(chart.x, sort=None, title=_title(chart.x), legend=_legend(chart.x)),
        }
    else:
        labels = _x_labels(chart, rows if top is None else rows[: top.rows])
        # sort=None keeps the rows' order (the query's ORDER BY) on ordinal and nominal axes.
        encoding = {
            "x": alt.X(
                chart.x, sort=None, title=_title(chart.x), axis=_axis(chart.x, rows, labels)
            ),
            "y": alt.Y(y, sort=None, title=_title(y), axis=_axis(y, rows)),
        }
    if chart.mark == "rect" and chart.color is not None:
        encoding["color"] = alt.Color(
            chart.color, scale=alt.Scale(scheme="blues"), title=_title(chart.color)
        )
    elif chart.color is not None:
        encoding["color"] = alt.Color(
            chart.color, sort=None, title=_title(chart.color), legend=_legend(chart.color)
        )
    if chart.dash is not None:
        encoding["strokeDash"] = alt.StrokeDash(
            chart.dash, sort=None, title=_title(chart.dash), legend=_legend(chart.dash)
        )
    if chart.offset is not None:
        encoding["xOffset"] = alt.XOffset(chart.offset, sort=None)
    fields = chart.tooltip or tuple(
        e for e in (chart.x, y, chart.color, chart.dash) if e is not None
    )
    encoding["tooltip"] = [alt.Tooltip(f, title=_title(f)) for f in fields]
    # Named data, the rows set after `to_dict`: Altair validates and hashes inline values, which
    # costs ~0.15 ms a row (0.7 s for a daily series by payment method).
    base = alt.Chart(alt.Data(name="rows"), title=heading)
    if top is not None:  # the window numbers rows in the data's (the query's) order
        base = base.transform_window(**{RANK_FIELD: "row_number()"}).transform_filter(
            f"datum.{RANK_FIELD} <= {top.rows}"
        )
    if chart.fold:
        base = base.transform_fold(list(chart.fold), as_=["measure", "value"])
    mark = getattr(base, f"mark_{chart.mark}")()
    height = HEIGHT
    if chart.mark == "rect":
        name, _ = _field_type(y)
        height = max(HEIGHT, ROW_STEP * len({row.get(name) for row in rows}))
    # A narrow chart (a phone's) drops the labels that would overlap or touch ("0.100.15"), not
    # the rest of the axis.
    spec: dict[str, Any] = (
        mark.encode(**encoding)
        .properties(width=WIDTH, height=height)
        .configure_axis(labelOverlap="greedy", labelSeparation=LABEL_GAP)
        .to_dict()
    )
    return _with_rows(spec, rows)


def table_spec(answer: Answer, table: AnswerTable) -> dict[str, Any] | None:
    """The picture of one table of an answer (the PNG's, the Vega-Lite's, the report's): its
    chart, a chart saying why it is withheld, or None for a table declared without a chart."""
    if table.chart is None:
        return None
    if table.withheld is not None:
        return no_data_spec(chart_heading(table.chart, answer.title, answer.params), table.withheld)
    data = table_data(table)
    rows = [data] if table.single else data
    return chart_spec(table.chart, rows, answer.title, answer.params, answer.total(table))


def _words(encoded: str) -> bool:
    """Whether the field's values are categories whose underscores read as spaces."""
    name, kind = _field_type(encoded)
    return kind in ("N", "O") and not name.endswith("_id")


def _x_labels(chart: Chart, rows: Sequence[Row]) -> list[str]:
    """The labels the x axis draws: a fold's column names, else the rows' distinct values."""
    name, _ = _field_type(chart.x)
    if chart.fold and name == "measure":
        return list(chart.fold)
    return list(dict.fromkeys(str(row.get(name)) for row in rows))


def _axis(encoded: str, rows: Sequence[Row], labels: Sequence[str] = ()) -> Any:
    """The axis of a field; `labels` (an x axis's) share its width, level when each fits its
    slot ("0-50", an hour; Vega-Lite turns every category label by default)."""
    alt = _altair()
    name, kind = _field_type(encoded)
    options: dict[str, Any] = {}
    if _words(encoded):
        options["labelExpr"] = WORDS_LABEL
    if kind == "T" and _days_spanned(row.get(name) for row in rows) <= DAILY_TICKS:
        options.update(format="%b %d", tickCount={"interval": "day", "step": 1})
    if labels and kind in ("N", "O"):
        widest = max(len(label) for label in labels) * LABEL_CHAR_PX
        if widest + LABEL_GAP <= WIDTH / len(labels):
            options["labelAngle"] = 0
    return alt.Axis(**options) if options else alt.Undefined


def _days_spanned(values: Iterable[Any]) -> int:
    """Days from the first to the last of ISO dates or timestamps (None and blanks skipped)."""
    days = [date.fromisoformat(str(v)[:10]) for v in values if v]
    return (max(days) - min(days)).days if days else 0


def _legend(encoded: str) -> Any:
    alt = _altair()
    return alt.Legend(labelExpr=WORDS_LABEL) if _words(encoded) else alt.Undefined


def _with_rows(spec: dict[str, Any], rows: Sequence[Row]) -> dict[str, Any]:
    """The rows as `data.values`, where a consumer (the dashboard, a BI tool) finds them in
    Vega-Lite's own examples."""
    spec["data"] = {"values": list(rows)}
    return spec
