"""The small-business owner's flow in a real browser (headless Debian chromium) against a real
`c360 serve`, by clicking and typing: sign up, refusals shown beside their fields, the preview
and the suggested mapping, the date-format choice, the job's progress, the results against what
the API answers, the PDF, the workspace dashboard, another user locked out, delete.

The upload job is `fake_upload_job.py` (a copy of the real upload pipeline's snapshot of the same
file), so the browser test costs seconds; the real job is tested in tests/c360_api/uploads.
Screenshots of the upload preview, the results and the workspace dashboard go to test-results/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, FilePayload, Page, Route, expect

from bench.browser import DESKTOP, DRAWN
from tests.c360_api.accounts import PASSWORD
from tests.c360_api.web.conftest import UPLOAD_LIMIT
from tests.c360_api.web.problems import Problems, unreadable_charts
from tests.upload_data import HEADER, MAPPING, make_sales

pytestmark = pytest.mark.slow

AMBIGUOUS = "CustomerID,InvoiceDate,InvoiceNo,Amount\nC1,01/02/2024,I1,3.5\nC2,03/04/2024,I2,4\n"
CSV = "text/csv"


def bearer(base: str, email: str) -> dict[str, str]:
    """The API's own login (not the browser's), to compare the pages with what the API says."""
    token = httpx.post(
        f"{base}/api/auth/login", data={"username": email, "password": PASSWORD}, timeout=30
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def sign_up(page: Page, email: str) -> None:
    page.goto("/app/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    page.wait_for_url("**/app/jobs")


def choose(page: Page, name: str, content: str | bytes, mime: str = CSV) -> None:
    data = content.encode() if isinstance(content, str) else content
    payload: FilePayload = {"name": name, "mimeType": mime, "buffer": data}
    page.set_input_files("#file", files=[payload])


def error_for(page: Page, field: str) -> str:
    slot = page.locator(f"[data-error-for={field}]")
    expect(slot).to_be_visible()
    return slot.inner_text()


# Keeps the text fields of the form the page posts (Playwright does not show a multipart body
# holding a file) in sessionStorage, which outlives the page's move to the job's page.
RECORD_FORMS = """() => {
  const send = window.fetch;
  window.fetch = (url, options) => {
    if (options?.body instanceof FormData) {
      const fields = [...options.body].filter(([, value]) => typeof value === 'string');
      sessionStorage.setItem('sent', JSON.stringify(Object.fromEntries(fields)));
    }
    return send(url, options);
  };
}"""


def follow_live_progress(page: Page, job_id: str) -> None:
    """The jobs list as first served while `job_id` ran (its finished state rewritten to
    running), then one poll's answer of 40 % in the facts stage, then the real answers."""

    def served_running(route: Route) -> None:
        page_html = route.fetch()
        running = page_html.text().replace('data-state="succeeded"', 'data-state="running"')
        route.fulfill(response=page_html, body=running)

    def polled_running(route: Route) -> None:
        jobs = route.fetch().json()
        for job in jobs:
            job.update(state="running", stage="facts", percentage=40)
        route.fulfill(json=jobs)

    page.route("**/app/jobs", served_running, times=1)
    page.route("**/api/jobs/", polled_running, times=1)
    page.goto("/app/jobs")
    page.evaluate("window.servedRunning = true")
    progress = page.locator(f"[data-job='{job_id}']")
    expect(progress.locator("[data-progress-text]")).to_have_text("running: facts · 40 %")
    assert progress.locator("progress").evaluate("bar => bar.value") == 40
    page.wait_for_function("window.servedRunning === undefined")  # reloaded
    expect(progress).to_have_attribute("data-state", "succeeded")
    expect(progress.locator("[data-progress-text]")).to_have_text("succeeded · 100 %")


