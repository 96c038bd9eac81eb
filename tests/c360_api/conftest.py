"""API test fixtures: warehouses holding a snapshot the real pipeline published from generated data.

The session's one pipeline run (`pipeline_warehouse` in tests/conftest.py) is copied, never
modified, so tests that publish or switch snapshots get their own warehouse. Every expectation is
computed independently with DuckDB over the snapshot's Parquet, never with the API's own code.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from c360_api.core.config import ApiKey, Settings
from c360_api.main import create_app
from c360_contract.scopes import Scope
from tests.c360_api.accounts import finished, sign_up, upload, upload_job_command
from tests.upload_data import make_sales


def build_test_warehouse(source: Path, path: Path) -> Path:
    """A new warehouse under `path` holding a copy of `source`'s current snapshot."""
    snapshot_id = (source / "CURRENT").read_text().strip()
    warehouse = path / "warehouse"
    shutil.copytree(
        source / "snapshots" / snapshot_id,
        warehouse / "snapshots" / snapshot_id,
        ignore=shutil.ignore_patterns("quarantine"),
    )
    (warehouse / "CURRENT").write_text(snapshot_id + "\n")
    return warehouse


# --- keys, settings, clients, expectations ---------------------------------------------------

KEYS: dict[str, tuple[str, set[Scope]]] = {
    "marketing": ("mk-secret-1", {Scope.MARKETING}),
    "product": ("pr-secret-1", {Scope.PRODUCT}),
    "finance": ("fi-secret-1", {Scope.FINANCE}),
    "customer_success": ("cs-secret-1", {Scope.CUSTOMER_SUCCESS}),
    "pii": ("pii-secret-1", {Scope.MARKETING, Scope.PII}),
    "admin": ("ad-secret-1", {Scope.ADMIN}),
    "all": ("all-secret-1", set(Scope)),
}


def headers(role: str) -> dict[str, str]:
    return {"X-API-Key": KEYS[role][0]}


def api_keys() -> list[ApiKey]:
    return [
        ApiKey(
            key_id=role,
            key_sha256=hashlib.sha256(raw.encode()).hexdigest(),
            scopes=frozenset(scopes),
        )
        for role, (raw, scopes) in KEYS.items()
    ]


def make_settings(warehouse: Path, **overrides: Any) -> Settings:
    control = warehouse.parent / "control.json"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {
        "warehouse": warehouse,
        # The API's own database and files: never the working directory, and beside the
        # warehouse in pytest's temporary tree, which pytest prunes (not left behind in /tmp).
        "state_dir": Path(tempfile.mkdtemp(prefix="c360-state-", dir=warehouse.parent)),
        "api_keys": api_keys(),
        "rate_limit_per_minute": 100_000,
        "failed_auth_per_minute": 100_000,
        "refresh_command": [
            sys.executable,
            str(Path(__file__).with_name("fake_pipeline.py")),
            "--warehouse",
            "{warehouse}",
            "--control",
            str(control),
        ],
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class Expect:
    """Independent expectations: DuckDB SQL over the Parquet of the snapshot CURRENT names."""

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse
        self._connections: dict[str, duckdb.DuckDBPyConnection] = {}

    @property
    def snapshot_id(self) -> str:
        return (self.warehouse / "CURRENT").read_text().strip()

    @property
    def as_of(self) -> str:
        manifest = json.loads(
            (self.warehouse / "snapshots" / self.snapshot_id / "manifest.json").read_text()
        )
        return str(manifest["as_of"])

    def _views(self) -> duckdb.DuckDBPyConnection:
        """A view per table of the current snapshot. Snapshots never change once published, so
        one connection per snapshot serves every query on it (creating the ~40 views took ~50 ms,
        paid by every query before)."""
        snapshot_id = self.snapshot_id
        if snapshot_id not in self._connections:
            snap = self.warehouse / "snapshots" / snapshot_id
            con = duckdb.connect()
            for table in (p for p in snap.iterdir() if p.is_dir() and p.name != "quarantine"):
                con.execute(
                    f"CREATE VIEW {table.name} AS SELECT * FROM read_parquet('{table}/*.parquet')"
                )
            self._connections[snapshot_id] = con
        return self._connections[snapshot_id]

    def df(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        with self._views().cursor() as cursor:
            return cursor.execute(sql, params or []).df()


@pytest.fixture(scope="session")
def warehouse(pipeline_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared read-only warehouse; tests that publish build their own."""
    return build_test_warehouse(pipeline_warehouse, tmp_path_factory.mktemp("wh"))


@pytest.fixture
def own_warehouse(pipeline_warehouse: Path, tmp_path: Path) -> Path:
    """A warehouse this test may publish into."""
    return build_test_warehouse(pipeline_warehouse, tmp_path)


@pytest.fixture(scope="session")
def expect(warehouse: Path) -> Expect:
    return Expect(warehouse)


@pytest.fixture(scope="session")
def client(warehouse: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(warehouse))) as c:
        yield c


# --- a signed-in user's workspace --------------------------------------------------------------


@pytest.fixture(scope="session")
def spark_connect_stand_in() -> Iterator[str]:
    """A loopback port that accepts connections, where upload jobs are told Spark Connect is.

    Every connection is accepted and closed at once: left in the backlog, the session's probes
    filled it, and later probes timed out as if the server were down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        threading.Thread(target=accept_and_close, args=(sock,), daemon=True).start()
        yield f"sc://127.0.0.1:{sock.getsockname()[1]}"


def accept_and_close(sock: socket.socket) -> None:
    """Accept until the socket closes, closing each connection."""
    while True:
        try:
            connection, _ = sock.accept()
        except OSError:
            return
        connection.close()


@dataclass(frozen=True)
class Workspace:
    client: TestClient
    owner: dict[str, str]  # the owner's bearer header
    workspace_id: str
    warehouse: Path  # what the workspace published (the upload pipeline's template snapshot)


@pytest.fixture
def workspace(
    warehouse: Path, tmp_path: Path, upload_warehouse: Any, spark_connect_stand_in: str
) -> Iterator[Workspace]:
    """An app over the session's snapshot (with `client`'s keys) whose upload jobs publish a copy
    of `upload_warehouse`, and a signed-in owner's workspace once its job succeeded."""
    _, template, _ = upload_warehouse
    settings = make_settings(
        warehouse,
        state_dir=tmp_path / "state",
        database_url=f"sqlite:///{tmp_path / 'c360.db'}",
        login_per_minute=100_000,
        upload_job_command=upload_job_command(template),
        spark_connect_url=spark_connect_stand_in,
    )
    with TestClient(create_app(settings)) as client:
        owner = sign_up(client, "owner@shop.example")
        job = upload(client, owner, make_sales(40).text).json()
        assert finished(client, owner, job["job_id"])["state"] == "succeeded"
        yield Workspace(client, owner, job["workspace_id"], template)
