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
