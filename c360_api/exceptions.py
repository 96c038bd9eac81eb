"""One error base class and one handler, so every failure reaches clients in the same envelope.

The handler is also registered for FastAPI's validation errors, Starlette's 404/405 and any
unexpected exception (answered as 500 without internals; details go to the log). An exception's
headers (405's `Allow`, 429's `Retry-After`) are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger("c360_api")


class C360Error(Exception):
    """Base of every error the API raises on purpose."""

    status_code: int = 500
    error_type: str = "internal_error"

    def __init__(
        self, message: str, headers: Mapping[str, str] | None = None, **details: Any
    ) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers
        self.details = details


class NotAuthenticatedError(C360Error):
    status_code = 401
    error_type = "not_authenticated"


class ForbiddenError(C360Error):
    status_code = 403
    error_type = "forbidden"


class NotFoundError(C360Error):
    status_code = 404
    error_type = "not_found"


class MethodNotAllowedError(C360Error):
    status_code = 405
    error_type = "method_not_allowed"


class ConflictError(C360Error):
    status_code = 409
    error_type = "conflict"


class InvalidParameterError(C360Error):
    status_code = 422
    error_type = "validation_error"


class RateLimitedError(C360Error):
    status_code = 429
    error_type = "rate_limited"


class SnapshotUnavailableError(C360Error):
    status_code = 503
    error_type = "snapshot_unavailable"


def invalid_parameters(errors: list[dict[str, Any]]) -> InvalidParameterError:
    """One 422 naming every invalid parameter; `errors` hold `parameter`, `location`, `message`."""
    names = ", ".join(sorted({e["parameter"] for e in errors}))
    return InvalidParameterError(f"Invalid parameter(s): {names}", errors=errors)


def _as_c360_error(exc: Exception) -> C360Error:
    """Map framework exceptions onto the one hierarchy."""
    if isinstance(exc, C360Error):
        return exc
    if isinstance(exc, RequestValidationError):
        return invalid_parameters(
            [
                {
                    "parameter": ".".join(str(p) for p in e.get("loc", ())[1:]) or "body",
                    "location": str(e.get("loc", ("?",))[0]),
                    "message": e.get("msg", ""),
                    **({"allowed": e["ctx"]["expected"]} if "expected" in e.get("ctx", {}) else {}),
                }
                for e in exc.errors()
            ]
        )
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 404:
            return NotFoundError("Not found", headers=exc.headers)
        if exc.status_code == 405:
            return MethodNotAllowedError("Method not allowed", headers=exc.headers)
        err = C360Error(str(exc.detail), headers=exc.headers)
        err.status_code = exc.status_code
        err.error_type = "http_error"
        return err
    return C360Error("Internal server error")


def error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Render any exception as the error envelope, keeping the exception's headers."""
    err = _as_c360_error(exc)
    if err.status_code >= 500:
        log.error("unhandled_error", path=request.url.path, error=repr(exc), exc_info=exc)
    body = {
        "success": False,
        "error_type": err.error_type,
        "error_message": err.message,
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "error_details": {"status_code": err.status_code, **err.details},
    }
    return JSONResponse(body, status_code=err.status_code, headers=err.headers)


def register_error_handlers(app: FastAPI) -> None:
    """Route every error class through `error_handler`."""
    for exc_class in (
        C360Error,
        RequestValidationError,
        StarletteHTTPException,
        Exception,
    ):
        app.add_exception_handler(exc_class, error_handler)
