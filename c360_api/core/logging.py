"""Logging of the API: the shared structlog JSON lines, plus stdlib logging (uvicorn) on stderr."""

from __future__ import annotations

import logging
import sys

from c360_contract.logs import configure_json_logging

# Libraries whose INFO/DEBUG lines are their own bookkeeping (a migration check at every start,
# every multipart part flushed to disk), not events of the API.
QUIET_LIBRARIES: tuple[str, ...] = (
    "alembic",
    "python_multipart",
    "multipart",
    "weasyprint",
    "fontTools",
)


def configure_logging(level: str) -> None:
    logging.basicConfig(stream=sys.stderr, level=level, format="%(message)s")
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    configure_json_logging(level)
