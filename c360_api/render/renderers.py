"""One renderer per representation: `render(answer, representation)` is the only entry."""

from __future__ import annotations

import json
from collections.abc import Callable

from c360_api.render.answer import Answer
from c360_api.render.charts import no_chart_text, no_data_spec, table_spec
from c360_api.render.csv_body import render_csv
from c360_api.render.images import png
from c360_api.render.json_body import render_json
from c360_api.render.negotiate import Representation
from c360_api.render.report import render_html


def vega_spec(answer: Answer) -> dict[str, object]:
    """The chosen table's Vega-Lite spec with its data inlined."""
    table = answer.chosen()
    spec = table_spec(answer, table)
    return no_data_spec(answer.title, no_chart_text(table.name)) if spec is None else spec


def _png(answer: Answer) -> bytes:
    return png(vega_spec(answer))


def _vega(answer: Answer) -> bytes:
    return json.dumps(vega_spec(answer), separators=(",", ":")).encode()


RENDERERS: dict[Representation, Callable[[Answer], bytes]] = {
    Representation.JSON: render_json,
    Representation.CSV: render_csv,
    Representation.PNG: _png,
    Representation.HTML: render_html,
    Representation.VEGA: _vega,
}


def render(answer: Answer, representation: Representation) -> bytes:
    return RENDERERS[representation](answer)
