"""Schemathesis over the whole OpenAPI, in process: no server errors, nothing undocumented.

A key holding every scope drives every operation with generated (valid and invalid) parameters
against an app over a real snapshot; `POST /admin/refresh-data` starts the fake pipeline
(tests/c360_api/fake_pipeline.py), never Spark. Bounded: `MAX_EXAMPLES` per operation, no deadline
per example, the suite's timeout overall. Derandomized, so every run sends the same requests (it
was also run with random seeds while writing it).

The schema is read at collection, before the session's snapshot exists, from an app without data
(its OpenAPI does not depend on data); requests go to `APP_UNDER_TEST`, which forwards them to the
app the fixture builds. (schemathesis' fixture-based loader does not run under this pytest.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from starlette.types import Receive, Scope, Send

from c360_api.main import create_app
from tests.c360_api.conftest import build_test_warehouse, headers, make_settings
from tests.c360_api.helpers import wait_for

MAX_EXAMPLES = 5


class AppUnderTest:
    """ASGI app forwarding every request to `app`, set by the fixture.

    The lifespan is the fixture's alone: a caller's startup and shutdown are acknowledged here, so
    they never close the store or stop a refresh the generated requests started.
    """

    app: FastAPI | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        assert self.app is not None, "the app fixture has not run"
        await self.app(scope, receive, send)


APP_UNDER_TEST = AppUnderTest()
schema = schemathesis.openapi.from_dict(create_app(make_settings(Path("no-warehouse"))).openapi())
schema.app = APP_UNDER_TEST
# As configured auth (not per-call headers), so schemathesis knows every request carries the key.
schema.config.update(headers=headers("all"))


@pytest.fixture(scope="module", autouse=True)
def app(pipeline_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app under test over its own warehouse; refresh jobs fail fast in the fake pipeline."""
    warehouse = build_test_warehouse(pipeline_warehouse, tmp_path_factory.mktemp("st"))
    (warehouse.parent / "control.json").write_text(json.dumps({"mode": "fail"}))
    application = create_app(make_settings(warehouse, snapshot_in_memory=False))
    with TestClient(application):  # runs the lifespan: the store is closed at the end
        APP_UNDER_TEST.app = application
        yield application
    APP_UNDER_TEST.app = None


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms(case: schemathesis.Case[Any]) -> None:
    # A window's dates are each valid alone; together they may not be (start after end, a date
    # after the snapshot's as-of: a documented 422 the schema cannot express), so "a schema-valid
    # request must succeed" is not a rule of this API. Every other default check applies.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def test_refresh_data_was_exercised_against_the_fake_pipeline(app: FastAPI) -> None:
    """At least one generated refresh started a job, and the fake pipeline (not Spark) ran it."""
    last = wait_for(lambda: app.state.jobs.last_outcome)
    assert last["state"] == "failed"
    assert last["error"] == "identity resolution exploded"  # fake_pipeline.py's "fail" mode
