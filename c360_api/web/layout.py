"""The dashboard's layout, declared once: sections listing catalogue metric ids.

The page is built from this declaration and the catalogue, so a metric reaches the dashboard by
adding its id to a section, with no front-end code: one template draws every panel from the
metric's `format=vega` spec. A panel whose metric the catalogue lacks, or whose inputs the
snapshot lacks (an upload without app sessions), or whose chart would mislead over it (by hour of
day, over a file of dates alone), is left out, and so is a section left empty.
An area the layout never names (one a later catalogue adds, such as models or operations) gets a
section of its own holding every charted table of its metrics, unless it is listed in
`CATALOGUE_ONLY` (reachable from `/catalog`, not drawn).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from c360_api.catalog.execute import needed_relations, withheld
from c360_contract.catalog import Metric


@dataclass(frozen=True)
class Panel:
    """One chart: a metric's table (the first when None) with fixed parameters of its own.
    `sources` are the source exports its meaning rests on: an upload's snapshot, built from one
    sales file, has no CRM, so a chart by CRM segment would be one bar of "Unassigned"."""

    metric: str
    table: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    sources: frozenset[str] = frozenset()


# The CRM export: where customer_segment comes from.
CRM = frozenset({"crm_customers"})


@dataclass(frozen=True)
class Section:
    title: str
    panels: tuple[Panel, ...]
    note: str | None = None


# The one-row metric whose numeric fields are the KPI tiles.
TILES = "kpi_summary"

DASHBOARD: tuple[Section, ...] = (
    Section("Revenue", (Panel("kpi_revenue"), Panel("demand_growth"))),
    Section("Cohorts", (Panel("cohort_retention"),)),
    Section("When customers buy", (Panel("orders_heatmap"),)),
    Section("Conversion", (Panel("kpi_conversion"),)),
    Section("Products", (Panel("demand_top_products"),)),
    Section(
        "Segments",
        (
            Panel("rfm_segmentation", "segments"),
            Panel("rfm_segmentation", "matrix"),
            Panel("customer_segmentation", "segments", sources=CRM),
            Panel("segments_clusters", "points"),
        ),
        "Who the buyers are: RFM segments, the CRM's segments where the data has them, and the "
        "k-means clusters.",
    ),
    Section("Lifetime value", (Panel("customer_lifetime_value", sources=CRM),)),
    Section(
        "Predictive models",
        (
            Panel("models_clv", "weekly"),
            Panel("models_clv", "by_frequency"),
            Panel("models_churn", "roc"),
            Panel("models_churn", "calibration"),
        ),
        "The CLV model judged on its holdout and the churn model against its baselines.",
    ),
    Section(
        "Operations",
        (
            Panel("orders_funnel"),
            Panel("payments_trends"),
            Panel("orders_delivery_times"),
            Panel("services_booking_trends"),
            Panel("recommendations_demand_forecast", "forecast"),
        ),
        "From order to delivery, how customers pay, bookings, and the demand forecast; every "
        "operations metric is on /catalog.",
    ),
)

# Areas served and listed on /catalog but not drawn unless a section names their metrics.
CATALOGUE_ONLY: frozenset[str] = frozenset(
    {
        "product",
        "customer success",
        "behaviour",
        "payments",
        "customer analytics",
        "products",
        "services",
        "geography",
        "recommendations",
    }
)


@dataclass(frozen=True)
class PlacedPanel:
    """A panel resolved against the catalogue: its metric and the table it draws."""

    metric: Metric
    table: str
    params: Mapping[str, str]

    @property
    def title(self) -> str:
        if not self.metric.multi_table:
            return self.metric.title
        return f"{self.metric.title}: {self.table.replace('_', ' ')}"

    @property
    def query(self) -> dict[str, str]:
        """The panel's own parameters (`table` included for a metric with several tables)."""
        own = dict(self.params)
        if self.metric.multi_table:
            own["table"] = self.table
        return own


@dataclass(frozen=True)
class PlacedSection:
    title: str
    panels: tuple[PlacedPanel, ...]
    note: str | None = None


def _place(
    panel: Panel,
    by_id: Mapping[str, Metric],
    relations: frozenset[str],
    sources: frozenset[str],
    times_of_day: bool,
) -> PlacedPanel | None:
    metric = by_id.get(panel.metric)
    if metric is None or not needed_relations(metric) <= relations or not panel.sources <= sources:
        return None
    table = next(
        (t for t in metric.tables if panel.table in (None, t.name) and t.chart is not None), None
    )
    if table is None or withheld(table, times_of_day) is not None:
        return None
    return PlacedPanel(metric, table.name, panel.params)


def _area_sections(
    catalog: Sequence[Metric], named: set[str], areas: Mapping[str, str]
) -> list[Section]:
    """A section per area the layout does not name, in catalogue order."""
    sections: dict[str, list[Panel]] = {}
    for metric in catalog:
        if metric.area in named or metric.area in CATALOGUE_ONLY:
            continue
        panels = sections.setdefault(metric.area, [])
        panels += [Panel(metric.id, t.name) for t in metric.tables if t.chart is not None]
    return [
        Section(area.capitalize(), tuple(panels), areas.get(area))
        for area, panels in sections.items()
    ]


def dashboard(
    catalog: Sequence[Metric],
    areas: Mapping[str, str],
    relations: frozenset[str],
    layout: Sequence[Section] = DASHBOARD,
    sources: frozenset[str] | None = None,
    times_of_day: bool = True,
) -> list[PlacedSection]:
    """The sections to draw over a snapshot holding `relations`, built from `sources` (None:
    every panel's), empty ones left out; without `times_of_day` (an upload of dates alone), no
    chart by hour of day."""
    if sources is None:
        sources = frozenset().union(*(p.sources for s in layout for p in s.panels))
    by_id = {m.id: m for m in catalog}
    named = {by_id[p.metric].area for s in layout for p in s.panels if p.metric in by_id}
    placed = []
    for section in (*layout, *_area_sections(catalog, named, areas)):
        panels = tuple(
            p
            for p in (
                _place(panel, by_id, relations, sources, times_of_day) for panel in section.panels
            )
            if p
        )
        if panels:
            placed.append(PlacedSection(section.title, panels, section.note))
    return placed


def tiles(catalog: Sequence[Metric], relations: frozenset[str]) -> Metric | None:
    """The KPI tiles' metric, when the catalogue has it and the snapshot can answer it."""
    metric = next((m for m in catalog if m.id == TILES), None)
    if metric is None or not needed_relations(metric) <= relations:
        return None
    return metric
