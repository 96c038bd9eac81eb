"""Fixtures of the upload tests: an app whose upload jobs are `fake_upload_job.py` (a copy of the
snapshot the real upload pipeline published from `tests.upload_data`), told that Spark Connect is
the loopback socket `spark_connect_stand_in` (tests/c360_api/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from c360_api.core.config import Settings
from tests.c360_api.accounts import upload_job_command, user_settings


@pytest.fixture
def make_settings(tmp_path: Path, upload_warehouse, spark_connect_stand_in: str):
    """Settings of an app with fake upload jobs, on the given database."""
    _, template, _ = upload_warehouse

    def build(database_url: str, fail: bool = False, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "upload_job_command": upload_job_command(template, fail),
            "spark_connect_url": spark_connect_stand_in,
            **overrides,
        }
        return user_settings(tmp_path, database_url, **values)

    return build


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'c360.db'}"


def preview(client: TestClient, header: dict[str, str], text: str | bytes) -> Any:
    return client.post(
        "/api/jobs/upload/preview", headers=header, files={"file": ("f.csv", text, "text/csv")}
    )
