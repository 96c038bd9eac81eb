"""Assertions shared by the API tests."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pandas as pd


def ok(response: httpx.Response) -> dict[str, Any]:
    """Assert a success envelope (a paged list's with its links) and return it."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is True
    fields = {"success", "message", "timestamp", "data", "count", "snapshot_id", "as_of"}
    assert set(body) - {"links"} == fields
    if "links" in body:
        assert set(body["links"]) == {"self", "next", "prev"}
    return body


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert an error envelope with `status` and return it."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is False
    assert set(body) == {"success", "error_type", "error_message", "timestamp", "error_details"}
    assert body["error_details"]["status_code"] == status
    return body


def assert_rows_equal(rows: list[dict[str, Any]], expected: pd.DataFrame, keys: list[str]) -> None:
    """API rows equal the expected frame (same columns, order-insensitive, floats to 1e-9)."""
    got = pd.DataFrame(rows, columns=list(expected.columns))
    assert len(got) == len(expected)
    got = got.sort_values(keys).reset_index(drop=True)
    want = expected.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_exact=False, rtol=1e-9)


def read_csv(response: httpx.Response) -> pd.DataFrame:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return pd.read_csv(io.StringIO(response.text), keep_default_na=False, dtype=str)


def wait_for(condition: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Poll `condition` until truthy, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
    raise AssertionError("condition not met before the deadline")


def fake_pipeline_mode(warehouse: Path, mode: str) -> None:
    """Tell tests/c360_api/fake_pipeline.py (its control.json beside `warehouse`) what to do."""
    tmp = warehouse.parent / "control.tmp"
    tmp.write_text(json.dumps({"mode": mode}))
    tmp.replace(warehouse.parent / "control.json")


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_up(base: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Wait until the server at `base` answers /ping, failing if it exits first."""

    def answers() -> bool:
        assert proc.poll() is None, "server exited before answering"
        try:
            return httpx.get(f"{base}/ping", timeout=1.0).status_code == 200
        except httpx.TransportError:
            return False

    wait_for(answers, timeout)
