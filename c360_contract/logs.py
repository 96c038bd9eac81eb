"""Structured JSON logging, one object per line on stderr, for pipeline runs and the API alike.

The API's refresh job reads the pipeline's lines to report stage progress, so the event names
(`c360_contract.progress`) are a contract; on a terminal the pipeline renders the same events as a
progress display instead.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from structlog.typing import Processor


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    # sys.stderr is looked up for every logger, so a replaced stream (a test's capture, a
    # redirected service) is honoured and a closed one is never written to.
    return structlog.PrintLogger(sys.stderr)


def configure_json_logging(level: str = "INFO") -> None:
    """JSON lines with ISO UTC timestamps; idempotent, so entry points may call it freely."""
    configure_structlog(level, structlog.processors.JSONRenderer())


def configure_structlog(level: str, renderer: Processor) -> None:
    """The one processor chain; `renderer` turns each event into output (JSON, or a display)."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
