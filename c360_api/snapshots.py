"""Published snapshots and their lifecycle: leases, the in-memory copy and the CURRENT switch.

`SnapshotStore` follows `WAREHOUSE/CURRENT` (or a workspace's warehouse). Each request leases one
immutable `Snapshot` for its whole life, so a switch never shows a request a mix of two snapshots;
a snapshot's DuckDB connections are closed when the store has moved on *and* its last lease is
returned. Every query takes its own cursor of a connection, which is what DuckDB wants for
multi-threaded readers.

A snapshot answers at once from views over its Parquet (the catalogue's derived tables are views
too). When configured, a background thread copies the hot tables into a second, in-memory
connection and materialises the derived tables there; it then serves every later query. Opening,
and so API start and snapshot switches, never waits for the copy; the API's own store even holds
the first copy back until the server is up, since on a small machine it would take the cores the
start itself needs.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import structlog

from c360_api.catalog.derived import statements
from c360_api.exceptions import SnapshotUnavailableError
from c360_contract.catalog import Row
from c360_contract.warehouse import (
    current_file,
    current_snapshot_id,
    read_manifest,
    snapshot_path,
    table_dirs,
)

log = structlog.get_logger("c360_api.snapshots")
# How long shutdown waits for the current snapshot's load and close to end.
CLOSE_WAIT_SECONDS = 120.0

# Tables the API reads per request, copied into memory when configured, each with an index on
# customer_id: profile filters and sorts stop re-reading Parquet, and a customer's rows are one index
# probe instead of decoding a whole Parquet row group (~10 ms per fact table at 1M customers).
HOT_TABLES: frozenset[str] = frozenset(
    {"customer_profile", "identity_crosswalk", "fact_orders", "fact_support_tickets"}
)

# In memory, the columns profile filters compare become ENUMs (built from the snapshot's values):
# a filter then compares small integers, not strings, which halves a filtered page at 1M customers.
ENUM_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_profile": (
        "customer_status",
        "customer_segment",
        "loyalty_tier",
        "rfm_segment",
        "generation",
        "state",
        "cluster_label",
    )
}


def ident(name: str) -> str:
    """Quote an identifier that comes from code (model fields, whitelists), never from a client."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not an identifier: {name!r}")
    return f'"{name}"'


