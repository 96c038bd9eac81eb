"""Session-wide fixtures: one SparkSession for the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    from c360_spark_processing.spark import start_spark

    session = start_spark(app_name="c360-tests", master="local[2]", shuffle_partitions=2)
    yield session
    session.stop()
