"""Streaming writers: every export is appended chunk by chunk, so memory is bounded by one chunk.

CSV is written without quoting (pyarrow refuses any value that would need it, so the files stay
valid RFC 4180); JSON lines come pre-formatted from `formatting.json_lines`.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from c360_mock_data.formatting import IntArray, date_strings

_CSV_BODY = pacsv.WriteOptions(include_header=False, quoting_style="none")


class _Closing(ABC):
    """Context-manager support for writers that must be closed."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class CsvWriter(_Closing):
    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self._columns = list(columns)
        self._sink = pa.OSFile(str(path), "wb")
        self._sink.write((",".join(columns) + "\n").encode())
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        if table.column_names != self._columns:
            raise ValueError(f"columns {table.column_names} differ from the header {self._columns}")
        if table.num_rows:
            pacsv.write_csv(table, self._sink, _CSV_BODY)
        self.rows += table.num_rows

    def close(self) -> None:
        self._sink.close()


def _text_slices(lines: pa.Array) -> tuple[IntArray, memoryview]:
    """Byte offsets of each row and the shared data buffer of a string array (no copy)."""
    lines = lines.cast(pa.large_string()) if lines.type == pa.string() else lines
    _, offsets, data = lines.buffers()
    start = lines.offset
    ends = np.frombuffer(offsets, dtype=np.int64)[start : start + len(lines) + 1]
    return ends, memoryview(data) if data is not None else memoryview(b"")


class JsonLinesWriter(_Closing):
    def __init__(self, path: Path) -> None:
        self._sink = path.open("wb")
        self.rows = 0

    def write(self, lines: pa.Array) -> None:
        ends, data = _text_slices(lines)
        self._sink.write(data[ends[0] : ends[-1]])
        self.rows += len(lines)

    def close(self) -> None:
        self._sink.close()


class DailyJsonLinesWriter:
    """`ROOT/dt=YYYY-MM-DD/part-00000.jsonl`, one file per day, appended chunk after chunk."""

    FILE_NAME = "part-00000.jsonl"

    def __init__(self, root: Path) -> None:
        self._root = root
        self._root.mkdir(parents=True, exist_ok=True)
        self.rows = 0

    def write(self, day: IntArray, lines: pa.Array) -> None:
        """`day` (epoch days, ascending) gives each line's directory."""
        if len(day) == 0:
            return
        ends, data = _text_slices(lines)
        first = np.flatnonzero(np.concatenate([[True], day[1:] != day[:-1]]))
        bounds = np.append(first, len(day))
        names = date_strings(day[first]).to_pylist()
        for name, a, b in zip(names, bounds[:-1], bounds[1:], strict=True):
            folder = self._root / f"dt={name}"
            folder.mkdir(exist_ok=True)
            with (folder / self.FILE_NAME).open("ab") as sink:
                sink.write(data[ends[a] : ends[b]])
        self.rows += len(day)


class ParquetSink(_Closing):
    """One Parquet file, one row group per chunk."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._writer = pq.ParquetWriter(str(path), schema, compression="snappy")
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
