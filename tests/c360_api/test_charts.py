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


def texts(spec: dict[str, Any], role: str) -> list[str]:
    return [str(item["text"]) for item in marks(spec, role)]


def test_axes_and_legends_read_as_words_not_column_names() -> None:
    chart = Chart("bar", "traffic_source:N", "conversion_rate_pct:Q", color="customer_id:N")
    rows = [
        {"traffic_source": "organic_search", "conversion_rate_pct": 4.5, "customer_id": "C_1"},
        {"traffic_source": "paid_search", "conversion_rate_pct": 3.0, "customer_id": "C_2"},
    ]
    spec = chart_spec(chart, rows, "Conversion", {})
    assert set(texts(spec, "axis-title")) == {"Traffic source", "Conversion rate (%)"}
    assert texts(spec, "legend-title") == ["Customer ID"]
    assert {"organic search", "paid search"} <= set(texts(spec, "axis-label"))
    assert texts(spec, "legend-label") == ["C_1", "C_2"]  # an identifier stays as written


def test_a_dashed_series_draws_one_line_per_colour_and_dash() -> None:
    chart = Chart("line", "day:T", "forecast:Q", color="category:N", dash="measure:N")
    rows = [
        {
            "day": f"2026-01-0{d}",
            "category": c,
            "measure": m,
            "forecast": d * (2 if m == "units" else 1),
        }
        for c in ("all", "toys")
        for m in ("orders", "units")
        for d in range(1, 8)
    ]
    spec = chart_spec(chart, rows, "Demand forecast", {})
    # A line per (category, measure), each one colour and one dash, not one zigzag per colour.
    lines = {(i["stroke"], tuple(i["strokeDash"])) for i in marks(spec, "mark")}
    assert len(lines) == 4
    assert len({stroke for stroke, _ in lines}) == 2
    # A week of days ticks once a day, labelled by date (not "12 PM").
    labels = [t for t in texts(spec, "axis-label") if t.startswith("Jan")]
    assert labels == [f"Jan 0{d}" for d in range(1, 8)]


def test_a_series_over_more_than_a_month_keeps_vegas_own_time_ticks() -> None:
    chart = Chart("line", "day:T", "revenue:Q")
    rows = [{"day": f"2026-{m:02d}-{d:02d}", "revenue": d} for m in (1, 2) for d in (1, 15, 28)]
    assert "axis" not in chart_spec(chart, rows, "Revenue", {})["encoding"]["x"]
    assert "axis" in chart_spec(chart, rows[:3], "Revenue", {})["encoding"]["x"]
