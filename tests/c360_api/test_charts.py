"""The chart builder's `top` declaration: a long ranked list charts only its leading rows, says so,
and still carries every row as the spec's data. Checked on the scene graph Vega draws, not on the
spec's wording."""

from __future__ import annotations

from typing import Any

import pytest
import vl_convert as vlc

from c360_api.render.charts import chart_spec
from c360_contract.catalog import Chart, Top

CHART = Chart("bar", "name:N", "units:Q", color="category:N", top=Top("units", rows=5))


def ranked(n: int) -> list[dict[str, Any]]:
    return [{"name": f"p{i:02d}", "units": 100 - i, "category": "ab"[i % 2]} for i in range(n)]


def marks(spec: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """The items of every scene-graph node with this role (`mark`, `axis-label`, ...)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("role") == role:
                found.extend(node.get("items", []))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(vlc.vegalite_to_scenegraph(spec))
    return found


def x_labels(spec: dict[str, Any]) -> list[str]:
    """The x axis's labels, left to right (the y axis labels are numbers)."""
    labels = [i for i in marks(spec, "axis-label") if str(i["text"]).startswith("p")]
    return [str(i["text"]) for i in sorted(labels, key=lambda i: i["x"])]


def test_a_long_list_charts_its_first_rows_in_order_and_keeps_all_data() -> None:
    rows = ranked(12)
    spec = chart_spec(CHART, rows, "Best sellers", {})
    assert spec["data"]["values"] == rows
    assert spec["title"] == {"text": "Best sellers", "subtitle": "Top 5 of 12 by units"}
    assert len(marks(spec, "mark")) == 5
    assert x_labels(spec) == ["p00", "p01", "p02", "p03", "p04"]


@pytest.mark.parametrize(
    ("offset", "subtitle"),
    [(0, "Top 5 of 1,200 by units"), (100, "101-105 of 1,200 by units")],
)
def test_a_page_of_a_paged_list_names_its_place_in_the_total(offset: int, subtitle: str) -> None:
    spec = chart_spec(CHART, ranked(12), "Churn risk", {"offset": offset}, total=1200)
    assert spec["title"]["subtitle"] == subtitle


def test_a_short_list_is_charted_whole_without_a_subtitle() -> None:
    spec = chart_spec(CHART, ranked(5), "Best sellers", {})
    assert spec["title"] == "Best sellers"
    assert "transform" not in spec
    assert len(marks(spec, "mark")) == 5
