"""The dashboard's layout resolved against a catalogue and a snapshot's tables: what is drawn,
what is skipped, and the URLs and tiles the page carries."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from c360_api.catalog.execute import needed_relations
from c360_api.catalog.registry import AREAS, BY_ID, CATALOG
from c360_api.render.negotiate import Representation
from c360_api.web.dashboard import panel_url, tile_fields
from c360_api.web.layout import DASHBOARD, Panel, PlacedPanel, Section, dashboard, tiles
from c360_contract.catalog import Chart, Metric, Sql, Table
from c360_contract.scopes import Scope


class Row(BaseModel):
    label: str
    value: float


def metric(id: str, area: str, sql: str = "SELECT 1 FROM t", **kwargs) -> Metric:
    chart = Chart("bar", "label:N", "value:Q")
    tables = kwargs.pop("tables", (Table("rows", Row, Sql(sql), chart),))
    return Metric(
        id=id,
        path=f"/{area}/{id}",
        area=area,
        scope=Scope.MARKETING,
        title=id.title(),
        description=f"{id} described.",
        formula="-",
        tables=tables,
        **kwargs,
    )


# The tables whose rows are by the hour orders were placed, restated from the catalogue's
# descriptions: a file of dates alone puts every order at hour 0.
BY_HOUR = {
    ("orders_by_hour", "rows"),
    ("orders_heatmap", "rows"),
    ("orders_peak_hours", "rows"),
    ("payments_hourly_patterns", "rows"),
    ("payments_failures", "rows"),
    ("recommendations_best_order_time", "rows"),
    ("recommendations_operations", "staffing"),
}


def needed(catalog: Sequence[Metric]) -> set[str]:
    """Every relation the catalogue reads: a snapshot that can answer all of it."""
    return set().union(*(needed_relations(m) for m in catalog))


def names(sections) -> list[tuple[str, list[str]]]:
    return [(s.title, [f"{p.metric.id}:{p.table}" for p in s.panels]) for s in sections]


class TestResolve:
    def test_panels_of_missing_metrics_and_empty_sections_are_left_out(self) -> None:
        catalog = [metric("a", "x"), metric("b", "x")]
        layout = (
            Section("One", (Panel("a"), Panel("gone"), Panel("b"))),
            Section("Empty", (Panel("gone"),)),
        )
        assert names(dashboard(catalog, {}, frozenset({"t"}), layout)) == [
            ("One", ["a:rows", "b:rows"])
        ]

    def test_a_metric_whose_inputs_the_snapshot_lacks_is_left_out(self) -> None:
        catalog = [metric("a", "x"), metric("s", "x", "SELECT 1 FROM sessions_daily")]
        layout = (Section("One", (Panel("a"), Panel("s"))),)
        assert names(dashboard(catalog, {}, frozenset({"t"}), layout)) == [("One", ["a:rows"])]
        declared = [metric("r", "x", requires=frozenset({"fact_sessions"}))]
        layout = (Section("One", (Panel("r"),)),)
        assert dashboard(declared, {}, frozenset({"t"}), layout) == []
        assert names(dashboard(declared, {}, frozenset({"t", "fact_sessions"}), layout)) == [
            ("One", ["r:rows"])
        ]

    def test_a_panel_resting_on_a_source_the_snapshot_lacks_is_left_out(self) -> None:
        catalog = [metric("a", "x"), metric("crm", "x")]
        layout = (Section("One", (Panel("a"), Panel("crm", sources=frozenset({"crm_customers"})))),)
        upload = dashboard(catalog, {}, frozenset({"t"}), layout, sources=frozenset({"sales"}))
        assert names(upload) == [("One", ["a:rows"])]
        full = dashboard(
            catalog, {}, frozenset({"t"}), layout, sources=frozenset({"crm_customers"})
        )
        assert names(full) == [("One", ["a:rows", "crm:rows"])]
        # The real layout: an upload (one `transactions` export) draws nothing by CRM segment.
        real = dashboard(
            CATALOG, {}, frozenset(needed(CATALOG)), sources=frozenset({"transactions"})
        )
        drawn = {p.metric.id for s in real for p in s.panels}
        assert "rfm_segmentation" in drawn
        assert drawn.isdisjoint({"customer_segmentation", "customer_lifetime_value"})

    def test_a_chart_by_hour_is_left_out_over_dates_alone(self) -> None:
        chart = Chart("bar", "label:N", "value:Q")
        hourly = Table("rows", Row, Sql("SELECT 1 FROM t"), chart, time_of_day=True)
        catalog = [metric("a", "x"), metric("h", "x", tables=(hourly,))]
        layout = (Section("One", (Panel("a"), Panel("h"))),)
        dates = dashboard(catalog, {}, frozenset({"t"}), layout, times_of_day=False)
        assert names(dates) == [("One", ["a:rows"])]
        times = dashboard(catalog, {}, frozenset({"t"}), layout, times_of_day=True)
        assert names(times) == [("One", ["a:rows", "h:rows"])]
        # The real layout and catalogue: the weekday x hour heatmap goes, its section with it.
        every = frozenset(needed(CATALOG))
        real = {
            times: {(p.metric.id, p.table) for s in dashboard(CATALOG, AREAS, every,
                    times_of_day=times) for p in s.panels}
            for times in (True, False)
        }  # fmt: skip
        assert ("orders_heatmap", "rows") in real[True]
        assert real[False] == real[True] - BY_HOUR

    def test_every_table_by_hour_of_day_is_declared_so(self) -> None:
        declared = {(m.id, t.name) for m in CATALOG for t in m.tables if t.time_of_day}
        assert declared == BY_HOUR
        with_hours = {
            (m.id, t.name)
            for m in CATALOG
            for t in m.tables
            if {"hour", "recommended_hours"} & set(t.row.model_fields)
        }
        assert with_hours <= declared

    def test_an_area_the_layout_does_not_name_gets_a_section_of_every_charted_table(self) -> None:
        chart = Chart("bar", "label:N", "value:Q")
        two = (
            Table("first", Row, Sql("SELECT 1 FROM t"), chart),
            Table("plain", Row, Sql("SELECT 1 FROM t")),
            Table("second", Row, Sql("SELECT 1 FROM t"), chart),
        )
        catalog = [
            metric("a", "kept"),
            metric("m1", "models", tables=two),
            metric("m2", "models"),
            metric("o1", "operations"),
            metric("b1", "behaviour"),  # listed on /catalog only
        ]
        areas = {"models": "Fitted models.", "operations": "Operations."}
        layout = (Section("Kept", (Panel("a"),)),)
        placed = dashboard(catalog, areas, frozenset({"t"}), layout)
        assert names(placed) == [
            ("Kept", ["a:rows"]),
            ("Models", ["m1:first", "m1:second", "m2:rows"]),
            ("Operations", ["o1:rows"]),
        ]
        assert [s.note for s in placed] == [None, "Fitted models.", "Operations."]

    def test_a_multi_table_panel_names_its_table_and_titles_it(self) -> None:
        chart = Chart("bar", "label:N", "value:Q")
        tables = (
            Table("segments", Row, Sql("SELECT 1 FROM t"), chart),
            Table("rfm_matrix", Row, Sql("SELECT 1 FROM t"), chart),
        )
        catalog = [metric("seg", "x", tables=tables)]
        layout = (Section("S", (Panel("seg", "rfm_matrix", {"months": "6"}),)),)
        (panel,) = dashboard(catalog, {}, frozenset({"t"}), layout)[0].panels
        assert panel.table == "rfm_matrix"
        assert panel.title == "Seg: rfm matrix"
        assert panel.query == {"months": "6", "table": "rfm_matrix"}
        missing = (Section("S", (Panel("seg", "nope"),)),)
        assert dashboard(catalog, {}, frozenset({"t"}), missing) == []

    def test_the_real_layout_names_only_catalogue_metrics_and_their_tables(self) -> None:
        for section in DASHBOARD:
            for panel in section.panels:
                assert panel.metric in BY_ID, panel.metric
                tables = [t.name for t in BY_ID[panel.metric].tables if t.chart is not None]
                assert panel.table is None or panel.table in tables, panel


class TestUrls:
    def test_the_window_goes_only_to_metrics_that_take_one(self) -> None:
        window = {"start": "2025-01-01", "end": "2025-03-31"}
        windowed = PlacedPanel(BY_ID["kpi_revenue"], "rows", {})
        fixed = PlacedPanel(BY_ID["rfm_segmentation"], "matrix", {})
        assert panel_url("", windowed, window, Representation.CSV) == (
            "/kpi/revenue?start=2025-01-01&end=2025-03-31&format=csv"
        )
        assert panel_url("/workspaces/7", windowed, {}) == "/workspaces/7/kpi/revenue"
        assert panel_url("", fixed, window, Representation.PNG) == (
            "/finance/rfm-segmentation?table=matrix&format=png"
        )


class TestTiles:
    def test_the_tiles_are_the_numeric_fields_of_the_kpi_summary(self) -> None:
        found = tiles(CATALOG, frozenset({"orders_hourly", "buyer_days", "buyer_months"}))
        assert found is BY_ID["kpi_summary"]
        assert [(t.field, t.label, t.kind) for t in tile_fields(found)] == [
            ("total_revenue", "Total revenue", "float"),
            ("orders", "Orders", "int"),
            ("completed_orders", "Completed orders", "int"),
            ("avg_order_value", "Average order value", "float"),
            ("completion_rate_pct", "Completion rate", "pct"),
            ("customers", "Customers", "int"),
            ("orders_per_customer", "Orders per customer", "float"),
        ]
        assert tiles(CATALOG, frozenset()) is None
        assert tiles([m for m in CATALOG if m.id != "kpi_summary"], frozenset()) is None
