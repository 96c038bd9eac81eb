"""The suite's three shared Spark builds, run side by side on the one SparkSession.

The session snapshot (`pipeline_warehouse`), the metric-values world (`world_warehouse`) and the
upload workspace (`upload_warehouse`) are each one pipeline run over tiny data, where Spark spends
most of its time planning and scheduling one small job after another with a core to spare. So the
first fixture that needs any of them starts every build the collected tests need, each in a thread
of its own (Spark runs jobs from several threads at once), and then waits for its own; the others
are ready, or nearly, when their fixtures ask. A run that collects only some of them starts only
those.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

# Fixture name -> the fixture computing its inputs in the main thread (pytest fixtures are not
# thread-safe) and returning the build to run in a thread.
Prepare = Callable[[pytest.FixtureRequest], Callable[[], Any]]


class Builds:
    """Futures of the session's builds, started together on first use."""

    def __init__(self, request: pytest.FixtureRequest, prepare: dict[str, Prepare]) -> None:
        self._request = request
        self._prepare = prepare
        self._futures: dict[str, Future[Any]] = {}
        self._pool = ThreadPoolExecutor(len(prepare), thread_name_prefix="build")

    def result(self, name: str) -> Any:
        """`name`'s build, starting every collected test's builds first if none has started."""
        if not self._futures:
            wanted = {
                fixture
                for item in self._request.session.items
                for fixture in getattr(item, "fixturenames", ())
            }
            for build in (b for b in self._prepare if b in wanted or b == name):
                self._futures[build] = self._pool.submit(self._prepare[build](self._request))
        if name not in self._futures:  # asked for later by a test collected without it
            self._futures[name] = self._pool.submit(self._prepare[name](self._request))
        return self._futures[name].result()

    def close(self) -> None:
        """Wait for the builds still running (a session cut short by a failure)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
