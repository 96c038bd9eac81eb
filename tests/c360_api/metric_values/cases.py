"""What every metric's value test checks: the default window, windows cutting months in half, and
CSV against JSON. Each test class names its route and reference method and adds its boundaries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, ClassVar

import pytest

from tests.c360_api.metric_values.api import MetricApi, Row, assert_csv_is_json, assert_matches
from tests.c360_api.metric_values.reference import Reference, Window

# start, end: the first cuts February and March 2024 in half (and ends 2025-03-15); the second
# starts on 2024-03-01, when the 2024-02-29 22:30 local order is already 03-01 in UTC, and ends on
# the day of the 23:00 local order that is 2025-01-01 in UTC; the third is the first ten days;
# the fourth starts a month before the first order day (December 2023 holds only a session).
WINDOWS: tuple[tuple[str, str], ...] = (
    ("2024-02-15", "2025-03-15"),
    ("2024-03-01", "2024-12-31"),
    ("2024-01-02", "2024-01-11"),
    ("2023-12-01", "2025-06-30"),
)


def window(start: str, end: str) -> Window:
    return Window(date.fromisoformat(start), date.fromisoformat(end))


class MetricValues:
    """Base of one test class per metric (not collected itself: its name has no Test prefix)."""

    path: ClassVar[str]
    keys: ClassVar[tuple[str, ...]]
    ordered: ClassVar[bool] = False
    params: ClassVar[dict[str, Any]] = {}
    # The window the CSV is compared in: one where the metric has rows.
    csv_window: ClassVar[tuple[str, str]] = WINDOWS[0]
    # Without start, end or days: the last this many days up to as-of (None: the whole snapshot).
    default_days: ClassVar[int | None] = None

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        raise NotImplementedError

    def check(self, api: MetricApi, ref: Reference, w: Window, **params: Any) -> list[Row]:
        """The route's rows for window `w` equal the reference's; returns them."""
        rows = api.rows(self.path, start=w.start.isoformat(), end=w.end.isoformat(), **params)
        assert_matches(rows, self.reference(ref)(w), self.keys, self.ordered)
        return rows

    def test_default_window(self, api: MetricApi, ref: Reference) -> None:
        body = api.body(self.path, **self.params)
        assert body["as_of"] == ref.as_of.isoformat()
        w = ref.window()
        if self.default_days is not None:
            w = Window(ref.as_of - timedelta(days=self.default_days - 1), ref.as_of)
        assert_matches(body["data"], self.reference(ref)(w), self.keys, self.ordered)

    @pytest.mark.parametrize(("start", "end"), WINDOWS)
    def test_window(self, api: MetricApi, ref: Reference, start: str, end: str) -> None:
        self.check(api, ref, window(start, end), **self.params)

    def test_window_outside_the_snapshot_is_refused(self, api: MetricApi, ref: Reference) -> None:
        after = (ref.as_of + timedelta(days=1)).isoformat()
        api.refused(self.path, end=after, **self.params)
        api.refused(self.path, start="2024-03-02", end="2024-03-01", **self.params)

    def test_csv_equals_json(self, api: MetricApi) -> None:
        start, end = self.csv_window
        json_rows = api.rows(self.path, start=start, end=end, **self.params)
        header, cells = api.csv_rows(self.path, start=start, end=end, **self.params)
        assert json_rows
        assert_csv_is_json(header, cells, json_rows)
