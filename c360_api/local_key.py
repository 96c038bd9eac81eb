"""`c360 admin-key`: the local admin key, kept in a file only its owner can read.

`make run` asks for it first, so a newcomer sees the key before minutes of data generation, and
the README's examples read it with `KEY=$(cat .c360/admin-key)`. The file holds the raw key (it is
the user's own credential, like an SSH key); the server keeps only its sha256. Local only:
production refuses it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
from pathlib import Path

from c360_api.core.config import ApiKey
from c360_contract.scopes import Scope

DEFAULT_KEY_FILE = Path(".c360/admin-key")
KEY_ID = "local-admin-file"


def load_or_mint(path: Path, rotate: bool = False) -> tuple[str, bool]:
    """The key stored at `path` (minted, owner-only, when missing or `rotate`); and whether it
    is new."""
    if path.exists() and not rotate:
        return path.read_text().strip(), False
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = secrets.token_urlsafe(32)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(raw + "\n")
    os.replace(tmp, path)
    return raw, True


def api_key(raw: str) -> ApiKey:
    """The settings entry for the local key: every scope, stored as its hash."""
    return ApiKey(
        key_id=KEY_ID, key_sha256=hashlib.sha256(raw.encode()).hexdigest(), scopes=frozenset(Scope)
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file", type=Path, default=DEFAULT_KEY_FILE, help="Where the key lives.")
    parser.add_argument("--rotate", action="store_true", help="Replace the key with a new one.")


def run(args: argparse.Namespace) -> int:
    raw, minted = load_or_mint(args.file, args.rotate)
    state = "new" if minted else "existing"
    print(f"Local admin API key ({state}; all scopes, this machine only): {raw}")
    print(f"  stored in {args.file} (readable by you only); use it as: KEY=$(cat {args.file})")
    return 0
