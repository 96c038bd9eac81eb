"""Settling an upload: the preview's reading of the file plus the form's mapping and options,
checked into the `UploadSpec` the job runs with. Every refusal is a 422 saying exactly what is
wrong."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from c360_api.exceptions import InvalidParameterError
from c360_api.uploads.sniff import Analysis
from c360_contract.uploads import (
    BY_STRFTIME,
    REQUIRED_TARGETS,
    TARGETS,
    UploadSpec,
)
from c360_contract.vocabulary import CLUSTERING_METHODS

K_RANGE = (2, 12)


def _mapping(raw: str | None, analysis: Analysis) -> dict[str, str]:
    if raw is None or not raw.strip():
        raise InvalidParameterError(
            "Form field mapping is required: a JSON object of target -> column, e.g. "
            '{"customer_id": "Customer", "invoice_date": "Date", ...}',
            parameter="mapping",
        )
    try:
        mapping = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidParameterError(f"mapping is not JSON: {exc}", parameter="mapping") from None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise InvalidParameterError(
            "mapping must be a JSON object of target -> column name", parameter="mapping"
        )
    unknown_targets = sorted(set(mapping) - set(TARGETS))
    if unknown_targets:
        raise InvalidParameterError(
            f"mapping names unknown targets: {', '.join(unknown_targets)}",
            parameter="mapping",
            unknown_targets=unknown_targets,
            allowed=list(TARGETS),
        )
    missing = [t for t in REQUIRED_TARGETS if t not in mapping]
    if missing:
        raise InvalidParameterError(
            f"mapping lacks the required target(s): {', '.join(missing)}",
            parameter="mapping",
            missing_targets=missing,
        )
    unknown_columns = sorted({c for c in mapping.values() if c not in analysis.names})
    if unknown_columns:
        raise InvalidParameterError(
            f"mapping names column(s) the file does not have: {', '.join(unknown_columns)}",
            parameter="mapping",
            unknown_columns=unknown_columns,
            columns=analysis.names,
        )
    return mapping


def _date_format(given: str | None, column: str, analysis: Analysis) -> str:
    found = analysis.date_column(column)
    if given:
        if given not in BY_STRFTIME:
            raise InvalidParameterError(
                f"date_format {given!r} is not a known format",
                parameter="date_format",
                allowed=sorted(BY_STRFTIME),
            )
        return given
    if found is None or not found.fitting:
        raise InvalidParameterError(
            f"No known date format reads column {column}; give date_format",
            parameter="date_format",
            allowed=sorted(BY_STRFTIME),
        )
    if found.ambiguous:
        fits = [f.format for f in found.fitting]
        raise InvalidParameterError(
            f"Column {column} is ambiguous: every value fits {' and '.join(fits)}; give "
            "date_format",
            parameter="date_format",
            fitting=fits,
        )
    assert found.suggested is not None
    return found.suggested


def _k(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not K_RANGE[0] <= int(raw) <= K_RANGE[1]:
        raise InvalidParameterError(
            f"k must be a whole number from {K_RANGE[0]} to {K_RANGE[1]}", parameter="k"
        )
    return int(raw)


def _as_of(raw: str | None) -> date | None:
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidParameterError(
            "as_of must be a date as YYYY-MM-DD", parameter="as_of"
        ) from None


def settle(analysis: Analysis, fields: Mapping[str, str]) -> UploadSpec:
    """The job's spec from the file's analysis and the form fields."""
    mapping = _mapping(fields.get("mapping"), analysis)
    method = fields.get("clustering_method") or CLUSTERING_METHODS[0]
    if method not in CLUSTERING_METHODS:
        raise InvalidParameterError(
            f"clustering_method must be one of {', '.join(CLUSTERING_METHODS)}",
            parameter="clustering_method",
            allowed=list(CLUSTERING_METHODS),
        )
    return UploadSpec(
        columns=analysis.names,
        delimiter=analysis.delimiter,
        encoding=analysis.encoding,
        decimal_separator=analysis.decimal_separator,
        mapping=mapping,
        date_format=_date_format(fields.get("date_format"), mapping["invoice_date"], analysis),
        clustering_method=method,
        k=_k(fields.get("k")),
        as_of=_as_of(fields.get("as_of")),
        has_header=analysis.has_header,
    )
