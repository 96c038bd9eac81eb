"""`c360 serve`: uvicorn with one worker (one process owns the snapshot store and the job runner).

A stop asked for by SIGINT (Ctrl-C) or SIGTERM (an orchestrator, `kill`) is a clean shutdown and
exits 0: uvicorn finishes in-flight requests, then re-raises the signal it caught, which would
otherwise turn every deliberate stop into an error status (`make: *** Error 143`).
"""

from __future__ import annotations

import argparse
import gc
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--warehouse", type=Path, help="Overrides C360_WAREHOUSE.")
    parser.add_argument(
        "--admin-key-file",
        type=Path,
        help="Local only: also accept the key in this file (see `c360 admin-key`), with every scope.",
    )


def _exit_cleanly(signum: int, _frame: FrameType | None) -> None:
    sys.exit(0)


def run(args: argparse.Namespace) -> int:
    # Start-up allocates what lives as long as the process (modules, routes, schemas): collecting
    # cycles meanwhile finds next to nothing and costs a share of the start. Collect from when the
    # app is built, with all of it frozen out of later collections (shorter pauses under load).
    gc.disable()
    try:
        import uvicorn

        app = _build(args)
    finally:
        gc.freeze()
        gc.enable()
    # uvicorn restores these after its graceful shutdown and re-raises the signal into them.
    for signum in STOP_SIGNALS:
        signal.signal(signum, _exit_cleanly)
    try:
        uvicorn.run(
            app, host=args.host, port=args.port, workers=1, access_log=False, log_config=None
        )
    finally:
        # Frozen objects are never freed at exit: DuckDB's bindings (nanobind) would then print
        # dozens of "leaked instance" lines after every stop.
        gc.unfreeze()
    return 0


def _build(args: argparse.Namespace) -> FastAPI:
    """The app over the settings, with the local admin key when asked for."""
    from c360_api.core.config import Settings
    from c360_api.local_key import api_key, load_or_mint
    from c360_api.main import create_app

    overrides = {"warehouse": args.warehouse} if args.warehouse else {}
    settings = Settings(**overrides)
    if args.admin_key_file:
        if settings.environment == "production":
            raise SystemExit("--admin-key-file is refused in production")
        raw, _ = load_or_mint(args.admin_key_file)
        settings.api_keys = [*settings.api_keys, api_key(raw)]
    return create_app(settings)
