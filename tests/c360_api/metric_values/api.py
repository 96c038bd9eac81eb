"""Calling a catalogue metric over HTTP and comparing its rows with a reference computation."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

from fastapi.testclient import TestClient

from tests.c360_api.conftest import headers
from tests.c360_api.helpers import error

ENVELOPE = {"success", "message", "timestamp", "data", "count", "snapshot_id", "as_of"}
Row = dict[str, Any]


class MetricApi:
    """GET a metric route with a data-scope key; the rows of its JSON or CSV answer."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def body(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.client.get(path, params=params, headers=headers("marketing"))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert body["success"] is True
        assert ENVELOPE <= set(body) <= {*ENVELOPE, "links"}
        assert isinstance(body["data"], list)
        assert body["count"] == len(body["data"])
        return body

    def tables(self, path: str, **params: Any) -> dict[str, list[Row]]:
        """Every table of a multi-table answer; the count is the first table's rows."""
        response = self.client.get(path, params=params, headers=headers("marketing"))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert body["success"] is True
        assert isinstance(body["data"], dict)
        assert body["count"] == len(next(iter(body["data"].values())))
        return dict(body["data"])

    def refused(self, path: str, **params: Any) -> dict[str, Any]:
        """The error envelope of a request the route must refuse with 422."""
        return error(self.client.get(path, params=params, headers=headers("marketing")), 422)

    def rows(self, path: str, **params: Any) -> list[Row]:
        rows: list[Row] = self.body(path, **params)["data"]
        return rows

    def csv_rows(self, path: str, **params: Any) -> tuple[list[str], list[list[str]]]:
        response = self.client.get(
            path, params={**params, "format": "csv"}, headers=headers("marketing")
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        header, *rows = list(csv.reader(io.StringIO(response.text)))
        return header, rows


class Exact(float):
    """A reference value published at its own precision (coordinates, one-decimal days of
    cover): the answer must equal it, not a 2-decimal rounding of it."""


def _same(got: Any, want: Any) -> bool:
    """Equal, floats as a correct rounding to 2 decimals of the unrounded reference."""
    if want is None or got is None:
        return got is None and want is None
    if isinstance(want, Exact):
        return isinstance(got, int | float) and abs(got - want) <= 1e-9
    if isinstance(want, float):
        return (
            isinstance(got, int | float)
            and math.isclose(got, round(got, 2), abs_tol=1e-9)
            and abs(got - want) <= 0.005 + 1e-9
        )
    return bool(got == want)


def assert_matches(
    got: Sequence[Row], want: Sequence[Row], keys: Sequence[str], ordered: bool = False
) -> None:
    """The API's rows are the reference's: same columns, same rows (by `keys` unless `ordered`)."""

    def key(row: Row) -> tuple[Any, ...]:
        return tuple(row[k] for k in keys)

    if not ordered:
        got, want = sorted(got, key=key), sorted(want, key=key)
    assert [key(r) for r in got] == [key(r) for r in want]
    for g, w in zip(got, want, strict=True):
        assert list(g) == list(w), f"columns of {key(g)}"
        wrong = {c: (g[c], w[c]) for c in w if not _same(g[c], w[c])}
        assert not wrong, f"row {key(g)}: (api, reference) {wrong}"


def assert_csv_is_json(header: list[str], cells: list[list[str]], rows: Sequence[Row]) -> None:
    """The CSV carries the JSON rows value for value: null as an empty field, numbers as numbers."""
    assert len(cells) == len(rows)
    for line, row in zip(cells, rows, strict=True):
        assert header == list(row)
        for cell, value in zip(line, row.values(), strict=True):
            if value is None:
                assert cell == ""
            elif isinstance(value, bool | str):
                assert cell == str(value)
            elif isinstance(value, list):
                assert json.loads(cell) == value
            else:
                assert float(cell) == value, (cell, value)
