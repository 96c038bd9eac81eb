"""Load a directory of source exports into PostgreSQL: one table per source (c360_contract.database).

Each table has the columns the pipeline reads the export with (its raw schema): text exports (CSV,
JSON lines) as TEXT, values as the file has them, plus `_corrupt_record` holding a line that does
not parse (JSON that is not an object, a CSV row with the wrong number of fields), as Spark's
permissive file reader would; Parquet exports with their types. An empty CSV field is NULL, as
Spark reads it. Rows go in with COPY, in file order.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pyarrow.parquet as pq
from psycopg import sql

from c360_contract.database import DatabaseUrl
from c360_contract.vocabulary import SOURCES

_PG_TYPES: dict[str, str] = {
    "string": "TEXT",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE PRECISION",
}


def _columns(source: str) -> list[tuple[str, str]]:
    """(name, PostgreSQL type) of a source's raw schema."""
    from c360_spark_processing.schemas import RAW_SCHEMAS

    return [(f.name, _PG_TYPES[f.dataType.simpleString()]) for f in RAW_SCHEMAS[source].fields]


def _csv_rows(path: Path, names: Sequence[str]) -> Iterator[list[Any]]:
    corrupt = "_corrupt_record" in names
    fields = [n for n in names if n != "_corrupt_record"]
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        at = {name: header.index(name) for name in fields if name in header}
        for row in reader:
            values = [row[at[n]] or None if n in at and at[n] < len(row) else None for n in fields]
            bad = len(row) != len(header)
            if corrupt:
                values.append(_csv_line(row) if bad else None)
            yield values


def _csv_line(row: list[str]) -> str:
    """A CSV row as one line again (what Spark keeps of a malformed line)."""

    class Line:
        text = ""

        def write(self, s: str) -> None:
            self.text += s

    out = Line()
    csv.writer(out, lineterminator="").writerow(row)
    return out.text


def _json_value(value: Any) -> str | None:
    """A JSON value as the text Spark reads into a string column."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _jsonl_rows(files: Sequence[Path], names: Sequence[str]) -> Iterator[list[Any]]:
    fields = [n for n in names if n != "_corrupt_record"]
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                text = line.rstrip("\n")
                if not text.strip():
                    continue
                try:
                    record = json.loads(text)
                except json.JSONDecodeError:
                    record = None
                if not isinstance(record, dict):
                    yield [*(None for _ in fields), text]
                    continue
                yield [*(_json_value(record.get(n)) for n in fields), None]


def _parquet_rows(path: Path, names: Sequence[str]) -> Iterator[list[Any]]:
    parquet = pq.ParquetFile(path)
    for batch in parquet.iter_batches(columns=list(names), batch_size=50_000):
        columns = [batch.column(n).to_pylist() for n in names]
        yield from (list(row) for row in zip(*columns, strict=True))


def _rows(exports: Path, source: str, names: Sequence[str]) -> Iterator[list[Any]]:
    from c360_spark_processing.inputs import SOURCE_PATHS

    path = exports / SOURCE_PATHS[source]
    if path.suffix == ".csv":
        return _csv_rows(path, names)
    if path.suffix == ".parquet":
        return _parquet_rows(path, names)
    files = sorted(path.rglob("*.jsonl")) if path.is_dir() else [path]
    return _jsonl_rows(files, names)


def load_exports(
    exports: Path, url: DatabaseUrl, sources: Sequence[str] = SOURCES
) -> dict[str, int]:
    """Replace the tables of `sources` (every source by default) in the database at `url` with
    the exports in `exports`; the rows loaded per table."""
    loaded: dict[str, int] = {}
    with psycopg.connect(url.conninfo) as con:
        for source in sources:
            columns = _columns(source)
            names = [n for n, _ in columns]
            table = sql.Identifier(source)
            con.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
            con.execute(
                sql.SQL("CREATE TABLE {} ({})").format(
                    table,
                    sql.SQL(", ").join(
                        sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in columns
                    ),
                )
            )
            copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
                table, sql.SQL(", ").join(map(sql.Identifier, names))
            )
            rows = 0
            with con.cursor() as cur, cur.copy(copy) as out:
                for row in _rows(exports, source, names):
                    out.write_row(row)
                    rows += 1
            con.execute(sql.SQL("ANALYZE {}").format(table))
            loaded[source] = rows
    return loaded
