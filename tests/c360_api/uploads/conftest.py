"""Fixtures of the upload tests: an app whose upload jobs are `fake_upload_job.py` (a copy of the
snapshot the real upload pipeline published from `tests.upload_data`), a loopback socket standing
in for the Spark Connect server, and helpers to upload and wait."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from c360_api.core.config import Settings
from tests.c360_api.accounts import user_settings
from tests.c360_api.helpers import wait_for
from tests.upload_data import MAPPING

FAKE_JOB = Path(__file__).resolve().parents[1] / "fake_upload_job.py"


@pytest.fixture(scope="session")
def spark_connect_stand_in() -> Iterator[str]:
    """A loopback port that accepts connections, where upload jobs are told Spark Connect is."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"sc://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def make_settings(tmp_path: Path, upload_warehouse, spark_connect_stand_in: str):
    """Settings of an app with fake upload jobs, on the given database."""
    _, template, _ = upload_warehouse

    def build(database_url: str, fail: bool = False, **overrides: Any) -> Settings:
        command = [
            sys.executable, str(FAKE_JOB), "--job-dir", "{job_dir}", "--warehouse",
            "{warehouse}", "--remote", "{remote}", "--template", str(template),
            *(["--fail"] if fail else []),
        ]  # fmt: skip
        return user_settings(
            tmp_path,
            database_url,
            upload_job_command=command,
            spark_connect_url=spark_connect_stand_in,
            **overrides,
        )

    return build


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'c360.db'}"


def upload(
    client: TestClient,
    header: dict[str, str],
    text: str | bytes,
    mapping: dict[str, str] | None = None,
    name: str = "sales.csv",
    **fields: str,
) -> Any:
    data = {"mapping": json.dumps(MAPPING if mapping is None else mapping), **fields}
    return client.post(
        "/api/jobs/upload", headers=header, files={"file": (name, text, "text/csv")}, data=data
    )


def preview(client: TestClient, header: dict[str, str], text: str | bytes) -> Any:
    return client.post(
        "/api/jobs/upload/preview", headers=header, files={"file": ("f.csv", text, "text/csv")}
    )


def finished(client: TestClient, header: dict[str, str], job_id: str) -> dict[str, Any]:
    """The job's status once it succeeded or failed (bounded wait)."""

    def done() -> dict[str, Any] | None:
        status: dict[str, Any] = client.get(f"/api/jobs/status/{job_id}", headers=header).json()
        return status if status["state"] in ("succeeded", "failed") else None

    result: dict[str, Any] = wait_for(done, timeout=60)
    return result
