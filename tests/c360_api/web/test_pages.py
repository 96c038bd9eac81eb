"""The dashboard page and its files as HTTP answers (no browser): what the server renders, that
every file it names is served from the app (nothing from a CDN), and the chart bundle's caching.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from c360_api.main import create_app
from c360_api.web.assets import BUNDLE_PATH
from c360_api.web.layout import DASHBOARD
from tests.c360_api.conftest import Expect, make_settings

ROOT = Path(__file__).parents[3]
ASSET = re.compile(r"""(?:src|href)="([^"]+)\"""")


def panels(page: str) -> list[str]:
    return re.findall(r'<figure class="panel" data-panel data-path="([^"]+)"', page)


class TestDashboardPage:
    def test_names_every_panel_with_its_snapshot_and_range_and_loads_nothing_remote(
        self, client: TestClient, expect: Expect
    ) -> None:
        answer = client.get("/")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        page = answer.text
        assert expect.snapshot_id in page
        assert f'datetime="{expect.as_of}"' in page
        assert f'max="{expect.as_of}"' in page
        assert len(panels(page)) == sum(len(s.panels) for s in DASHBOARD)
        for section in DASHBOARD:
            assert f">{section.title}</h2>" in page
        # Loading states are in the page itself: no panel is ever a blank box.
        assert page.count('data-state="loading"') == len(panels(page)) + 1
        assert not re.search(r"https?://|//cdn", page)
        for url in set(ASSET.findall(page)):
            if url.startswith(("data:", "#")) or not url.startswith("/static"):
                continue
            asset = client.get(url)
            assert asset.status_code == 200, url
            assert len(asset.content) > 500, url

    def test_a_chosen_range_is_in_the_form_and_the_links_of_windowed_metrics(
        self, client: TestClient
    ) -> None:
        page = client.get("/", params={"start": "2025-02-01", "end": "2025-02-28"}).text
        assert 'name="start" min=' in page
        assert 'value="2025-02-01"' in page
        assert 'value="2025-02-28"' in page
        assert "/kpi/revenue?start=2025-02-01&amp;end=2025-02-28&amp;format=csv" in page
        assert "/finance/rfm-segmentation?table=matrix&amp;format=csv" in page

    def test_before_anything_is_published_the_page_says_so(self, tmp_path: Path) -> None:
        with TestClient(create_app(make_settings(tmp_path / "empty"))) as c:
            answer = c.get("/")
        assert answer.status_code == 200
        assert "No snapshot has been published yet" in answer.text
        assert "data-panel" not in answer.text


class TestChartBundle:
    def test_served_gzipped_with_a_long_lived_etag_and_304(self, client: TestClient) -> None:
        answer = client.get(BUNDLE_PATH, headers={"Accept-Encoding": "gzip"})
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/javascript")
        assert answer.headers["content-encoding"] == "gzip"
        assert "immutable" in answer.headers["cache-control"]
        assert "window.vegaEmbed" in answer.text  # httpx decoded the gzip
        plain = client.get(BUNDLE_PATH, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert plain.content == answer.content
        again = client.get(BUNDLE_PATH, headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304


class TestReadme:
    def test_the_quick_start_ends_by_opening_the_dashboard_and_shows_it(self) -> None:
        readme = (ROOT / "README.md").read_text()
        quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0].strip()
        *_, opening, picture = [line for line in quick.splitlines() if line.strip()]
        assert "open http://127.0.0.1:8000/" in opening
        assert picture.startswith('<img src="docs/dashboard-desktop.png"')

    def test_one_screenshot_of_each_page_is_in_docs_and_the_readme(self) -> None:
        readme = (ROOT / "README.md").read_text()
        for name in ("dashboard-desktop", "dashboard-phone", "upload-preview", "upload-results"):
            assert f'src="docs/{name}.png"' in readme, name
            assert (ROOT / "docs" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
