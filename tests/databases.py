"""Databases for the account and job tests: SQLite files, and a real PostgreSQL server.

The PostgreSQL server comes from the machine's packages (`/usr/lib/postgresql/15/bin`), runs as the
`postgres` user in a temporary directory, listens on a loopback port only, and is stopped when the
session ends. Tests parametrised over `database_url` run once per database; the PostgreSQL case is
skipped, saying why, only when the binaries are absent.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from c360_mock_data.local_postgres import PG_BIN, create_database, local_postgres

__all__ = ["PG_BIN", "database_url", "fresh_postgres_database", "postgres_server"]

_names = itertools.count()
_SQLALCHEMY = "postgresql+psycopg://"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """`postgresql+psycopg://postgres@127.0.0.1:<port>/` of a server running for the session."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN} (apt-get install -y postgresql)")
    with local_postgres() as server:
        yield server.replace("postgresql://", _SQLALCHEMY)


def fresh_postgres_database(server: str) -> str:
    """A new, empty database on the session's server."""
    name = f"c360_test_{os.getpid()}_{next(_names)}"
    plain = server.replace(_SQLALCHEMY, "postgresql://")
    return create_database(plain, name).replace("postgresql://", _SQLALCHEMY)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'c360.db'}"
    server: str = request.getfixturevalue("postgres_server")
    return fresh_postgres_database(server)
