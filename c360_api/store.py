"""The only code that touches data: published snapshots read through embedded DuckDB.

`SnapshotStore` follows `WAREHOUSE/CURRENT`. Each request leases one immutable `Snapshot` for its
whole life, so a switch never shows a request a mix of two snapshots; a snapshot's DuckDB
connections are closed when the store has moved on *and* its last lease is returned. Every query
takes its own cursor of a connection, which is what DuckDB wants for multi-threaded readers.

A snapshot answers at once from views over its Parquet. When configured, a background thread copies
the hot tables into a second, in-memory connection, which then serves every later query: opening
(and so API start and snapshot switches) never waits for the copy.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import structlog

from c360_api.exceptions import ForbiddenError, SnapshotUnavailableError
from c360_contract.personal_data import PERSONAL_COLUMNS
from c360_contract.warehouse import (
    current_file,
    current_snapshot_id,
    read_manifest,
    snapshot_path,
    table_dirs,
)

log = structlog.get_logger("c360_api.store")

Row = dict[str, Any]

# Tables the API reads per request, copied into memory when configured, each with an index on
# customer_id: profile filters and sorts stop re-reading Parquet, and a customer's rows are one index
# probe instead of decoding a whole Parquet row group (~10 ms per fact table at 1M customers).
HOT_TABLES: frozenset[str] = frozenset(
    {"customer_profile", "identity_crosswalk", "fact_orders", "fact_support_tickets"}
)

# Marts served as-is, each with its fixed presentation order.
MART_ORDER: dict[str, str] = {
    "mart_health_overview": "customers DESC, customer_status",
    "mart_loyalty_metrics": "members DESC, loyalty_tier",
    "mart_segment_summary": "customers DESC, customer_segment",
    "mart_digital_engagement": "customers DESC, generation",
    "mart_cross_sell": "opportunity_type, potential_revenue DESC NULLS LAST, target",
    "mart_category_insights": "net_revenue DESC, category",
    "mart_clv_by_segment": "total_clv_net_revenue DESC, customer_segment",
    "mart_revenue_by_segment": "net_revenue DESC, customer_segment, channel",
    "mart_rfm_segments": "customers DESC, rfm_segment",
    "mart_rfm_matrix": "r_score DESC, fm_score DESC",
    "mart_profitability": "net_margin DESC, customer_segment",
    "mart_support_insights": "tickets DESC, category",
    "mart_lifecycle": "customers DESC, lifecycle_stage",
}

# Sortable profile columns; a leading '-' in the request means descending.
PROFILE_SORT_COLUMNS: frozenset[str] = frozenset(
    {
        "customer_id",
        "customer_name",
        "total_spent",
        "total_orders",
        "customer_health_score",
        "churn_risk_score",
        "recency_days",
        "last_order_date",
        "predicted_clv_12m",
        "clv_net_revenue",
        "tenure_days",
        "signup_date",
    }
)

# Repeatable equality filters on customer_profile: request parameter -> column.
PROFILE_IN_FILTERS: dict[str, str] = {
    "customer_status": "customer_status",
    "segment": "customer_segment",
    "loyalty_tier": "loyalty_tier",
    "rfm_segment": "rfm_segment",
    "generation": "generation",
    "state": "state",
}
# Lower bounds: request parameter -> column.
PROFILE_MIN_FILTERS: dict[str, str] = {
    "min_health_score": "customer_health_score",
    "min_lifetime_value": "total_spent",
}

# In memory, the columns profile filters compare become ENUMs (built from the snapshot's values):
# a filter then compares small integers, not strings, which halves a filtered page at 1M customers.
ENUM_COLUMNS: dict[str, tuple[str, ...]] = {"customer_profile": tuple(PROFILE_IN_FILTERS.values())}

RECENT_LIMIT = 20


@dataclass(frozen=True)
class ProfileQuery:
    """Validated profile filters (values already checked against their enums by the API layer)."""

    in_filters: dict[str, list[str]]
    min_filters: dict[str, float]
    sort: str
    limit: int
    offset: int


def _ident(name: str) -> str:
    """Quote an identifier that comes from code (model fields, whitelists), never from a client."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not an identifier: {name!r}")
    return f'"{name}"'


def _select_list(columns: Sequence[str], pii: bool) -> str:
    """Personal data is masked here, in the query, so no representation built on it can leak."""
    return ", ".join(
        f"NULL AS {_ident(c)}" if (c in PERSONAL_COLUMNS and not pii) else _ident(c)
        for c in columns
    )


def _select_all(pii: bool) -> str:
    """`*` of a table holding every personal column, with them NULL unless `pii` (as
    `_select_list`)."""
    if pii:
        return "*"
    return f"* REPLACE ({', '.join(f'NULL AS {_ident(c)}' for c in sorted(PERSONAL_COLUMNS))})"


