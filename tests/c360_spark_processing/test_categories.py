"""No published text value reads as missing: a CSV export of any table, opened with pandas'
defaults, keeps every value (a loyalty tier called `None` came back empty for most customers).
Checked over the suite's real snapshot; empty strings and NULLs are missing by intent."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from c360_contract.warehouse import current_snapshot_id, snapshot_path, table_dirs

TEXT_TYPES = {"VARCHAR": "{column}", "VARCHAR[]": "unnest({column})"}


@pytest.fixture(scope="module")
def text_values(pipeline_warehouse: Path) -> dict[tuple[str, str], list[str]]:
    """(table, column) -> the distinct non-empty values of every text and list-of-text column."""
    snapshot_id = current_snapshot_id(pipeline_warehouse)
    assert snapshot_id is not None
    con = duckdb.connect()
    values: dict[tuple[str, str], list[str]] = {}
    for table in table_dirs(snapshot_path(pipeline_warehouse, snapshot_id)):
        relation = f"read_parquet('{table}/*.parquet')"
        for column, kind, *_ in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall():
            if kind not in TEXT_TYPES:
                continue
            value = TEXT_TYPES[kind].format(column=column)
            rows = con.execute(
                f"SELECT DISTINCT v FROM (SELECT {value} AS v FROM {relation}) "
                "WHERE v IS NOT NULL AND v <> ''"
            ).fetchall()
            values[(table.name, column)] = [r[0] for r in rows]
    return values


def test_no_value_reads_as_missing_in_pandas(text_values: dict[tuple[str, str], list[str]]) -> None:
    read_as_missing = {}
    for (table, column), values in text_values.items():
        buffer = io.StringIO()
        pd.DataFrame({column: values}).to_csv(buffer, index=False)
        buffer.seek(0)
        back = pd.read_csv(buffer, dtype=str)[column]
        lost = sorted(v for v, b in zip(values, back, strict=True) if pd.isna(b))
        if lost:
            read_as_missing[f"{table}.{column}"] = lost
    assert read_as_missing == {}


def test_the_check_covers_every_category_that_was_a_null_word(
    text_values: dict[tuple[str, str], list[str]],
) -> None:
    assert "No Tier" in text_values[("customer_profile", "loyalty_tier")]
    assert "No Tier" in text_values[("mart_loyalty_metrics", "loyalty_tier")]
    assert {"dim_products", "fact_sessions", "mart_cross_sell"} <= {t for t, _ in text_values}
    assert ("customer_profile", "channels_not_used") in text_values  # lists are checked too
    # The old label is one the check catches.
    assert pd.read_csv(io.StringIO("loyalty_tier\nNone\nGold\n"), dtype=str).isna().sum().sum() == 1
