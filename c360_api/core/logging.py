"""Logging of the API: the shared structlog JSON lines, plus stdlib logging (uvicorn) on stderr."""

from __future__ import annotations

import logging
import sys

from c360_contract.logs import configure_json_logging


def configure_logging(level: str) -> None:
    logging.basicConfig(stream=sys.stderr, level=level, format="%(message)s")
    configure_json_logging(level)