def fetch(
    cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[Row]:
    """Rows of `sql` as dicts."""
    cur.execute(sql, dict(params) if isinstance(params, Mapping) else list(params))
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _signature(path: str) -> tuple[int, int, int] | None:
    """A cheap signature of CURRENT (one stat, asked on every request), or None when nothing is
    published yet."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _read_current(warehouse: Path) -> tuple[tuple[int, int, int], str] | None:
    """(signature, snapshot id) of CURRENT, or None when nothing is published yet."""
    signature = _signature(str(current_file(warehouse)))
    snapshot_id = current_snapshot_id(warehouse)
    return None if signature is None or snapshot_id is None else (signature, snapshot_id)


def _derive(con: duckdb.DuckDBPyConnection, as_of: date, keep: bool) -> frozenset[str]:
    """Define the catalogue's derived relations; one whose inputs this snapshot lacks (an older
    snapshot, an upload without sessions) is skipped and the metrics needing it say so."""
    top = con.execute("SELECT count(*) - 1 FROM customer_profile").fetchone()
    defined: set[str] = set()
    for name, sql in statements(as_of, int(top[0]) if top else 0, keep):
        try:
            con.execute(sql)
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            log.info("derived_table_skipped", table=name, reason=str(exc).splitlines()[0])
        else:
            defined.add(name)
    return frozenset(defined)


def _connect(
    root: Path, as_of: date, hot: frozenset[str]
) -> tuple[duckdb.DuckDBPyConnection, frozenset[str]]:
    """An in-memory DuckDB over a snapshot, and the relations it holds: `hot` tables copied into
    memory with the derived tables materialised, else everything a view."""
    con = duckdb.connect(":memory:")
    # Views re-read Parquet footers on every query unless told to keep them.
    con.execute("SET parquet_metadata_cache = true")
    # Late materialisation turns "a customer's latest 20 rows" from an index probe into a row-group
    # scan plus a semi-join (1.5 -> 2.4 ms per fact table); page queries already materialise late.
    con.execute("SET disabled_optimizers = 'late_materialization'")
    names = set()
    for table_dir in table_dirs(root):
        name = table_dir.name
        names.add(name)
        source = f"read_parquet('{table_dir.as_posix()}/*.parquet')"
        if name not in hot:
            con.execute(f"CREATE VIEW {ident(name)} AS SELECT * FROM {source}")
            continue
        table = ident(name)
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM {source}")
        present = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
        # A snapshot published before a column existed still loads (its metrics say what it lacks).
        for column in (c for c in ENUM_COLUMNS.get(name, ()) if c in present):
            enum, col = ident(f"{name}_{column}"), ident(column)
            if con.execute(f"SELECT count({col}) FROM {table}").fetchone() == (0,):
                continue  # an ENUM needs at least one value
            con.execute(
                f"CREATE TYPE {enum} AS ENUM (SELECT DISTINCT {col} FROM {table} "
                f"WHERE {col} IS NOT NULL ORDER BY 1)"
            )
            con.execute(f"ALTER TABLE {table} ALTER {col} TYPE {enum}")
        con.execute(f"CREATE INDEX {ident(name + '_customer')} ON {table} (customer_id)")
    return con, frozenset(names) | _derive(con, as_of, keep=bool(hot))


class Snapshot:
    """One published snapshot: its manifest and DuckDB connections over its tables."""

    def __init__(self, root: Path, in_memory: bool) -> None:
        manifest = read_manifest(root)
        self.root = root
        self.manifest = manifest
        self.snapshot_id: str = manifest["snapshot_id"]
        self.as_of: date = date.fromisoformat(manifest["as_of"])
        finished = manifest.get("finished_at")
        self.published_at: datetime = (
            datetime.fromisoformat(finished.replace("Z", "+00:00"))
            if finished
            else datetime.fromtimestamp(root.stat().st_mtime, UTC)
        )
        self._refs = 1  # the store's own reference
        self._lock = threading.Lock()
        self._closed = False
        self._loading = False
        self._threads: list[threading.Thread] = []  # its load and its close, once started
        started = time.perf_counter()
        self._views, self.relations = _connect(root, self.as_of, frozenset())
        self._tables: duckdb.DuckDBPyConnection | None = None
        self.open_seconds = time.perf_counter() - started
        log.info(
            "snapshot_opened",
            snapshot_id=self.snapshot_id,
            seconds=round(self.open_seconds, 3),
            in_memory=in_memory,
        )

    def start_loading(self) -> None:
        """Copy the hot tables into memory in a background thread (once; not once closed)."""
        with self._lock:
            if self._closed or self._loading:
                return
            self._loading = True
            self._refs += 1  # the loader's reference: the snapshot stays open while it copies
        # Not daemon threads (nor the closer): exiting with DuckDB mid-statement aborts.
        self._start(threading.Thread(target=self._load, name=f"load-{self.snapshot_id}"))

    def _start(self, thread: threading.Thread) -> None:
        self._threads.append(thread)
        thread.start()

    def _load(self) -> None:
        """Copy the hot tables into memory and materialise the derived ones; queries switch over
        when done (views until then)."""
        started = time.perf_counter()
        try:
            tables, _ = _connect(self.root, self.as_of, HOT_TABLES)
        except Exception as exc:  # keep serving the views
            log.error("snapshot_load_failed", snapshot_id=self.snapshot_id, error=repr(exc))
        else:
            with self._lock:
                self._tables = tables
            log.info(
                "snapshot_loaded",
                snapshot_id=self.snapshot_id,
                seconds=round(time.perf_counter() - started, 3),
            )
        finally:
            self.release()

    # --- lifetime -------------------------------------------------------------------------

    def acquire(self) -> bool:
        with self._lock:
            if self._closed:
                return False
            self._refs += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._refs -= 1
            if self._refs > 0 or self._closed:
                return
            self._closed = True
        # Freeing in-memory tables takes a while: never on the releasing request's path.
        self._start(threading.Thread(target=self._close, name=f"close-{self.snapshot_id}"))

    def join(self, timeout: float) -> None:
        """Wait for the snapshot's own threads: a load still copying, then the close it leads to."""
        deadline = time.monotonic() + timeout
        while running := [t for t in self._threads if t.is_alive()]:
            running[0].join(max(0.0, deadline - time.monotonic()))
            if time.monotonic() >= deadline:
                return

    def _close(self) -> None:
        self._views.close()
        if self._tables is not None:
            self._tables.close()
        log.info("snapshot_closed", snapshot_id=self.snapshot_id)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def loaded(self) -> bool:
        """Whether the hot tables are in memory (queries no longer read their Parquet)."""
        return self._tables is not None

    def age_seconds(self) -> float:
        return (datetime.now(UTC) - self.published_at).total_seconds()

    # --- reading ---------------------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of the in-memory copy when loaded, else of the views."""
        return (self._tables or self._views).cursor()

    def rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Row]:
        with self.cursor() as cur:
            return fetch(cur, sql, params)

    @cached_property
    def first_date(self) -> date:
        """The first business day with an order: where a window starts by default."""
        found = self.rows("SELECT min(order_date) AS d FROM fact_orders")[0]["d"]
        return found if isinstance(found, date) else self.as_of


