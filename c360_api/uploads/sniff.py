"""What a CSV upload looks like, read with DuckDB: encoding, layout, columns, the first rows, the
date formats that fit its date columns and a suggested column mapping.

DuckDB's `sniff_csv` settles the layout (delimiter, quoting, header). Dates are settled here by
trying every known layout (`c360_contract.uploads.DATE_FORMATS`) on every value: the sniffer
silently reads a column as day-first when every value fits both orders, where the preview must say
the column is ambiguous instead.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from c360_api.exceptions import C360Error, InvalidParameterError
from c360_contract.uploads import DATE_FORMATS, OPTIONAL_TARGETS, REQUIRED_TARGETS, DateFormat

HEAD_BYTES = 64 * 1024
PREVIEW_ROWS = 20
DATE_SAMPLE = 2000
"""Values per column a format is tried on first; only formats fitting the sample meet the file."""
BINARY_MAGIC: tuple[bytes, ...] = (
    b"PK\x03\x04",
    b"%PDF",
    b"\x89PNG",
    b"\xd0\xcf\x11\xe0",
    b"\x1f\x8b",
)
DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf-16": "utf-16", "latin-1": "latin-1"}

# Header names each target is known by (lower case, without spaces, dashes or underscores).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customerid", "customer", "customerno", "clientid", "client", "custid",
                    "buyer", "memberid", "accountid", "userid"),
    "invoice_date": ("invoicedate", "date", "orderdate", "purchasedate", "transactiondate",
                     "saledate", "timestamp", "datetime", "time"),
    "invoice_id": ("invoiceid", "invoice", "invoiceno", "invoicenumber", "orderid", "order",
                   "orderno", "transactionid", "receipt", "receiptno", "ticket"),
    "amount": ("amount", "total", "totalamount", "linetotal", "revenue", "sales", "value",
               "netamount", "price", "totalprice"),
    "product": ("product", "productid", "stockcode", "sku", "item", "itemid", "article",
                "description", "productname"),
    "category": ("category", "productcategory", "group", "department", "family", "type"),
    "quantity": ("quantity", "qty", "units", "count", "pieces"),
}  # fmt: skip


class NotCsvError(C360Error):
    status_code = 415
    error_type = "unsupported_media_type"
    description = "The file is not CSV text."


def ident(name: str) -> str:
    """A column name from the file as a quoted DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class FormatFit:
    format: str
    day_first: bool | None
    parsed: int
    unparsed: int


@dataclass(frozen=True)
class DateColumn:
    column: str
    values: int
    formats: list[FormatFit]

    @property
    def fitting(self) -> list[FormatFit]:
        """The formats reading the most values (every value, unless some are broken)."""
        best = max((f.parsed for f in self.formats), default=0)
        return [f for f in self.formats if f.parsed == best and best > 0]

    @property
    def ambiguous(self) -> bool:
        """Every value the best formats read fits both day-first and month-first."""
        orders = {f.day_first for f in self.fitting if f.day_first is not None}
        return len(orders) > 1

    @property
    def suggested(self) -> str | None:
        fitting = self.fitting
        return None if self.ambiguous or not fitting else fitting[0].format


@dataclass
class Analysis:
    encoding: str
    delimiter: str
    has_header: bool
    decimal_separator: str
    columns: list[dict[str, str]]
    rows: list[dict[str, Any]]
    row_count: int
    date_columns: list[DateColumn] = field(default_factory=list)
    mapping: dict[str, str | None] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [c["name"] for c in self.columns]

    def date_column(self, name: str) -> DateColumn | None:
        return next((d for d in self.date_columns if d.column == name), None)


