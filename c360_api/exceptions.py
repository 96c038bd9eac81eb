"""One error base class, one envelope model and one handler, so every failure reaches clients alike.

The handler is also registered for FastAPI's validation errors, Starlette's 404/405 and any
unexpected exception (answered as 500 without internals; details go to the log). A body the
framework cannot parse (400: not UTF-8, a broken multipart form) is the 422 of malformed JSON, so
every route with a body answers one status for any body it cannot read. An exception's
headers (405's `Allow`, 429's `Retry-After`) are kept. `error_responses` documents the envelope in
OpenAPI for the errors a route can answer, so generated clients parse them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger("c360_api")


class C360Error(Exception):
    """Base of every error the API raises on purpose."""

    status_code: int = 500
    error_type: str = "internal_error"
    description: str = "Internal server error"

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
    description = "Missing or unknown API key (header X-API-Key)."


class ForbiddenError(C360Error):
    status_code = 403
    error_type = "forbidden"
    description = "The key lacks the scope this route needs."


class NotFoundError(C360Error):
    status_code = 404
    error_type = "not_found"
    description = "No such resource."


class MethodNotAllowedError(C360Error):
    status_code = 405
    error_type = "method_not_allowed"
    description = "Method not allowed; `Allow` lists the allowed ones."


class ConflictError(C360Error):
    status_code = 409
    error_type = "conflict"
    description = "A refresh is already running (`error_details.running_job_id`)."


class InvalidParameterError(C360Error):
    status_code = 422
    error_type = "validation_error"
    description = (
        "Invalid parameter: out of range, not an allowed value, unknown to the route, or "
        "single-valued and given more than once (`error_details.errors` names each)."
    )


class RateLimitedError(C360Error):
    status_code = 429
    error_type = "rate_limited"
    description = "Rate limit exceeded; retry after `Retry-After` seconds."


class SnapshotUnavailableError(C360Error):
    status_code = 503
    error_type = "snapshot_unavailable"
    description = "No snapshot has been published yet."


class ErrorDetails(BaseModel):
    """The status code plus whatever the error adds (parameter, allowed values, job id, ...)."""

    model_config = ConfigDict(extra="allow")
    status_code: int = Field(description="The HTTP status, repeated for clients that lose it.")


class ErrorEnvelope(BaseModel):
    """Every error answer, whatever its status."""

    success: Literal[False] = Field(default=False, description="Always false on an error.")
    error_type: str = Field(
        examples=["validation_error"], description="Machine-readable kind of the error."
    )
    error_message: str = Field(description="What went wrong, in words.")
    timestamp: datetime = Field(description="When the error was answered (UTC).")
    error_details: ErrorDetails = Field(description="The status and the error's particulars.")


def error_responses(*errors: type[C360Error]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` documenting the error envelope for `errors` (for routes and routers)."""
    return {e.status_code: {"model": ErrorEnvelope, "description": e.description} for e in errors}


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
                    # Malformed JSON's location is a character offset, not a field.
                    "parameter": "body"
                    if e.get("type") == "json_invalid"
                    else ".".join(str(p) for p in e.get("loc", ())[1:]) or "body",
                    "location": str(e.get("loc", ("?",))[0]),
                    "message": e.get("msg", ""),
                    **({"allowed": e["ctx"]["expected"]} if "expected" in e.get("ctx", {}) else {}),
                }
                for e in exc.errors()
            ]
        )
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 400:  # the framework's only 400: a body it could not parse
            return invalid_parameters(
                [{"parameter": "body", "location": "body", "message": str(exc.detail)}]
            )
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
        if isinstance(exc, C360Error):  # a state the API reports by design (no snapshot yet)
            log.warning("server_error", path=request.url.path, error_type=err.error_type)
        else:
            log.error("unhandled_error", path=request.url.path, error=repr(exc), exc_info=exc)
    body = ErrorEnvelope(
        error_type=err.error_type,
        error_message=err.message,
        timestamp=datetime.now(UTC),
        error_details=ErrorDetails(status_code=err.status_code, **err.details),
    )
    return JSONResponse(body.model_dump(mode="json"), err.status_code, headers=err.headers)


def register_error_handlers(app: FastAPI) -> None:
    """Route every error class through `error_handler`."""
    for exc_class in (C360Error, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(exc_class, error_handler)
