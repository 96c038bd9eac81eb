"""Structured JSON logging for pipeline runs: one line per event on stderr.

The API's refresh job reads these lines to report stage progress, so the event names
(`stage_started`, `stage_finished`, `pipeline_finished`, `pipeline_failed`) are a contract.
"""

from __future__ import annotations

import logging
import sys

import structlog


def configure_run_logging(level: str = "INFO") -> None:
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(sort_keys=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
