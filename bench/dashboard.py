"""Dashboard benchmark: time from navigation start to the last chart drawn, in headless chromium,
against `c360 serve` on loopback over a warehouse. `python -m bench.dashboard WAREHOUSE [--write]`.

Not a test: run by hand. Each run starts a fresh server (so the API's answer cache is empty),
waits until it serves and its snapshot is copied into memory and the chart bundle is built (start-up
work, not a page's), then measures in new browser contexts:

- cold: the first load, every answer computed (empty API cache, empty browser cache);
- warm: a second load in a fresh context (API cache warm, browser cache empty);
- warm + browser cache: a reload in that context (the browser revalidates nothing younger than
  the answers' max-age, so this is what a returning user sees).

The time is the dashboard script's `c360:dashboard` measure: from navigation start until every
panel and the KPI tiles are drawn (or visibly failed; a failure is reported and fails the run).
The source warehouse is never written: the server reads a hard-linked copy.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from bench.api_load import Server, bench_warehouse, http_get, wait_loaded
from bench.browser import DESKTOP, DRAWN, DRAWN_MS, launch_args
from bench.report import WORK, machine, median, write_section
from c360_api.web.assets import BUNDLE_PATH
from c360_contract.scopes import DATA_SCOPES


@dataclass
class Run:
    cold_ms: float
    warm_ms: float
    cached_ms: float
    panels: int


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _draw(browser: Browser, base: str, runs: int = 1) -> tuple[list[float], int]:
    """Load the dashboard in a new context `runs` times (the first a load, then reloads)."""
    context = browser.new_context(base_url=base, viewport=DESKTOP)
    try:
        page = context.new_page()
        times = []
        for attempt in range(runs):
            if attempt == 0:
                page.goto("/")
            else:
                page.reload()
            page.wait_for_function(DRAWN, timeout=120_000)
            failed = page.locator("[data-state=error]").count()
            if failed:
                raise SystemExit(f"{failed} panels failed to draw; see the server log")
            times.append(float(page.evaluate(DRAWN_MS)))
        return times, page.locator("[data-panel]").count()
    finally:
        context.close()


def _run(warehouse: Path, log: Path) -> Run:
    env = {
        "C360_API_KEYS": "[]",
        "C360_ENVIRONMENT": "local",
        "C360_ANONYMOUS_SCOPES": json.dumps(sorted(s.value for s in DATA_SCOPES)),
        "C360_RATE_LIMIT_PER_MINUTE": "100000000",
    }
    server = Server(warehouse, env, log)
    try:
        server.wait_healthy()
        wait_loaded(server.port)
        http_get(server.port, BUNDLE_PATH)  # returns once the bundle is built
        base = f"http://127.0.0.1:{server.port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_args())
            try:
                (cold,), panels = _draw(browser, base)
                (warm, cached), _ = _draw(browser, base, runs=2)
            finally:
                browser.close()
        return Run(cold, warm, cached, panels)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path, help="A warehouse holding CURRENT (read only).")
    parser.add_argument("--runs", type=int, default=3, help="Fresh servers to measure (median).")
    parser.add_argument("--write", action="store_true", help="Write docs/benchmarks.md.")
    args = parser.parse_args(argv)

    source = args.warehouse.resolve()
    snapshot = source / "snapshots" / (source / "CURRENT").read_text().strip()
    manifest = json.loads((snapshot / "manifest.json").read_text())
    customers = int(manifest["tables"]["customer_profile"]["rows"])
    work = WORK / f"dashboard_{customers}"
    warehouse = bench_warehouse(source, work)
    load_before = _load_average()
    runs = [_run(warehouse, work / "server.log") for _ in range(args.runs)]
    load_after = _load_average()
    for number, run in enumerate(runs, 1):
        print(
            f"run {number}: cold {run.cold_ms:.0f} ms, warm {run.warm_ms:.0f} ms, "
            f"warm + browser cache {run.cached_ms:.0f} ms ({run.panels} panels)"
        )
    cold = median([r.cold_ms for r in runs])
    warm = median([r.warm_ms for r in runs])
    cached = median([r.cached_ms for r in runs])
    print(f"median: cold {cold:.0f} ms, warm {warm:.0f} ms, warm + browser cache {cached:.0f} ms")
    print(f"load average (1, 5, 15 min) before: {load_before}; after: {load_after}")
    if args.write:
        write_section(
            f"dashboard-{customers}",
            "\n".join(
                [
                    f"## Dashboard first load, {customers:,} customers "
                    "(`python -m bench.dashboard WAREHOUSE --write`)",
                    "",
                    f"Machine: {machine()}. Headless Debian chromium "
                    f"(`/usr/bin/chromium`, {DESKTOP['width']}x{DESKTOP['height']}) through "
                    "Playwright, `c360 serve` on 127.0.0.1 restarted for each run (empty API "
                    "cache), snapshot in memory and chart bundle built before measuring. Time "
                    "from navigation start until the last of "
                    f"{runs[0].panels} charts and the KPI tiles is drawn, median of {len(runs)} "
                    f"runs. Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average "
                    f"(1, 5, 15 min) {load_before} before, {load_after} after (the machine is "
                    "shared).",
                    "",
                    "| customers | cold (API and browser caches empty) | warm API cache, new "
                    "browser | warm API cache + browser cache | runs (cold / warm / cached ms) |",
                    "|---:|---:|---:|---:|---|",
                    f"| {customers:,} | {cold:,.0f} ms | {warm:,.0f} ms | {cached:,.0f} ms | "
                    + "; ".join(
                        f"{r.cold_ms:.0f} / {r.warm_ms:.0f} / {r.cached_ms:.0f}" for r in runs
                    )
                    + " |",
                    "",
                    "Targets at 1M customers: cold < 2 s, warm < 1 s.",
                ]
            ),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