class TestOwnerFlow:
    def test_register_upload_results_dashboard_isolation_delete(
        self, browser: Browser, owner_server: str, artefacts: Path
    ) -> None:
        context = browser.new_context(
            base_url=owner_server, viewport=DESKTOP, accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        problems = Problems(page)
        email = "owner@shop.example"

        # Signed out, a page sends the browser to the login, which leads on to registration.
        page.goto("/app/upload")
        assert "/app/login?next=/app/upload" in page.url
        page.goto("/app/register")
        page.get_by_label("Email").fill("not-an-email")
        page.get_by_label("Password").fill("short")
        page.get_by_role("button", name="Create the account").click()
        assert "email address" in page.locator("#email-error").inner_text()
        assert "8 to 128" in page.locator("#password-error").inner_text()
        sign_up(page, email)
        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["c360_session"]["httpOnly"] is True
        assert cookies["c360_session"]["sameSite"] == "Strict"
        api = bearer(owner_server, email)

        # Refusals of the API beside the field they concern: a binary file (415), an ambiguous
        # date column uploaded without a format (422).
        page.get_by_role("link", name="Upload a sales export").click()
        choose(page, "photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(200))
        assert "not CSV" in error_for(page, "file")
        assert page.locator("#file").get_attribute("aria-invalid") == "true"
        choose(page, "huge.csv", "a,b\n" + "1,2\n" * (UPLOAD_LIMIT // 3))  # 413
        assert f"larger than the limit of {UPLOAD_LIMIT:,} bytes" in error_for(page, "file")
        choose(page, "ambiguous.csv", AMBIGUOUS)
        expect(page.locator("[data-preview]")).to_be_visible()
        expect(page.locator("[data-dates]")).to_be_visible()
        assert page.locator("#date_format").input_value() == ""
        formats = page.locator("#date_format option").evaluate_all("os => os.map(o => o.value)")
        assert set(formats) == {"", "%d/%m/%Y", "%m/%d/%Y"}
        page.get_by_role("button", name="Upload and analyse").click()
        assert "ambiguous" in error_for(page, "date_format")
        assert httpx.get(f"{owner_server}/api/jobs/", headers=api).json() == []

        # The real export: the preview, the mapping prefilled from the API's suggestion, the
        # date format it settled on.
        sales = make_sales()
        choose(page, "sales.csv", sales.text)
        expect(page.locator("[data-error-for=file]")).to_be_hidden()
        expect(page.locator("[data-preview-table] th")).to_have_count(len(HEADER))
        suggested = httpx.post(
            f"{owner_server}/api/jobs/upload/preview",
            headers=api,
            files={"file": ("sales.csv", sales.text, CSV)},
            timeout=30,
        ).json()["suggested_mapping"]
        for target, column in suggested.items():
            assert page.locator(f"#map-{target}").input_value() == (column or ""), target
        assert page.locator("#date_format").input_value() == "%d/%m/%Y"
        assert page.locator("[data-preview-table] tbody tr").count() == 20
        # A required column left unmapped: the API's 422 beside the mapping.
        page.locator("#map-amount").select_option("")
        page.get_by_role("button", name="Upload and analyse").click()
        assert "amount" in error_for(page, "mapping")
        assert httpx.get(f"{owner_server}/api/jobs/", headers=api).json() == []
        for target, column in MAPPING.items():
            page.locator(f"#map-{target}").select_option(column)
        page.get_by_label("Clustering method").select_option("gmm")
        page.screenshot(path=artefacts / "upload-preview.png", full_page=True)

        # Upload (the form sends the chosen method); the job page follows the job and shows the
        # results when it is done.
        page.evaluate(RECORD_FORMS)
        page.get_by_role("button", name="Upload and analyse").click()
        page.wait_for_url("**/app/jobs/*")
        job_id = page.url.rsplit("/", 1)[1]
        sent = json.loads(page.evaluate("sessionStorage.getItem('sent')"))
        assert sent["clustering_method"] == "gmm"
        assert json.loads(sent["mapping"]) == MAPPING
        expect(page.locator("[data-segments]")).to_be_visible()
        results: dict[str, Any] = httpx.get(
            f"{owner_server}/api/jobs/results/{job_id}", headers=api, timeout=30
        ).json()
        shown = page.locator("[data-segment]").evaluate_all(
            "rows => rows.map(r => [r.dataset.segment,"
            " r.querySelector('[data-customers]').textContent])"
        )
        assert shown == [[s["rfm_segment"], f"{s['customers']:,}"] for s in results["segments"]]
        actions = page.locator("[data-segment] td:last-child").all_inner_texts()
        assert actions == [s["rfm_action"] or "" for s in results["segments"]]
        assert all(actions)
        clusters = page.locator("[data-clusters] tbody tr").evaluate_all(
            "rows => rows.map(r => [...r.children].map(c => c.textContent))"
        )
        assert clusters == [
            [str(c["cluster"]), c["label"] or "", f"{c['customers']:,}",
             f"{c['pct_of_buyers']:,.2f} %", c["action"] or ""]
            for c in results["clusters"]
        ]  # fmt: skip
        for field, value in results["rows"].items():
            if isinstance(value, int):
                assert page.locator(f"[data-rows] [data-field={field}]").inner_text() == (
                    f"{value:,}"
                ), field
        orders = page.locator(".tile[data-field=orders] .tile-value").inner_text()
        assert orders == f"{results['kpis']['orders']:,}"
        page.screenshot(path=artefacts / "results-desktop.png", full_page=True)
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the PDF report").click()
        assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

        # The jobs list follows an unfinished job live: served while the job ran, it shows the
        # API's progress at each poll and reloads itself when the job is done.
        follow_live_progress(page, job_id)
        page.goto(f"/app/jobs/{job_id}")

        # The workspace's dashboard: the same template over /workspaces/{id}/..., every panel
        # drawn with no console error or failed request.
        problems.found.clear()
        page.get_by_role("link", name="Open the dashboard").click()
        page.wait_for_function(DRAWN)
        workspace = results["workspace_id"]
        panels = page.locator("[data-panel]")
        assert panels.count() > 0
        states = panels.evaluate_all("ps => ps.map(p => [p.dataset.name, p.dataset.state])")
        assert all(state == "ready" for _, state in states), states
        paths = panels.evaluate_all("ps => ps.map(p => p.dataset.path)")
        assert all(p.startswith(f"/workspaces/{workspace}/") for p in paths)
        # One sales file has no CRM: no chart of one "Unassigned" CRM segment.
        names = {name for name, _ in states}
        assert names.isdisjoint({"customer_segmentation-segments", "customer_lifetime_value"})
        assert unreadable_charts(page) == []
        assert page.locator("[data-snapshot-id]").inner_text() == results["snapshot_id"]
        tile = page.locator("[data-tiles] [data-field=orders] output")
        assert tile.get_attribute("data-value") == str(results["kpis"]["orders"])
        page.screenshot(path=artefacts / "workspace-dashboard.png", full_page=True)
        assert problems.found == []

        # Another user: the first user's results, workspace and report are 404 to them.
        other = browser.new_context(base_url=owner_server)
        try:
            intruder = other.new_page()
            sign_up(intruder, "someone-else@shop.example")
            for path in (
                f"/app/jobs/{job_id}",
                f"/workspaces/{workspace}/",
                f"/api/jobs/report/{job_id}",
                f"/workspaces/{workspace}/kpi/summary",
            ):
                assert intruder.goto(path).status == 404, path  # type: ignore[union-attr]
            assert intruder.request.get("/api/jobs/").json() == []
        finally:
            other.close()

        # Delete, after a confirmation.
        page.goto(f"/app/jobs/{job_id}")
        page.get_by_role("link", name="Delete this upload").click()
        page.get_by_role("button", name="Delete sales.csv").click()
        page.wait_for_url("**/app/jobs")
        assert "No uploads yet." in page.locator("main").inner_text()
        assert httpx.get(f"{owner_server}/api/jobs/", headers=api).json() == []
        assert page.goto(f"/app/jobs/{job_id}").status == 404  # type: ignore[union-attr]
        context.close()
