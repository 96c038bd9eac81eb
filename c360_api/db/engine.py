"""The database engine, its migrations and sessions.

SQLite (a file under the state directory, WAL journal so readers never wait for the job writer)
by default; PostgreSQL through psycopg 3 when `C360_DATABASE_URL` says so. The schema is brought
to the newest Alembic revision when the database is first used (the API opens it in the
background as soon as it serves), so an upgraded API migrates its database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
log = structlog.get_logger("c360_api.db")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL and foreign keys, its directory is created."""
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is there)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


class Database:
    """The engine and a session factory; `session()` commits on success, rolls back on error.

    Made on first use: SQLAlchemy and Alembic are imported, the engine made and the schema
    migrated by the first `session()` or `open()` (the API calls it in the background once it
    serves; the imports alone cost its start about a second, and only accounts and uploads need
    them). The `on_open` hooks run once, after the migration and before any other thread gets a
    session.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.RLock()  # a hook's own sessions re-enter `open`
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._hooks: list[Callable[[], None]] = []

    @property
    def engine(self) -> Engine:
        """The engine (made on first use; no migration)."""
        with self._lock:
            if self._engine is None:
                self._engine = make_engine(self.url)
            return self._engine

    def on_open(self, hook: Callable[[], None]) -> None:
        """Run `hook` once the schema is migrated, before any other thread gets a session."""
        self._hooks.append(hook)

    def migrate(self) -> None:
        migrate(self.engine)

    def open(self) -> sessionmaker[Session]:
        """Migrate and run the hooks, once; a failed migration is tried again on the next call.

        The lock is held while the hooks run: their own sessions re-enter it, every other thread
        waits for them (one uncontended lock per session otherwise)."""
        with self._lock:
            if self._sessions is None:
                from sqlalchemy.orm import sessionmaker

                self.migrate()
                self._sessions = sessionmaker(self.engine, expire_on_commit=False)
                for hook in self._hooks:
                    hook()
            return self._sessions

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.open().begin() as session:
            yield session

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()


def open_in_background(db: Database) -> threading.Thread:
    """Open `db` off the request path; a failure is logged, and the next session tries again."""

    def run() -> None:
        try:
            db.open()
        except Exception as exc:
            log.error("database_open_failed", error=repr(exc))

    thread = threading.Thread(target=run, name="open-database", daemon=True)
    thread.start()
    return thread
