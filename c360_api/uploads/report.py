"""The PDF report of a finished job: KPIs, the RFM segment table with actions, the catalogue's own
charts (its Vega-Lite specs, rendered by `c360_api.render`), the row accounting and the snapshot.

HTML from a Jinja2 template, printed by WeasyPrint, which is imported only here and only when a
report is asked for (it loads Pango).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape

from c360_api.catalog.execute import bind, needed_relations, run_metric
from c360_api.catalog.registry import BY_ID
from c360_api.render.answer import AnswerTable
from c360_api.render.charts import chart_heading, chart_spec
from c360_api.render.images import png
from c360_api.render.json_body import table_data
from c360_api.snapshots import Snapshot
from c360_contract.uploads import UPLOAD_SECTION, UploadSpec

if TYPE_CHECKING:
    from c360_api.uploads.service import UploadService

CHARTS: tuple[tuple[str, int], ...] = (
    ("kpi_revenue", 0),
    ("rfm_segmentation", 0),
    ("behaviour_new_vs_returning", 0),
    ("orders_by_day_of_week", 0),
)
"""(metric id, table) of each chart in the report, in order."""
PRINT_SCALE = 2.0


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("c360_api.uploads", "templates"),
        autoescape=select_autoescape(["html"]),
    )


def chart_png(snapshot: Snapshot, metric_id: str, table: int) -> tuple[str, str] | None:
    """(title, PNG as a data URI) of a catalogue metric's chart over the whole snapshot."""
    metric = BY_ID[metric_id]
    if not needed_relations(metric) <= snapshot.relations:
        return None
    values = bind(metric, {}, snapshot.first_date, snapshot.as_of)
    result = run_metric(metric, snapshot, {**values, "pii": False}).tables[table]
    if result.table.chart is None:
        return None
    rows = table_data(AnswerTable(result.table.name, result.table.row, result.rows))
    spec = chart_spec(result.table.chart, rows, metric.title, values)
    spec.pop("title", None)  # the report's heading names the chart
    data = base64.b64encode(png(spec, scale=PRINT_SCALE)).decode()
    heading = chart_heading(result.table.chart, metric.title, values)
    return heading, f"data:image/png;base64,{data}"


def render_report(snapshot: Snapshot, results: dict[str, Any], file_name: str) -> bytes:
    from weasyprint import HTML

    charts = [c for c in (chart_png(snapshot, m, t) for m, t in CHARTS) if c is not None]
    html = (
        _environment()
        .get_template("report.html")
        .render(
            results=results,
            file_name=file_name,
            columns=UploadSpec.from_dict(snapshot.manifest[UPLOAD_SECTION]["spec"]).columns,
            charts=charts,
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def job_report_pdf(service: UploadService, owner_id: str, job_id: str) -> bytes:
    from c360_api.uploads.results import results

    job = service.succeeded(owner_id, job_id)
    store = service.workspaces.get(owner_id, job.workspace_id)
    store.check()
    with store.lease() as snapshot:
        return render_report(snapshot, results(snapshot, job.id, job.workspace_id), job.file_name)
