"""Vectorised text formatting (pyarrow compute): ids, dates, money, JSON lines.

Everything the exports contain is formatted here so that formats are fixed (no locale, no float repr)
and no Python loop runs per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from c360_mock_data.config import SECONDS_PER_DAY

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def join(*parts: pa.Array | str) -> pa.Array:
    """Concatenate string arrays and literals row-wise (a null part makes the row null)."""
    return pc.binary_join_element_wise(*parts, "")


def zero_pad(values: npt.NDArray[np.integer], width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(values, type=pa.int64()), pa.string()), width, "0")


def make_ids(prefix: str, numbers: npt.NDArray[np.integer], width: int) -> pa.Array:
    """`PREFIX-000123` ids; numbers wider than `width` keep all their digits."""
    return join(prefix, zero_pad(numbers, width))


def pick(vocabulary: Sequence[str], index: npt.NDArray[np.integer]) -> pa.Array:
    return pa.array(vocabulary, type=pa.string()).take(pa.array(index, type=pa.int64()))


def with_nulls(values: pa.Array, null_mask: BoolArray) -> pa.Array:
    """Null out the rows where `null_mask` is true."""
    return pc.if_else(pa.array(null_mask), pa.scalar(None, values.type), values)


def replace_rows(values: pa.Array, rows: npt.NDArray[np.integer], new: pa.Array) -> pa.Array:
    """Copy of `values` with `values[rows] = new` (rows ascending, unique)."""
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(values, pa.array(mask), new.cast(values.type))


@lru_cache(maxsize=1)
def _clock_strings() -> pa.Array:
    seconds = np.arange(SECONDS_PER_DAY)
    return join(
        zero_pad(seconds // 3600, 2),
        ":",
        zero_pad(seconds // 60 % 60, 2),
        ":",
        zero_pad(seconds % 60, 2),
    )


def date_strings(epoch_days: IntArray) -> pa.Array:
    """`YYYY-MM-DD` for days since 1970-01-01 (formats each distinct day once)."""
    if len(epoch_days) == 0:
        return pa.array([], type=pa.string())
    first = int(epoch_days.min())
    span = np.arange(first, int(epoch_days.max()) + 1, dtype=np.int64)
    table = pc.strftime(pa.array(span.astype("datetime64[D]")), format="%Y-%m-%d")
    return table.take(pa.array(epoch_days - first))


def timestamp_strings(epoch_seconds: IntArray, separator: str, suffix: str) -> pa.Array:
    """`YYYY-MM-DD<separator>HH:MM:SS<suffix>` for seconds since the epoch (UTC)."""
    days = np.floor_divide(epoch_seconds, SECONDS_PER_DAY)
    clock = _clock_strings().take(pa.array(epoch_seconds - days * SECONDS_PER_DAY))
    return join(date_strings(days), separator, clock, suffix)


def iso_timestamps(epoch_seconds: IntArray) -> pa.Array:
    return timestamp_strings(epoch_seconds, "T", "Z")


def money_strings(cents: IntArray) -> pa.Array:
    """Non-negative amounts in cents as `123.45`."""
    return join(pc.cast(pa.array(cents // 100), pa.string()), ".", zero_pad(cents % 100, 2))


def degree_strings(micro_degrees: IntArray) -> pa.Array:
    """Coordinates held as whole micro-degrees written with exactly 6 decimals (`-73.985120`)."""
    magnitude = np.abs(micro_degrees)
    sign = pc.if_else(pa.array(micro_degrees < 0), "-", "")
    return join(
        sign,
        pc.cast(pa.array(magnitude // 1_000_000), pa.string()),
        ".",
        zero_pad(magnitude % 1_000_000, 6),
    )


def json_string_field(values: pa.Array) -> pa.Array:
    """JSON value of a string column: `"value"` or `null` (values never need escaping)."""
    return pc.if_else(pc.is_null(values), "null", join('"', values, '"'))


def json_lines(fields: Sequence[tuple[str, pa.Array]]) -> pa.Array:
    """One `{...}\\n` JSON object per row from string columns, keys in the given order."""
    parts: list[pa.Array | str] = []
    for i, (name, values) in enumerate(fields):
        parts.append(("{" if i == 0 else ",") + f'"{name}":')
        parts.append(json_string_field(values))
    parts.append("}\n")
    return join(*parts)
