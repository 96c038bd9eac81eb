"""The browser the dashboard's tests and benchmark drive: the machine's Debian chromium, headless.

Playwright's own browser downloads are never used (`playwright install` is not run anywhere):
`executable_path` points at the system package, which `.ci/run` installs when it is missing.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import ViewportSize

CHROMIUM = "/usr/bin/chromium"
# No sandbox (CI runs as root in a container); nothing that talks to the network on its own.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
# Set on <html> by the dashboard script once every panel of the current range is drawn (or
# failed visibly); the `c360:dashboard` performance measure then spans the page load.
DRAWN = "document.documentElement.dataset.dashboard === 'drawn'"
DRAWN_MS = "performance.getEntriesByName('c360:dashboard', 'measure').at(-1).duration"


def launch_args() -> dict[str, Any]:
    """Keyword arguments of `chromium.launch`."""
    return {"executable_path": CHROMIUM, "headless": True, "args": list(CHROMIUM_ARGS)}
