"""An upload whose file has dates alone (`tests.upload_data`: day-first dates, no time): every
order would fall at hour 0, so its dashboard draws no chart by hour and those metrics' pictures
say why, while their rows are still answered. The same snapshot flagged as having times (a file
with times of day) keeps them."""

from __future__ import annotations

import json
from pathlib import Path

from c360_api.catalog.registry import AREAS, CATALOG
from c360_api.snapshots import SnapshotStore
from c360_api.web.dashboard import render_dashboard
from c360_contract.uploads import TIMES_OF_DAY, UPLOAD_SECTION
from tests.c360_api.accounts import app_client, finished, sign_up, upload
from tests.c360_api.conftest import build_test_warehouse
from tests.upload_data import make_sales

DATES_ONLY = "This file has dates only, no time of day"
HEATMAP = 'data-name="orders_heatmap"'


def flagged(upload_warehouse, path: Path, times: bool) -> Path:
    """A copy of the upload's snapshot whose manifest says whether its file had times."""
    _, template, _ = upload_warehouse
    warehouse = build_test_warehouse(template, path)
    manifest_path = warehouse / "snapshots" / (warehouse / "CURRENT").read_text().strip()
    manifest_path /= "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest[UPLOAD_SECTION][TIMES_OF_DAY] = times
    manifest_path.write_text(json.dumps(manifest))
    return warehouse


def page(warehouse: Path) -> str:
    store = SnapshotStore(warehouse, in_memory=False)
    return render_dashboard(store, CATALOG, AREAS, base="/workspaces/w1")


def test_the_dashboard_of_dates_alone_has_no_chart_by_hour(upload_warehouse, tmp_path) -> None:
    _, _, manifest = upload_warehouse
    assert manifest[UPLOAD_SECTION][TIMES_OF_DAY] is False  # what the run itself recorded
    dates = page(build_test_warehouse(upload_warehouse[1], tmp_path / "dates"))
    assert HEATMAP not in dates
    assert "When customers buy" not in dates
    assert f"{DATES_ONLY}: the charts by hour of day are left out." in dates
    assert 'data-name="kpi_revenue"' in dates  # the rest of the dashboard is drawn
    times = page(flagged(upload_warehouse, tmp_path / "times", True))
    assert HEATMAP in times
    assert "When customers buy" in times
    assert DATES_ONLY not in times


def test_a_metric_by_hour_answers_but_its_picture_says_dates_only(
    make_settings, sqlite_url
) -> None:
    with app_client(make_settings(sqlite_url)) as client:
        header = sign_up(client, "a@b.example")
        accepted = upload(client, header, make_sales(40).text).json()
        finished(client, header, accepted["job_id"])
        base = f"/workspaces/{accepted['workspace_id']}"
        for path, count in (
            ("/orders/by-hour", "orders"),
            ("/orders/heatmap", "orders"),
            ("/orders/peak-hours", "order_count"),
        ):
            rows = client.get(base + path, headers=header).json()["data"]
            # Every order of the file is at hour 0: the rows say so, the picture does not draw it.
            assert {row["hour"] for row in rows if row[count]} == {0}, path
            spec = client.get(f"{base}{path}?format=vega", headers=header).json()
            assert spec["data"]["values"] == [{"text": DATES_ONLY}], path
            assert DATES_ONLY in client.get(f"{base}{path}?format=html", headers=header).text
            png = client.get(f"{base}{path}?format=png", headers=header)
            assert png.content[:4] == b"\x89PNG"
        # A chart by weekday needs no time of day: it is drawn.
        drawn = client.get(f"{base}/orders/by-day-of-week?format=vega", headers=header).json()
        assert drawn["title"] == "Orders by day of week"
        assert len(drawn["data"]["values"]) == 7
