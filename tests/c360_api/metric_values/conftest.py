"""One real pipeline run over the fixed world (world.py) and an API client over its snapshot.

Shared read-only by every metric value test: the run takes most of these tests' time, each metric
query a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyspark.sql import SparkSession

from c360_api.main import create_app
from tests.c360_api.conftest import make_settings
from tests.c360_api.metric_values.api import MetricApi
from tests.c360_api.metric_values.reference import Reference
from tests.c360_api.metric_values.reference_ops import OpsReference
from tests.c360_api.metric_values.world import AS_OF, write_world


@pytest.fixture(scope="session")
def world_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_world(tmp_path_factory.mktemp("world_raw"))


@pytest.fixture(scope="session")
def world_warehouse(
    spark: SparkSession, world_raw: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    from c360_spark_processing.pipeline import run_pipeline
    from c360_spark_processing.settings import PipelineSettings

    warehouse = tmp_path_factory.mktemp("world") / "warehouse"
    result = run_pipeline(spark, world_raw, warehouse, PipelineSettings(), as_of=AS_OF)
    assert result.outcome == "published"
    return warehouse


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
