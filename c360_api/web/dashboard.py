"""The dashboard page: the layout resolved against the catalogue and a snapshot, as HTML.

The page carries no numbers. Every panel names its metric's route and its own parameters; the
dashboard script asks each route for `format=vega` (and the KPI tiles for JSON) with the date
range added to the metrics that take one, so the page is cheap to serve and the same template
serves any snapshot, under any route prefix (a workspace's, say).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import NoneType
from typing import Any, get_args
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape

from c360_api.catalog.execute import DATES_ONLY
from c360_api.exceptions import SnapshotUnavailableError
from c360_api.health.endpoints import api_version
from c360_api.render.negotiate import Representation
from c360_api.snapshots import SnapshotStore
from c360_api.web.assets import BUNDLE_PATH
from c360_api.web.layout import PlacedPanel, PlacedSection, dashboard, tiles
from c360_contract.catalog import Metric
from c360_contract.units import column_label
from c360_contract.uploads import has_times_of_day

# The representations a panel's menu offers, as (format, label).
DOWNLOADS: tuple[tuple[Representation, str], ...] = (
    (Representation.CSV, "Download CSV"),
    (Representation.PNG, "Download PNG"),
    (Representation.HTML, "Open the report"),
)


@dataclass(frozen=True)
class Tile:
    """One KPI tile: a numeric field of the tiles' metric, with how to show it."""

    field: str
    label: str
    description: str
    kind: str  # "int", "float" or "pct"


@dataclass(frozen=True)
class Range:
    """The date window the page opens with (None: the metric's default) and its bounds."""

    start: date | None
    end: date | None
    first: date
    last: date

    def params(self) -> dict[str, str]:
        found = {"start": self.start, "end": self.end}
        return {k: v.isoformat() for k, v in found.items() if v is not None}


def panel_url(
    base: str, panel: PlacedPanel, window: Mapping[str, str], fmt: Representation | None = None
) -> str:
    """A panel's route with its own parameters, the window (when its metric takes one) and the
    format; the dashboard script builds the same URLs when the range changes."""
    query = {**panel.query, **(window if panel.metric.window else {})}
    if fmt is not None:
        query["format"] = fmt.value
    return f"{base}{panel.metric.path}" + (f"?{urlencode(query)}" if query else "")


def tile_fields(metric: Metric) -> list[Tile]:
    """The numeric fields of the metric's row, in declaration order."""
    found = []
    for name, info in metric.tables[0].row.model_fields.items():
        types = set(get_args(info.annotation)) - {NoneType} or {info.annotation}
        if types not in ({int}, {float}):
            continue
        kind = "pct" if name.endswith("_pct") else "int" if types == {int} else "float"
        found.append(Tile(name, column_label(name, unit=False), info.description or "", kind))
    return found


def figure(value: float | None, kind: str = "float") -> str:
    """A number as the dashboard's tiles show it (the script's `formatted`, server-side)."""
    if value is None:
        return "\u2013"
    text = f"{value:,.0f}" if kind == "int" else f"{value:,.2f}"
    return f"{text} %" if kind == "pct" else text


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("c360_api.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        panel_url=panel_url, downloads=DOWNLOADS, report=Representation.HTML, bundle=BUNDLE_PATH
    )
    env.filters["figure"] = figure
    env.filters["json"] = lambda value: json.dumps(value, separators=(",", ":"))
    return env


def render_dashboard(
    store: SnapshotStore,
    catalog: Sequence[Metric],
    areas: Mapping[str, str],
    base: str = "",
    start: date | None = None,
    end: date | None = None,
    heading: str = "Customer 360 dashboard",
    job_id: str | None = None,
) -> str:
    """The dashboard over the store's current snapshot, or a page saying none is published.
    A workspace's names its upload (`heading`) and links back to its job's results."""
    store.check()
    context: dict[str, Any] = {
        "base": base,
        "version": api_version(),
        "heading": heading,
        "job_id": job_id,
    }
    try:
        with store.lease() as snapshot:
            window = Range(start, end, snapshot.first_date, snapshot.as_of)
            sources = frozenset(snapshot.manifest.get("sources") or ())
            times = has_times_of_day(snapshot.manifest)
            sections: list[PlacedSection] = dashboard(
                catalog, areas, snapshot.relations, sources=sources, times_of_day=times
            )
            kpi = tiles(catalog, snapshot.relations)
            context.update(
                snapshot_id=snapshot.snapshot_id,
                as_of=snapshot.as_of,
                range=window,
                window=window.params(),
                sections=sections,
                dates_only=None if times else DATES_ONLY,
                tiles_path=None if kpi is None else base + kpi.path,
                tiles=[] if kpi is None else tile_fields(kpi),
            )
    except SnapshotUnavailableError as exc:
        context["unavailable"] = exc.message
    return environment().get_template("dashboard.html").render(context)
