"""Browser fixtures: a real `c360 serve` on loopback over a copy of the session's snapshot, and
Playwright's chromium launched from the machine's Debian package (never `playwright install`).

The server opens the four data scopes to callers without a key, as `make run` does, so the
dashboard's requests are what a local user's are.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench.browser import launch_args
from c360_contract.scopes import DATA_SCOPES
from tests.c360_api.accounts import upload_job_command
from tests.c360_api.conftest import Expect, build_test_warehouse
from tests.c360_api.helpers import c360_serve


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments, pointed at /usr/bin/chromium."""
    return {**browser_type_launch_args, **launch_args()}


@pytest.fixture(scope="session")
def served_warehouse(pipeline_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_test_warehouse(pipeline_warehouse, tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="session")
def served_expect(served_warehouse: Path) -> Expect:
    return Expect(served_warehouse)


@contextmanager
def serving(warehouse: Path, log_path: Path, **settings: str) -> Iterator[str]:
    """Run `c360 serve` over `warehouse` with `settings` (C360_* variables) added; yield its base
    URL."""
    env = {
        **os.environ,
        "C360_ENVIRONMENT": "local",
        "C360_API_KEYS": "[]",
        "C360_ANONYMOUS_SCOPES": json.dumps(sorted(s.value for s in DATA_SCOPES)),
        "C360_RATE_LIMIT_PER_MINUTE": "100000",
        **{f"C360_{name.upper()}": value for name, value in settings.items()},
    }
    with c360_serve("--warehouse", str(warehouse), env=env, log=log_path) as (_, base):
        yield base


@pytest.fixture(scope="session")
def live_server(served_warehouse: Path) -> Iterator[str]:
    """Base URL of `c360 serve` on 127.0.0.1 (stopped with SIGTERM after the session)."""
    with serving(served_warehouse, served_warehouse.parent / "server.log") as base:
        yield base


# The owner server's upload limit: the test export (about 120 kB) fits, a 1.2 MB file is a 413.
UPLOAD_LIMIT = 1_000_000


@pytest.fixture(scope="session")
def owner_server(
    served_warehouse: Path, upload_warehouse: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A second `c360 serve` for the owner's pages: accounts in SQLite, upload jobs run by
    `fake_upload_job.py` (a copy of the snapshot the real upload pipeline published from
    `tests.upload_data`), told that Spark Connect is a loopback socket that only accepts."""
    _, template, _ = upload_warehouse
    state = tmp_path_factory.mktemp("owner")
    command = upload_job_command(template)
    with socket.socket() as stand_in:
        stand_in.bind(("127.0.0.1", 0))
        stand_in.listen(16)
        with serving(
            served_warehouse,
            state / "server.log",
            state_dir=str(state),
            upload_job_command=json.dumps(command),
            spark_connect_url=f"sc://127.0.0.1:{stand_in.getsockname()[1]}",
            login_per_minute="100000",
            failed_auth_per_minute="100000",
            upload_max_bytes=str(UPLOAD_LIMIT),
        ) as base:
            yield base


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright's base URL (pages open paths relative to the live server)."""
    return live_server


@pytest.fixture(scope="session")
def artefacts(pytestconfig: pytest.Config) -> Path:
    """Where screenshots go: pytest-playwright's --output directory (test-results/)."""
    path = Path(str(pytestconfig.getoption("--output")))
    path.mkdir(parents=True, exist_ok=True)
    return path
