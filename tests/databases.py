"""Databases for the account and job tests: SQLite files, and a real PostgreSQL server.

The PostgreSQL server comes from the machine's packages (`/usr/lib/postgresql/15/bin`), runs as the
`postgres` user in a temporary directory, listens on a loopback port only, and is stopped when the
session ends. Tests parametrised over `database_url` run once per database; the PostgreSQL case is
skipped, saying why, only when the binaries are absent.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

PG_BIN = Path(os.environ.get("C360_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
_names = itertools.count()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres(*argv: str) -> list[str]:
    """Run as the postgres user when we are root (initdb refuses root)."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """`postgresql+psycopg://postgres@127.0.0.1:<port>/` of a server running for the session."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN} (apt-get install -y postgresql)")
    root = Path(tempfile.mkdtemp(prefix="c360-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w",
            "start",
        ),
        check=True,
        capture_output=True,
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/"
    finally:
        subprocess.run(
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def fresh_postgres_database(server: str) -> str:
    """A new, empty database on the session's server."""
    name = f"c360_test_{os.getpid()}_{next(_names)}"
    plain = server.replace("postgresql+psycopg://", "postgresql://") + "postgres"
    with contextlib.closing(psycopg.connect(plain, autocommit=True)) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return server + name


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'c360.db'}"
    server: str = request.getfixturevalue("postgres_server")
    return fresh_postgres_database(server)