def detect_encoding(head: bytes) -> str:
    """utf-16 (by its BOM), utf-8 when the head decodes as such, else latin-1; 415 for binary."""
    if not head:
        raise InvalidParameterError("The file is empty", parameter="file")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(BINARY_MAGIC) or b"\x00" in head:
        raise NotCsvError("The file is not CSV text (it looks like a binary file)")
    try:
        head.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the head is still UTF-8.
        encoding = "utf-8" if exc.start >= len(head) - 3 else "latin-1"
    text = head.decode(encoding, errors="ignore")
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    if control > max(1, len(text) // 100):
        raise NotCsvError("The file is not CSV text (it holds control characters)")
    return encoding


def _reader(path: Path, encoding: str, delimiter: str, header: bool) -> str:
    return (
        f"read_csv({sql_text(str(path))}, delim={sql_text(delimiter)}, header={header}, "
        f"all_varchar=true, quote='\"', escape='\"', null_padding=true, ignore_errors=true, "
        f"encoding={sql_text(DUCKDB_ENCODINGS[encoding])})"
    )


def _looks_like_dates(con: duckdb.DuckDBPyConnection, source: str, column: str) -> bool:
    pattern = r"^\s*\d{1,4}[-/.]?\d{1,2}[-/.]?\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?\s*$"
    found = con.execute(
        f"SELECT count(*) FILTER (WHERE regexp_full_match({ident(column)}, ?)), "
        f"count({ident(column)}) FROM (FROM {source} LIMIT {DATE_SAMPLE})",
        [pattern],
    ).fetchone()
    return found is not None and found[1] > 0 and found[0] * 2 >= found[1]


def _date_column(con: duckdb.DuckDBPyConnection, source: str, column: str) -> DateColumn:
    """How many values of `column` each format reads: first on a sample, then the formats that
    read every sampled value (or the most of them) on the whole file."""
    col = f"trim({ident(column)})"
    sample_counts = con.execute(
        "SELECT "
        + ", ".join(f"count(try_strptime({col}, {sql_text(f.strftime)}))" for f in DATE_FORMATS)
        + f", count({col}) FROM (FROM {source} LIMIT {DATE_SAMPLE})"
    ).fetchone()
    assert sample_counts is not None
    best = max(sample_counts[:-1])
    if best == 0:
        return DateColumn(column, 0, [])
    candidates: list[DateFormat] = [
        f for f, n in zip(DATE_FORMATS, sample_counts, strict=False) if n == best
    ]
    counts = con.execute(
        "SELECT "
        + ", ".join(f"count(try_strptime({col}, {sql_text(f.strftime)}))" for f in candidates)
        + f", count({col}) FROM {source}"
    ).fetchone()
    assert counts is not None
    values = int(counts[-1])
    fits = [
        FormatFit(f.strftime, f.day_first, int(n), values - int(n))
        for f, n in zip(candidates, counts, strict=False)
    ]
    return DateColumn(column, values, sorted(fits, key=lambda f: -f.parsed))


def _decimal_separator(
    con: duckdb.DuckDBPyConnection, source: str, columns: list[str], skip: set[str]
) -> str:
    """`,` when more values read as comma decimals (10,50) than as point decimals (10.50)."""
    numbers = [c for c in columns if c not in skip]
    if not numbers:
        return "."
    exprs = []
    for c in numbers:
        exprs.append(
            f"count(*) FILTER (WHERE regexp_full_match(trim({ident(c)}), '-?\\d+\\.\\d+'))"
        )
        exprs.append(f"count(*) FILTER (WHERE regexp_full_match(trim({ident(c)}), '-?\\d+,\\d+'))")
    found = con.execute(f"SELECT {', '.join(exprs)} FROM {source}").fetchone()
    assert found is not None
    points, commas = sum(found[0::2]), sum(found[1::2])
    return "," if commas > points else "."


def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.lower())


def suggest_mapping(names: list[str], date_columns: list[str]) -> dict[str, str | None]:
    """Each target's column by its header name (exact synonym first, then a synonym it
    contains); the invoice date falls back to the only date column."""
    keys = {name: _key(name) for name in names}
    taken: set[str] = set()
    mapping: dict[str, str | None] = {}
    for target in (*REQUIRED_TARGETS, *OPTIONAL_TARGETS):
        words = SYNONYMS[target]
        found = next((n for w in words for n in names if keys[n] == w and n not in taken), None)
        if found is None:
            found = next((n for w in words for n in names if w in keys[n] and n not in taken), None)
        if found is None and target == "invoice_date" and len(date_columns) == 1:
            found = date_columns[0]
        if found is not None:
            taken.add(found)
        mapping[target] = found
    return mapping


def analyse(path: Path) -> Analysis:
    """The preview of the CSV at `path`; 415 when it is not CSV text, 422 when it is empty."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    encoding = detect_encoding(head)
    con = duckdb.connect()
    try:
        try:
            sniffed = con.execute(
                # null_padding: a few lines with missing fields (quarantined later as
                # schema_mismatch) must not make the sniffer give up on the delimiter.
                "SELECT Delimiter, HasHeader, Columns FROM sniff_csv(?, encoding=?, "
                "null_padding=true)",
                [str(path), DUCKDB_ENCODINGS[encoding]],
            ).fetchone()
        except duckdb.Error as exc:
            raise NotCsvError(f"The file is not readable CSV text: {exc}".splitlines()[0]) from exc
        assert sniffed is not None
        delimiter, has_header, columns = sniffed
        source = _reader(path, encoding, delimiter, bool(has_header))
        names = [c["name"] for c in columns]
        row_count = int(con.execute(f"SELECT count(*) FROM {source}").fetchone()[0])  # type: ignore[index]
        if row_count == 0:
            raise InvalidParameterError("The file has a header but no rows", parameter="file")
        rows = [
            dict(zip(names, r, strict=False))
            for r in con.execute(f"FROM {source} LIMIT {PREVIEW_ROWS}").fetchall()
        ]
        dates = [_date_column(con, source, n) for n in names if _looks_like_dates(con, source, n)]
        dates = [d for d in dates if d.formats]
        date_names = {d.column for d in dates}
        decimal = _decimal_separator(con, source, names, date_names)
    finally:
        con.close()
    types = []
    for c in columns:
        found = next((d for d in dates if d.column == c["name"]), None)
        kind = c["type"]
        if found is not None:
            kind = "TIMESTAMP" if any("%H" in f.format for f in found.fitting) else "DATE"
        types.append({"name": c["name"], "type": kind})
    return Analysis(
        encoding=encoding,
        delimiter=delimiter,
        has_header=bool(has_header),
        decimal_separator=decimal,
        columns=types,
        rows=rows,
        row_count=row_count,
        date_columns=dates,
        mapping=suggest_mapping(names, [d.column for d in dates]),
    )
