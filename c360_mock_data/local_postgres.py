"""A throw-away PostgreSQL server from the machine's packages, for the tests and the extract
benchmark: `initdb` and `pg_ctl` from `PG_BIN` (as the `postgres` user when run as root, since
initdb refuses root), data in a temporary directory, listening on a loopback port only, fsync off,
and removed when the context ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("C360_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres(*argv: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)


@contextlib.contextmanager
def local_postgres() -> Iterator[str]:
    """`postgresql://postgres@127.0.0.1:<port>/` of a server running for the context."""
    root = Path(tempfile.mkdtemp(prefix="c360-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    try:
        subprocess.run(
            _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"),
            check=True,
            capture_output=True,
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres(
                str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
                "-w", "start",
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/"
    finally:
        subprocess.run(
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def create_database(server: str, name: str) -> str:
    """The URL of a new, empty database `name` on `server` (a `local_postgres` URL)."""
    with contextlib.closing(psycopg.connect(server + "postgres", autocommit=True)) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return server + name
