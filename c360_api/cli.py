"""`c360 serve`: uvicorn with one worker (one process owns the snapshot store and the job runner)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--warehouse", type=Path, help="Overrides C360_WAREHOUSE.")
    parser.add_argument(
        "--print-admin-key",
        action="store_true",
        help="Local only: mint a one-off key with every scope and print it (never logged).",
    )


def run(args: argparse.Namespace) -> int:
    import hashlib
    import secrets

    import uvicorn

    from c360_api.core.config import ApiKey, Scope, Settings
    from c360_api.main import create_app

    overrides = {"warehouse": args.warehouse} if args.warehouse else {}
    settings = Settings(**overrides)
    if args.print_admin_key:
        if settings.environment == "production":
            raise SystemExit("--print-admin-key is refused in production")
        raw = secrets.token_urlsafe(32)
        digest = hashlib.sha256(raw.encode()).hexdigest()
        settings.api_keys = [
            *settings.api_keys,
            ApiKey(key_id="cli-admin", key_sha256=digest, scopes=frozenset(Scope)),
        ]
        print(f"X-API-Key for this run (all scopes): {raw}", flush=True)
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        workers=1,
        access_log=False,
        log_config=None,
    )
    return 0
