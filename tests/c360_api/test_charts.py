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


def test_a_chart_by_measure_is_titled_by_the_measure_it_plots() -> None:
    chart = Chart("bar", "hour:O", "orders:Q", measure="measure", title="{measure} by hour of day")
    rows = [{"hour": h, "orders": h, "revenue": 10.0 * h} for h in range(24)]
    spec = chart_spec(chart, rows, "Orders by hour of day", {"measure": "revenue"})
    assert spec["title"] == "Revenue by hour of day"
    assert set(texts(spec, "axis-title")) == {"Hour", "Revenue"}
    plain = chart_spec(chart, rows, "Orders by hour of day", {"measure": "orders"})
    assert plain["title"] == "Orders by hour of day"


def test_a_chart_by_measure_or_a_fold_must_declare_its_titles() -> None:
    with pytest.raises(ValueError, match="measure"):
        Chart("bar", "hour:O", "orders:Q", measure="measure")
    with pytest.raises(ValueError, match="y_title"):
        Chart("bar", "month:O", "value:Q", fold=("new_customers", "returning_customers"))


def test_a_folded_value_axis_has_its_declared_title() -> None:
    chart = Chart(
        "bar",
        "month:O",
        "value:Q",
        fold=("new_customers", "returning_customers"),
        color="measure:N",
        y_title="Customers",
    )
    rows = [{"month": "2025-01", "new_customers": 3, "returning_customers": 5}]
    spec = chart_spec(chart, rows, "New vs returning customers", {})
    assert set(texts(spec, "axis-title")) == {"Month", "Customers"}
    assert {"title": "Customers", "field": "value", "type": "quantitative"} in spec["encoding"][
        "tooltip"
    ]


def angles(spec: dict[str, Any], labels: set[str]) -> set[float]:
    """The angles (degrees) the given axis labels are drawn at."""
    return {
        float(i.get("angle", 0)) % 360 for i in marks(spec, "axis-label") if i["text"] in labels
    }


def test_short_category_labels_are_level_and_long_ones_turned() -> None:
    bands = ["0-50", "50-100", "100-250", "250-500", "500-1000", "1000-2500", "2500+"]
    short = chart_spec(
        Chart("bar", "bucket:O", "revenue:Q"),
        [{"bucket": b, "revenue": i} for i, b in enumerate(bands)],
        "Value bands",
        {},
    )
    assert angles(short, set(bands)) == {0.0}
    names = [f"Daily Harvest Premium Snacks {i}" for i in range(10)]
    long = chart_spec(
        Chart("bar", "name:N", "units:Q"),
        [{"name": n, "units": i} for i, n in enumerate(names)],
        "Best sellers",
        {},
    )
    assert angles(long, set(names)) == {270.0}
    # A fold's labels are its column names, level when they fit.
    kpi = chart_spec(
        Chart("bar", "measure:N", "value:Q", fold=("orders", "customers"), y_title="Count"),
        [{"orders": 3, "customers": 2}],
        "KPI",
        {},
    )
    assert angles(kpi, {"orders", "customers"}) == {0.0}


def test_an_arc_is_a_pie_of_slices_not_circles_on_axes() -> None:
    chart = Chart("arc", "status:N", "orders:Q")
    rows = [{"status": "completed", "orders": 90}, {"status": "cancelled", "orders": 10}]
    spec = chart_spec(chart, rows, "Order status distribution", {})
    assert {"theta", "color"} <= set(spec["encoding"])
    assert "x" not in spec["encoding"]
    assert texts(spec, "axis-title") == []
    assert len(marks(spec, "mark")) == 2
