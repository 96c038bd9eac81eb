"""One structured log line and one metrics observation per request; X-Request-ID on every answer.

Pure ASGI (not BaseHTTPMiddleware) so it adds no task hop per request.
"""

from __future__ import annotations

import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from c360_api.core.metrics import Metrics

log = structlog.get_logger("c360_api.access")


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        started = time.perf_counter()
        status = 500
        state = scope.setdefault("state", {})

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("route")
            route_path = getattr(route, "path", "unmatched")
            self.metrics.observe_request(route_path, scope["method"], status, seconds)
            log.info(
                "request",
                request_id=request_id,
                method=scope["method"],
                route=route_path,
                path=scope["path"],
                status=status,
                duration_ms=round(seconds * 1000, 3),
                cache=state.get("cache"),
                key_id=state.get("key_id"),
            )
