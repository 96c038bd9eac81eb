"""The README's screenshots, taken in headless chromium from a running `c360 serve`.

    python -m bench.screenshots http://127.0.0.1:8000 docs/ [--upload sales.csv]

Always the dashboard at `/` on a desktop and on a 390 px phone; with `--upload`, also the owner's
flow with that file: a new account (a random email), the upload preview, the results and the
workspace dashboard. The server must let uploads run (a Spark Connect server, or a stand-in job).
"""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from bench.browser import DESKTOP, DRAWN, PHONE, launch_args

PASSWORD = "screenshots-only-password"


def dashboard(page: Page, path: str, out: Path) -> None:
    page.goto(path)
    page.wait_for_function(DRAWN, timeout=120_000)
    page.screenshot(path=out, full_page=True)


def owner_flow(page: Page, upload: Path, out: Path) -> None:
    page.goto("/app/register")
    page.get_by_label("Email").fill(f"owner-{uuid.uuid4().hex[:8]}@shop.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    page.goto("/app/upload")
    page.set_input_files("#file", upload)
    page.locator("[data-preview]").wait_for(state="visible")
    page.screenshot(path=out / "upload-preview.png", full_page=True)
    page.get_by_role("button", name="Upload and analyse").click()
    page.wait_for_url("**/app/jobs/*")
    page.locator("[data-segments]").wait_for(timeout=600_000)
    page.screenshot(path=out / "upload-results.png", full_page=True)
    page.get_by_role("link", name="Open the dashboard").click()
    page.wait_for_function(DRAWN, timeout=120_000)
    page.screenshot(path=out / "upload-dashboard.png", full_page=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="The server's base URL")
    parser.add_argument("out", type=Path, help="Directory for the PNGs")
    parser.add_argument("--upload", type=Path, help="A sales export to take the owner's flow with")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_args())
        desktop = browser.new_context(base_url=args.base, viewport=DESKTOP)
        dashboard(desktop.new_page(), "/", args.out / "dashboard-desktop.png")
        phone = browser.new_context(
            base_url=args.base, viewport=PHONE, is_mobile=True, has_touch=True
        )
        dashboard(phone.new_page(), "/", args.out / "dashboard-phone.png")
        if args.upload is not None:
            owner_flow(desktop.new_page(), args.upload, args.out)
        browser.close()


if __name__ == "__main__":
    main()
