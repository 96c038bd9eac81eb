"""An API client over the fixed world's snapshot (world.py; built by tests/conftest.py's
`world_warehouse`) and the independent references over its exports.

Shared read-only by every metric value test: the run takes most of these tests' time, each metric
query a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from c360_api.main import create_app
from tests.c360_api.conftest import make_settings
from tests.c360_api.metric_values.api import MetricApi
from tests.c360_api.metric_values.reference import Reference
from tests.c360_api.metric_values.reference_ops import OpsReference
from tests.c360_api.metric_values.world import AS_OF


@pytest.fixture(scope="session")
def api(world_warehouse: Path) -> Iterator[MetricApi]:
    with TestClient(create_app(make_settings(world_warehouse))) as client:
        yield MetricApi(client)


@pytest.fixture(scope="session")
def ref(world_raw: Path) -> Reference:
    return Reference(world_raw, AS_OF)


@pytest.fixture(scope="session")
def ops(world_raw: Path) -> OpsReference:
    return OpsReference(world_raw, AS_OF)
