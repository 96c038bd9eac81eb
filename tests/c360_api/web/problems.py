"""What the browser tests watch on every page: console errors, script errors, failed requests."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Error, Page, Request, Response


class Problems:
    """What went wrong while a page was open: console errors, script errors, failed requests and
    answers with an error status."""

    def __init__(self, page: Page) -> None:
        self.found: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", self._script)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.found.append(f"console: {message.text}")

    def _script(self, error: Error) -> None:
        self.found.append(f"script: {error}")

    def _failed(self, request: Request) -> None:
        self.found.append(f"failed: {request.url} {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.found.append(f"status {response.status}: {response.url}")


# What makes a drawn chart hard to read, found in the browser's layout: a title that is a column
# name (`days_of_cover`), axis labels that overlap or touch ("0.100.15"), text cut off at the
# chart's edges (a long title on a phone).
_UNREADABLE = """() => [...document.querySelectorAll('[data-panel]')].flatMap(panel => {
  const name = panel.dataset.name;
  const box = panel.querySelector('.chart').getBoundingClientRect();
  const svg = panel.querySelector('.chart svg');
  if (!svg) return [];
  const shown = (t) => t.getAttribute('opacity') !== '0' && t.getBoundingClientRect().width > 0;
  const found = [];
  for (const t of svg.querySelectorAll('.role-axis-title text, .role-legend-title text')) {
    if (t.textContent.includes('_')) found.push(`${name}: title ${t.textContent}`);
  }
  for (const t of [...svg.querySelectorAll('text')].filter(shown)) {
    const r = t.getBoundingClientRect();
    if (r.left < box.left - 1 || r.right > box.right + 1) found.push(`${name}: cut ${t.textContent}`);
  }
  for (const axis of svg.querySelectorAll('.role-axis-label')) {
    const boxes = [...axis.querySelectorAll('text')].filter(shown)
      .map((t) => [t.textContent, t.getBoundingClientRect()]);
    for (let i = 1; i < boxes.length; i++) {
      const [a, r] = boxes[i - 1], [b, s] = boxes[i];
      const apart = r.right + 2 <= s.left || s.right + 2 <= r.left
        || r.bottom + 2 <= s.top || s.bottom + 2 <= r.top;
      if (!apart) found.push(`${name}: labels ${a} / ${b}`);
    }
  }
  return found;
})"""


def unreadable_charts(page: Page) -> list[str]:
    """Every drawn chart's readability problems (see _UNREADABLE), as "panel: what"."""
    found: list[str] = page.evaluate(_UNREADABLE)
    return found
