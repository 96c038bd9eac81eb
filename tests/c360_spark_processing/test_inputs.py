"""The input check before Spark starts: every export present, every Parquet footer readable."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from c360_spark_processing.inputs import (
    SOURCE_PATHS,
    MissingSourceError,
    UnreadableSourceError,
    check_inputs,
)


def write_inputs(root: Path) -> Path:
    """Every export, as small as it gets: text files with a header, Parquet with one row, order
    lines as a directory of two part files."""
    root.mkdir(parents=True, exist_ok=True)
    table = pa.table({"order_id": ["ORD-000000001"]})
    for source, name in SOURCE_PATHS.items():
        path = root / name
        if source == "app_events":
            (path / "dt=2024-03-01").mkdir(parents=True)
            (path / "dt=2024-03-01" / "part-00000.jsonl").write_text("")
        elif source == "order_lines":
            path.mkdir(parents=True)
            for part in ("part-0.parquet", "part-1.parquet"):
                pq.write_table(table, path / part)
            (path / "_SUCCESS").write_bytes(b"")  # Spark's marker files are not data
        elif name.endswith(".parquet"):
            pq.write_table(table, path)
        else:
            path.write_text("id\n")
    return root


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_a_complete_input_passes(tmp_path: Path) -> None:
    check_inputs(write_inputs(tmp_path))


def test_a_missing_export_is_named(tmp_path: Path) -> None:
    root = write_inputs(tmp_path)
    (root / "products.csv").unlink()
    with pytest.raises(MissingSourceError, match=r"^products: products.csv not found in "):
        check_inputs(root)


def test_a_truncated_parquet_file_is_named(tmp_path: Path) -> None:
    root = write_inputs(tmp_path)
    truncate(root / "orders.parquet")
    with pytest.raises(UnreadableSourceError) as refused:
        check_inputs(root)
    assert str(refused.value).startswith(
        "orders.parquet is not readable Parquet (truncated or corrupt?): "
    )
    assert (refused.value.failures, refused.value.rejected_snapshot_id) == ([], None)


@pytest.mark.parametrize("damage", ["truncate", "empty"])
def test_a_damaged_part_file_is_named(tmp_path: Path, damage: str) -> None:
    root = write_inputs(tmp_path)
    part = root / "order_lines.parquet" / "part-1.parquet"
    if damage == "truncate":
        truncate(part)
    else:
        part.write_bytes(b"")
    with pytest.raises(UnreadableSourceError, match=r"^order_lines.parquet/part-1.parquet is not"):
        check_inputs(root)


def test_the_generators_output_passes(raw_data: Path) -> None:
    check_inputs(raw_data)
