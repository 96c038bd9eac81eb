"""Every published percentage, rate and score lies in the range its name promises
(c360_contract.units), with its decimals: checked with DuckDB over the suite's real snapshot."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from c360_contract.units import PCT_DECIMALS, RATE_DECIMALS, SCALES, unit_range
from c360_contract.warehouse import current_snapshot_id, snapshot_path, table_dirs

NUMERIC = ("DOUBLE", "FLOAT", "INTEGER", "BIGINT", "SMALLINT")


@pytest.fixture(scope="module")
def columns(pipeline_warehouse: Path) -> list[tuple[str, str, duckdb.DuckDBPyConnection]]:
    """(table, numeric column, connection holding the table as a view) of every published table."""
    snapshot_id = current_snapshot_id(pipeline_warehouse)
    assert snapshot_id is not None
    con = duckdb.connect()
    found = []
    for table in table_dirs(snapshot_path(pipeline_warehouse, snapshot_id)):
        con.execute(f"CREATE VIEW {table.name} AS SELECT * FROM read_parquet('{table}/*.parquet')")
        for name, kind, *_ in con.execute(f"DESCRIBE {table.name}").fetchall():
            if kind in NUMERIC:
                found.append((table.name, name, con))
    return found


def test_every_number_lies_in_its_units_range(
    columns: list[tuple[str, str, duckdb.DuckDBPyConnection]],
) -> None:
    checked = set()
    for table, column, con in columns:
        bounds = unit_range(column)
        if bounds is None:
            continue
        row = con.execute(
            f"SELECT min({column}), max({column}), count({column}) FROM {table}"
        ).fetchone()
        assert row is not None
        low, high, filled = row
        assert filled > 0, f"{table}.{column} is empty: nothing checked"
        assert bounds[0] <= low <= high <= bounds[1], f"{table}.{column}: {low}..{high}"
        checked.add(column)
    # Every kind is exercised: percentages of both spellings, rates and each declared scale.
    assert {"pct_of_customers", "app_adoption_pct", "digital_conversion_rate"} <= checked
    # Scales of the warehouse's own columns; the others are catalogue metrics' columns, checked by
    # tests/c360_api/test_catalog_contract.py.
    assert set(SCALES) & {column for _, column, _ in columns} <= checked


def _decimals(column: str) -> int | None:
    if column.endswith("_pct") or column.startswith("pct_of_"):
        return PCT_DECIMALS
    return RATE_DECIMALS if column.endswith("_rate") else None


def test_percentages_and_rates_have_their_decimals(
    columns: list[tuple[str, str, duckdb.DuckDBPyConnection]],
) -> None:
    kinds = set()
    for table, column, con in columns:
        decimals = _decimals(column)
        if decimals is None:
            continue
        extra = con.execute(
            f"SELECT count(*) FROM {table} WHERE {column} <> round({column}, {decimals})"
        ).fetchone()
        assert extra == (0,), f"{table}.{column} has more than {decimals} decimals"
        kinds.add(decimals)
    assert kinds == {PCT_DECIMALS, RATE_DECIMALS}


def test_every_numeric_score_has_a_declared_scale(
    columns: list[tuple[str, str, duckdb.DuckDBPyConnection]],
) -> None:
    scores = {c for _, c, _ in columns if c.endswith("_score")}
    assert "churn_risk_score" in scores
    assert scores <= set(SCALES)
