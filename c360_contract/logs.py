"""Structured JSON logging, one object per line on stderr, for pipeline runs and the API alike.

The API's refresh job reads the pipeline's lines to report stage progress, so the event names
(`stage_started`, `stage_finished`, `pipeline_finished`, `pipeline_failed`) are a contract.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    # sys.stderr is looked up for every logger, so a replaced stream (a test's capture, a
    # redirected service) is honoured and a closed one is never written to.
    return structlog.PrintLogger(sys.stderr)


def configure_json_logging(level: str = "INFO") -> None:
    """JSON lines with ISO UTC timestamps; idempotent, so entry points may call it freely."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
