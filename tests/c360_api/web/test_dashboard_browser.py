"""The dashboard in a real browser (headless Debian chromium through Playwright) against a real
`c360 serve` on loopback: every panel drawn, the KPI tiles equal to the API's numbers for the
chosen range, every download in its format, error states, a phone's width and the keyboard.

Screenshots of the desktop and phone layouts go to the --output directory (test-results/).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from bench.browser import DESKTOP, DRAWN, PHONE
from c360_api.catalog.registry import BY_ID, CATALOG
from c360_api.web.layout import DASHBOARD
from tests.c360_api.conftest import Expect
from tests.c360_api.web.problems import Problems, unreadable_charts

pytestmark = pytest.mark.slow

# The KPI tiles' request, with or without a date range.
SUMMARY = re.compile(r"/kpi/summary(\?|$)")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MEDIA = {"csv": "text/csv", "png": "image/png", "html": "text/html"}
PANELS = [
    f"{p.metric}-{p.table}" if BY_ID[p.metric].multi_table else p.metric
    for section in DASHBOARD
    for p in section.panels
]


def open_dashboard(page: Page) -> Problems:
    """Open `/` (of the live server) and wait until every panel is drawn or has failed."""
    problems = Problems(page)
    page.set_default_timeout(20_000)
    page.goto("/")
    page.wait_for_function(DRAWN)
    return problems


def tile_values(page: Page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "[data-tiles] [data-field]",
        "tiles => Object.fromEntries(tiles.map(t => [t.dataset.field, "
        "t.querySelector('output').dataset.value]))",
    )


def api_summary(base: str, **window: str) -> dict[str, Any]:
    body = httpx.get(f"{base}/kpi/summary", params=window, timeout=30).json()
    row: dict[str, Any] = body["data"][0]
    return row


def assert_tiles_show(page: Page, expected: dict[str, Any]) -> None:
    shown = tile_values(page)
    assert set(shown) == {
        "total_revenue", "orders", "completed_orders", "avg_order_value", "completion_rate_pct",
        "customers", "orders_per_customer",
    }  # fmt: skip
    for field, value in shown.items():
        want = expected[field]
        assert (value == "") if want is None else float(value) == want, field
    orders = page.locator("[data-field=orders] output").inner_text()
    assert orders == f"{expected['orders']:,}"


class TestDesktop:
    def test_every_panel_draws_with_no_console_error_or_failed_request(
        self, page: Page, live_server: str, served_expect: Expect, artefacts: Path
    ) -> None:
        page.set_viewport_size(DESKTOP)
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        problems = open_dashboard(page)
        # Offline: every file and answer comes from the app itself, none from a CDN.
        assert asked
        assert [url for url in asked if not url.startswith(live_server)] == []
        figures = page.locator("[data-panel]")
        assert figures.evaluate_all("fs => fs.map(f => f.dataset.name)") == PANELS
        for index in range(figures.count()):
            figure = figures.nth(index)
            name = figure.get_attribute("data-name")
            assert figure.get_attribute("data-state") == "ready", name
            box = figure.locator(".chart svg").bounding_box()
            assert box is not None, name
            assert box["width"] > 100, name
            assert box["height"] > 100, name
            assert figure.locator(".chart svg .role-mark > *").count() > 0, name
            # The text alternative: the chart is an image named by its title, described by a
            # caption linking its table.
            chart = figure.locator(".chart")
            title = figure.locator("h3").inner_text()
            assert chart.get_attribute("role") == "img"
            assert title in (chart.get_attribute("aria-label") or "")
            caption = page.locator(f"#{chart.get_attribute('aria-describedby')}")
            assert "format=html" in (caption.locator("a").get_attribute("href") or "")
        assert page.locator("[data-snapshot-id]").inner_text() == served_expect.snapshot_id
        assert page.locator("[data-as-of]").inner_text() == served_expect.as_of
        assert_tiles_show(page, api_summary(live_server))
        assert unreadable_charts(page) == []
        page.screenshot(path=artefacts / "dashboard-desktop.png", full_page=True)
        assert problems.found == []

    def test_a_date_range_requeries_every_windowed_chart_and_the_tiles(
        self, page: Page, live_server: str, served_expect: Expect
    ) -> None:
        problems = open_dashboard(page)
        whole = tile_values(page)
        year = date.fromisoformat(served_expect.as_of).year
        window = {"start": f"{year}-04-01", "end": f"{year}-06-30"}
        asked: list[Request] = []
        page.on("request", lambda request: asked.append(request))
        page.fill("input[name=start]", window["start"])
        page.fill("input[name=end]", window["end"])
        page.get_by_role("button", name="Apply").click()
        page.wait_for_function(DRAWN)

        assert_tiles_show(page, api_summary(live_server, **window))
        assert tile_values(page)["total_revenue"] != whole["total_revenue"]
        assert parse_qs(urlsplit(page.url).query) == {k: [v] for k, v in window.items()}
        charts = {urlsplit(r.url).path: parse_qs(urlsplit(r.url).query) for r in asked}
        for section in DASHBOARD:
            for panel in section.panels:
                metric = BY_ID[panel.metric]
                if metric.window:
                    query = charts[metric.path]
                    assert query["start"] == [window["start"]], metric.id
                    assert query["end"] == [window["end"]], metric.id
        links = page.locator("[data-panel] a[data-format]")
        for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
            path = urlsplit(href).path
            windowed = next(m.window for m in BY_ID.values() if m.path == path)
            assert (f"start={window['start']}" in href) is windowed, href
        assert problems.found == []

    def test_every_download_link_answers_its_format(self, page: Page, live_server: str) -> None:
        open_dashboard(page)
        links = page.locator("[data-panel] .menu a[data-format]")
        found = links.evaluate_all("ls => ls.map(a => [a.dataset.format, a.href])")
        assert len(found) == 3 * len(PANELS)
        for fmt, href in found:
            response = page.request.get(href)
            assert response.status == 200, href
            assert response.headers["content-type"].startswith(MEDIA[fmt]), href
            if fmt == "png":
                assert response.body()[:8] == PNG_SIGNATURE
        # A real download: the menu opened from the keyboard, the CSV link followed.
        first = page.locator("[data-panel]").first
        first.locator("summary").focus()
        page.keyboard.press("Enter")
        with page.expect_download() as download:
            first.get_by_role("link", name="Download CSV").click()
        saved = Path(download.value.path())
        assert saved.read_text().splitlines()[0].startswith("month,")

    def test_a_failed_chart_says_why_and_retries(self, page: Page, live_server: str) -> None:
        envelope = {
            "success": False,
            "error_type": "snapshot_unavailable",
            "error_message": "Snapshot is being replaced",
            "timestamp": "2025-01-01T00:00:00Z",
            "error_details": {"status_code": 503},
        }

        def refuse(route: Route) -> None:
            route.fulfill(status=503, json=envelope)

        page.route("**/kpi/conversion?*", refuse)
        page.route(SUMMARY, refuse)
        page.set_default_timeout(20_000)
        page.goto("/")
        page.wait_for_function(DRAWN)
        panel = page.locator("[data-name=kpi_conversion]")
        assert panel.get_attribute("data-state") == "error"
        assert "Snapshot is being replaced" in panel.locator("[data-message]").inner_text()
        # The tiles too: a visible message and a retry, never a row of empty boxes.
        tiles = page.locator("[data-tiles]")
        assert tiles.get_attribute("data-state") == "error"
        assert "Could not load the key figures: Snapshot is being replaced" in (
            tiles.locator("[data-message]").inner_text()
        )
        page.unroute(SUMMARY)
        tiles.get_by_role("button", name="Retry").click()
        expect(tiles).to_have_attribute("data-state", "ready")
        assert tile_values(page)["orders"] == str(api_summary(live_server)["orders"])
        page.unroute("**/kpi/conversion?*")
        panel.get_by_role("button", name="Retry").click()
        page.wait_for_function(
            "document.querySelector('[data-name=kpi_conversion]').dataset.state === 'ready'"
        )
        assert panel.locator(".chart svg").count() == 1

    def test_the_keyboard_reaches_the_range_and_every_menu(
        self, page: Page, live_server: str
    ) -> None:
        open_dashboard(page)
        reached = []
        for _ in range(12 + 3 * len(PANELS)):
            page.keyboard.press("Tab")
            reached.append(
                page.evaluate(
                    "(() => { const e = document.activeElement;"
                    " return e.name || e.getAttribute('aria-label') || e.textContent.trim(); })()"
                )
            )
        assert reached[0] == "Skip to the charts"
        assert {"start", "end", "Apply"} <= set(reached)
        # Distinct, in order: enough tabs to pass every menu may wrap around to the first again.
        menus = list(dict.fromkeys(r for r in reached if str(r).startswith("Downloads of ")))
        assert len(menus) == len(PANELS)
        menu = page.locator("details.menu").first
        menu.locator("summary").focus()
        page.keyboard.press("Enter")
        assert menu.get_attribute("open") is not None
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Download CSV"
        page.keyboard.press("Escape")
        assert menu.get_attribute("open") is None

    def test_the_catalogue_link_lists_every_metric_by_area(self, page: Page) -> None:
        open_dashboard(page)
        problems = Problems(page)
        page.get_by_role("link", name="Metric catalogue").click()
        page.wait_for_url("**/catalog")
        areas = list(dict.fromkeys(m.area for m in CATALOG))
        assert page.locator("h2").all_inner_texts() == areas
        for metric in CATALOG:
            link = page.get_by_role("link", name=metric.path, exact=True)
            assert link.get_attribute("href") == metric.path
        assert problems.found == []


class TestPhone:
    def test_a_390_px_screen_shows_every_chart_without_sideways_scrolling(
        self, browser: Browser, live_server: str, artefacts: Path
    ) -> None:
        context = browser.new_context(
            base_url=live_server, viewport=PHONE, is_mobile=True, has_touch=True
        )
        try:
            page = context.new_page()
            problems = open_dashboard(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            boxes = page.locator("[data-panel] .chart svg").evaluate_all(
                "svgs => svgs.map(s => s.getBoundingClientRect().right)"
            )
            assert len(boxes) == len(PANELS)
            assert max(boxes) <= PHONE["width"]
            assert unreadable_charts(page) == []
            page.screenshot(path=artefacts / "dashboard-phone.png", full_page=True)
            assert problems.found == []
        finally:
            context.close()
