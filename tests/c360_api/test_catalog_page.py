"""`GET /catalog` in a browser (Accept: text/html): the catalogue's report, one table per area
under the area's heading and description, each metric's path a link to its own report."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

from c360_api.catalog.registry import AREAS, CATALOG
from tests.c360_api.conftest import headers

BROWSER_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"


def catalogue_page(client: TestClient) -> str:
    answer = client.get("/catalog", headers={**headers("all"), "Accept": BROWSER_ACCEPT})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


def test_one_table_per_area_in_catalogue_order_with_its_description(client: TestClient) -> None:
    page = catalogue_page(client)
    areas = list(dict.fromkeys(m.area for m in CATALOG))
    assert re.findall(r'<h2 id="metrics-\d+">([^<]+)</h2>', page) == areas
    for area in areas:
        assert unescape(page).count(AREAS[area]) == 1, area
    tables = page.split('<h2 id="metrics-')[1:]
    for area, table in zip(areas, tables, strict=True):
        rows = re.findall(r"<tr><td>([a-z_0-9]+)</td>", table)
        assert rows == [m.id for m in CATALOG if m.area == area], area
    assert '<th scope="col">area</th>' not in page


def test_every_metric_links_its_report_and_lists_read_as_text(client: TestClient) -> None:
    page = catalogue_page(client)
    for metric in CATALOG:
        assert f'<a href="{metric.path}">{metric.path}</a>' in page
    assert "[&#39;" not in page  # a list is "marketing, finance", not a Python repr
    report = client.get(
        "/kpi/summary", headers={**headers("all"), "Accept": BROWSER_ACCEPT}
    )  # what the link opens in a browser
    assert report.headers["content-type"].startswith("text/html")
