"""Helpers of the account, upload and workspace tests: an app on a given database, users."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from c360_api.core.config import Settings
from c360_api.main import create_app
from tests.c360_api.helpers import wait_for
from tests.upload_data import MAPPING

PASSWORD = "correct-horse-battery"
FAKE_JOB = Path(__file__).with_name("fake_upload_job.py")


def upload_job_command(template: Path, fail: bool = False) -> list[str]:
    """The upload job command of `fake_upload_job.py`: it publishes a copy of `template`'s
    snapshot (or fails)."""
    return [
        sys.executable, str(FAKE_JOB), "--job-dir", "{job_dir}", "--warehouse", "{warehouse}",
        "--remote", "{remote}", "--template", str(template), *(["--fail"] if fail else []),
    ]  # fmt: skip


def user_settings(tmp: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "warehouse": tmp / "warehouse",
        "state_dir": tmp / "state",
        "database_url": database_url,
        "rate_limit_per_minute": 100_000,
        "failed_auth_per_minute": 100_000,
        "login_per_minute": 100_000,
        "snapshot_in_memory": False,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextmanager
def app_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def sign_up(client: TestClient, email: str) -> dict[str, str]:
    """Register `email` and return the bearer header of its login."""
    assert (
        client.post("/api/auth/register", json={"email": email, "password": PASSWORD}).status_code
        == 201
    )
    token = client.post("/api/auth/login", data={"username": email, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


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


def finished(client: TestClient, header: dict[str, str], job_id: str) -> dict[str, Any]:
    """The job's status once it succeeded or failed (bounded wait)."""

    def done() -> dict[str, Any] | None:
        status: dict[str, Any] = client.get(f"/api/jobs/status/{job_id}", headers=header).json()
        return status if status["state"] in ("succeeded", "failed") else None

    result: dict[str, Any] = wait_for(done, timeout=60)
    return result