class SnapshotStore:
    """Follows CURRENT and hands out leased snapshots; switches atomically when CURRENT changes."""

    def __init__(
        self,
        warehouse: Path,
        in_memory: bool,
        on_switch: Callable[[Snapshot], None] | None = None,
        hold_loads: bool = False,
    ) -> None:
        """`hold_loads`: open snapshots but copy none into memory until `release_loads`."""
        self.warehouse = warehouse
        self._current_file = str(current_file(warehouse))
        self.in_memory = in_memory
        self._hold_loads = hold_loads
        self._on_switch = on_switch
        self._current: Snapshot | None = None
        self._seen: tuple[int, int, int] | None = None
        self._lock = threading.Lock()  # guards _current/_seen swaps
        self._opening = threading.Lock()  # one thread opens a new snapshot at a time

    def stale(self) -> bool:
        """Whether CURRENT changed since the last check: one stat, no read."""
        signature = _signature(self._current_file)
        return signature is not None and signature != self._seen

    def check(self) -> None:
        """Open and switch to the snapshot CURRENT names, if it changed. Cheap when it did not.

        While one thread opens a new snapshot, others keep serving the old one instead of waiting.
        """
        if not self.stale():
            return
        blocking = self._current is None
        if not self._opening.acquire(blocking=blocking):
            return
        try:
            found = _read_current(self.warehouse)
            if found is None or found[0] == self._seen:
                return
            signature, snapshot_id = found
            current = self._current
            if current is not None and current.snapshot_id == snapshot_id:
                self._seen = signature
                return
            try:
                fresh = Snapshot(snapshot_path(self.warehouse, snapshot_id), self.in_memory)
            except Exception as exc:  # a broken publish must not take the served snapshot down
                log.error("snapshot_open_failed", snapshot_id=snapshot_id, error=repr(exc))
                self._seen = signature
                return
            with self._lock:
                old, self._current, self._seen = self._current, fresh, signature
                load = self.in_memory and not self._hold_loads
            if load:
                fresh.start_loading()
            if self._on_switch is not None:
                self._on_switch(fresh)
            log.info(
                "snapshot_switched",
                snapshot_id=snapshot_id,
                previous=old.snapshot_id if old else None,
            )
            if old is not None:
                old.release()
        finally:
            self._opening.release()

    def release_loads(self) -> None:
        """Start copying the current snapshot into memory, and every later one as it opens."""
        with self._lock:
            self._hold_loads = False
            current = self._current
        if current is not None and self.in_memory:
            current.start_loading()

    def peek(self) -> Snapshot | None:
        """The current snapshot without leasing it (for status reporting only)."""
        return self._current

    @contextmanager
    def lease(self) -> Iterator[Snapshot]:
        """The current snapshot, kept open until the block ends (call `check` first to follow
        CURRENT; it may open a snapshot, so async callers run it in a thread)."""
        while True:
            with self._lock:
                snap = self._current
            if snap is None:
                raise SnapshotUnavailableError(
                    "No snapshot has been published yet", warehouse=str(self.warehouse)
                )
            if snap.acquire():
                break
        try:
            yield snap
        finally:
            snap.release()

    def close(self) -> None:
        """At shutdown: the current snapshot is closed before the server says it has finished.
        A copy still loading is waited for here: the process would wait for it on exit anyway
        (its thread is not a daemon), and then close the snapshot after the server's last line."""
        with self._lock:
            snap, self._current, self._seen = self._current, None, None
        if snap is not None:
            snap.release()
            snap.join(CLOSE_WAIT_SECONDS)
