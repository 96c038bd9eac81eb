"""Helpers of the account, upload and workspace tests: an app on a given database, users."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from c360_api.core.config import Settings
from c360_api.main import create_app

PASSWORD = "correct-horse-battery"


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
