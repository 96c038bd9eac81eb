"""Assertions shared by the API tests."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


# How long a `c360 serve` may take to answer: its imports cost seconds of CPU, stretched many
# times over on a loaded machine (a load average of 20 on 2 cores).
SERVE_START_SECONDS = 120.0


def wait_until_up(
    base: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = SERVE_START_SECONDS
) -> None:
    """Wait until the server at `base` answers /ping, failing at once (with its log) if it exits."""

    def answers() -> bool:
        assert proc.poll() is None, f"server exited before answering:\n{log.read_text()[-4000:]}"
        try:
            return httpx.get(f"{base}/ping", timeout=5.0).status_code == 200
        except httpx.TransportError:
            time.sleep(0.1)  # leave the CPU to the starting server
            return False

    wait_for(answers, timeout)


@contextmanager
def c360_serve(
    *args: str, env: dict[str, str], log: Path
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run `c360 serve *args` on a free loopback port with `env`, its output to `log`; yield the
    process and its base URL once it answers, and stop it on exit if it still runs (SIGTERM, then
    SIGKILL)."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "c360_cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             *args],
            env=env,
            stdout=out,
            stderr=out,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, proc, log)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        proc.wait(10)