def _signature(current_file: str) -> tuple[int, int, int] | None:
    """A cheap signature of CURRENT (one stat, asked on every request), or None when nothing is
    published yet."""
    try:
        st = os.stat(current_file)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _read_current(warehouse: Path) -> tuple[tuple[int, int, int], str] | None:
    """(signature, snapshot id) of CURRENT, or None when nothing is published yet."""
    signature = _signature(str(current_file(warehouse)))
    snapshot_id = current_snapshot_id(warehouse)
    return None if signature is None or snapshot_id is None else (signature, snapshot_id)


def _fetch(
    cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> list[Row]:
    cur.execute(sql, params if isinstance(params, dict) else list(params))
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _connect(root: Path, tables: frozenset[str]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB over a snapshot: `tables` copied into memory, the rest views."""
    con = duckdb.connect(":memory:")
    # Views re-read Parquet footers on every query unless told to keep them.
    con.execute("SET parquet_metadata_cache = true")
    # Late materialisation turns "a customer's latest 20 rows" from an index probe into a row-group
    # scan plus a semi-join (1.5 -> 2.4 ms per fact table); page queries already materialise late.
    con.execute("SET disabled_optimizers = 'late_materialization'")
    for table_dir in table_dirs(root):
        name = table_dir.name
        source = f"read_parquet('{table_dir.as_posix()}/*.parquet')"
        if name in tables:
            table = _ident(name)
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM {source}")
            for column in ENUM_COLUMNS.get(name, ()):
                enum, col = _ident(f"{name}_{column}"), _ident(column)
                if con.execute(f"SELECT count({col}) FROM {table}").fetchone() == (0,):
                    continue  # an ENUM needs at least one value
                con.execute(
                    f"CREATE TYPE {enum} AS ENUM (SELECT DISTINCT {col} FROM {table} "
                    f"WHERE {col} IS NOT NULL ORDER BY 1)"
                )
                con.execute(f"ALTER TABLE {table} ALTER {col} TYPE {enum}")
            con.execute(f"CREATE INDEX {_ident(name + '_customer')} ON {table} (customer_id)")
        else:
            con.execute(f"CREATE VIEW {_ident(name)} AS SELECT * FROM {source}")
    return con


class Snapshot:
    """One published snapshot: its manifest and a DuckDB connection over its tables."""

    def __init__(self, root: Path, in_memory: bool) -> None:
        manifest = read_manifest(root)
        self.root = root
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
        started = time.perf_counter()
        self._views = _connect(root, frozenset())
        self._tables: duckdb.DuckDBPyConnection | None = None
        self.open_seconds = time.perf_counter() - started
        log.info(
            "snapshot_opened",
            snapshot_id=self.snapshot_id,
            seconds=round(self.open_seconds, 3),
            in_memory=in_memory,
        )
        if in_memory:
            self._refs += 1  # the loader's reference: the snapshot stays open while it copies
            # Not daemon threads (nor the closer): exiting with DuckDB mid-statement aborts.
            threading.Thread(target=self._load, name=f"load-{self.snapshot_id}").start()

    def _load(self) -> None:
        """Copy the hot tables into memory; queries switch over when done (views until then)."""
        started = time.perf_counter()
        try:
            tables = _connect(self.root, HOT_TABLES)
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
        threading.Thread(target=self._close, name=f"close-{self.snapshot_id}").start()

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

    # --- queries --------------------------------------------------------------------------

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        return (self._tables or self._views).cursor()

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        with self._cursor() as cur:
            return _fetch(cur, sql, params)

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._cursor() as cur:
            row = cur.execute(sql, list(params)).fetchone()
            return None if row is None else row[0]

    def mart(self, table: str, columns: Sequence[str]) -> list[Row]:
        """A whole mart in its presentation order."""
        order = MART_ORDER[table]
        return self._rows(
            f"SELECT {_select_list(columns, True)} FROM {_ident(table)} ORDER BY {order}"
        )

    def churn_risk(
        self,
        columns: Sequence[str],
        pii: bool,
        min_lifetime_value: float | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Row], int]:
        """High/Critical-risk customers not yet churned, biggest spenders first."""
        where = "risk_status IN ('High', 'Critical') AND customer_status <> 'Churned'"
        params: list[Any] = []
        if min_lifetime_value is not None:
            where += " AND total_spent >= ?"
            params.append(min_lifetime_value)
        return self._page(
            columns,
            pii,
            where,
            params,
            "total_spent",
            "total_spent DESC, customer_id",
            limit,
            offset,
        )

    def profiles(self, columns: Sequence[str], pii: bool, q: ProfileQuery) -> tuple[list[Row], int]:
        """Filtered, sorted page of customer profiles."""
        clauses: list[str] = []
        params: list[Any] = []
        for param, values in q.in_filters.items():
            if values:
                clauses.append(
                    f"{_ident(PROFILE_IN_FILTERS[param])} IN ({', '.join('?' * len(values))})"
                )
                params.extend(values)
        for param, bound in q.min_filters.items():
            clauses.append(f"{_ident(PROFILE_MIN_FILTERS[param])} >= ?")
            params.append(bound)
        column = q.sort.removeprefix("-")
        if column not in PROFILE_SORT_COLUMNS:
            raise ValueError(f"unsortable column {column!r}")
        if column in PERSONAL_COLUMNS and not pii:
            # The order of a masked column would still tell its values apart.
            raise ForbiddenError(
                f"Sorting by {column} needs the pii scope", parameter="sort", required_scope="pii"
            )
        direction = "DESC" if q.sort.startswith("-") else "ASC"
        order = f"{_ident(column)} {direction} NULLS LAST, customer_id"
        return self._page(
            columns, pii, " AND ".join(clauses), params, column, order, q.limit, q.offset
        )

    def _page(
        self,
        columns: Sequence[str],
        pii: bool,
        where: str,
        params: list[Any],
        sort_column: str,
        order: str,
        limit: int,
        offset: int,
    ) -> tuple[list[Row], int]:
        """One page of `where` (empty: every row) in `order`, and the total.

        Late materialisation: filter, sort and page on the narrow columns involved to find the
        page's customer_ids, then read the wide rows of just those ids (sorting every matching wide
        row to keep a hundred was most of a page's cost). With a filter, the matching narrow rows
        are materialised once and serve both the count and the page (the string filters are the
        expensive part); without one the count is free and sorting in place is cheaper.
        """
        if "customer_id" not in columns:
            raise ValueError(
                "a page's columns must include customer_id (rows are put in order by it)"
            )
        narrow = ", ".join(_ident(c) for c in dict.fromkeys(("customer_id", sort_column)))
        if where:
            page_sql = (
                "WITH matching AS MATERIALIZED ("
                f"SELECT {narrow} FROM customer_profile WHERE {where}) "
                "SELECT (SELECT count(*) FROM matching), (SELECT list(customer_id ORDER BY "
                f"{order}) FROM (SELECT * FROM matching ORDER BY {order} LIMIT ? OFFSET ?))"
            )
        else:
            page_sql = (
                "SELECT (SELECT count(*) FROM customer_profile), (SELECT list(customer_id ORDER BY "
                f"{order}) FROM (SELECT {narrow} FROM customer_profile "
                f"ORDER BY {order} LIMIT ? OFFSET ?))"
            )
        with self._cursor() as cur:
            page = cur.execute(page_sql, [*params, limit, offset]).fetchone()
            assert page is not None
            total, ids = int(page[0]), page[1] or []
            if not ids:
                return [], total
            # A literal IN list of parameters probes the customer_id index; `= ANY($list)` scans.
            rows = _fetch(
                cur,
                f"SELECT {_select_list(columns, pii)} FROM customer_profile "
                f"WHERE customer_id IN ({', '.join('?' * len(ids))})",
                ids,
            )
        by_id = {row["customer_id"]: row for row in rows}
        return [by_id[i] for i in ids], total

    def customer(
        self,
        customer_id: str,
        pii: bool,
        profile_columns: Sequence[str],
        order_columns: Sequence[str],
        ticket_columns: Sequence[str],
    ) -> Row | None:
        """The 360 view of one customer, or None when the id is unknown.

        Four small queries on one cursor (a cursor costs about 0.25 ms). The profile row is read as
        `*` and narrowed here: DuckDB binds a hundred named columns about 1 ms slower than `*`.
        """
        recent = "WHERE customer_id = ? ORDER BY {} DESC, {} DESC LIMIT ?"
        with self._cursor() as cur:
            found = _fetch(
                cur,
                f"SELECT {_select_all(pii)} FROM customer_profile WHERE customer_id = ?",
                [customer_id],
            )
            if not found:
                return None
            identities = _fetch(
                cur,
                "SELECT source, source_record_id FROM identity_crosswalk WHERE customer_id = ? "
                "ORDER BY source, source_record_id",
                [customer_id],
            )
            orders = _fetch(
                cur,
                f"SELECT {_select_list(order_columns, pii)} FROM fact_orders "
                + recent.format("order_ts", "order_id"),
                [customer_id, RECENT_LIMIT],
            )
            tickets = _fetch(
                cur,
                f"SELECT {_select_list(ticket_columns, pii)} FROM fact_support_tickets "
                + recent.format("created_at", "ticket_id"),
                [customer_id, RECENT_LIMIT],
            )
        return {
            "profile": {c: found[0][c] for c in profile_columns},
            "identities": identities,
            "recent_orders": orders,
            "recent_tickets": tickets,
        }

    def lookup(self, source: str, source_record_id: str) -> str | None:
        """The customer a source record was linked to."""
        found = self._scalar(
            "SELECT customer_id FROM identity_crosswalk WHERE source = ? AND source_record_id = ? "
            "LIMIT 1",
            [source, source_record_id],
        )
        return None if found is None else str(found)


class SnapshotStore:
    """Follows CURRENT and hands out leased snapshots; switches atomically when CURRENT changes."""

    def __init__(
        self, warehouse: Path, in_memory: bool, on_switch: Callable[[Snapshot], None] | None = None
    ) -> None:
        self.warehouse = warehouse
        self._current_file = str(current_file(warehouse))
        self.in_memory = in_memory
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
        with self._lock:
            snap, self._current, self._seen = self._current, None, None
        if snap is not None:
            snap.release()
