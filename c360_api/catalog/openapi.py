"""What OpenAPI says a metric answers: its JSON envelope model and every other representation.

JSON is the envelope around the metric's rows (or, with several tables, an object of them); a
paged list adds `links`. CSV, PNG, HTML and Vega-Lite are documented as the other media types of
the same 200, so generated clients and BI connectors see every representation the route serves.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from pydantic import BaseModel, Field, create_model

from c360_api.api.responses import Envelope, PagedEnvelope
from c360_api.exceptions import (
    C360Error,
    ForbiddenError,
    InvalidParameterError,
    NotAuthenticatedError,
    RateLimitedError,
    SnapshotUnavailableError,
    error_responses,
)
from c360_api.render.negotiate import ALL_REPRESENTATIONS, MEDIA_TYPES, Representation
from c360_contract.catalog import Metric

METRIC_ERRORS = (
    NotAuthenticatedError,
    ForbiddenError,
    InvalidParameterError,
    RateLimitedError,
    SnapshotUnavailableError,
)
_OTHER_MEDIA: dict[Representation, dict[str, Any]] = {
    Representation.CSV: {"schema": {"type": "string"}},
    Representation.PNG: {"schema": {"type": "string", "format": "binary"}},
    Representation.HTML: {"schema": {"type": "string"}},
    Representation.VEGA: {"schema": {"type": "object", "additionalProperties": True}},
}


def _camel(text: str) -> str:
    return "".join(part.capitalize() for part in text.split("_"))


@cache
def data_model(metric: Metric) -> Any:
    """The type of `data`: a list of rows, or an object holding each named table."""
    if not metric.multi_table:
        return list[metric.tables[0].row]  # type: ignore[misc]
    fields: dict[str, Any] = {
        t.name: (list[t.row], Field(description=f"The `{t.name}` table."))  # type: ignore[name-defined]
        for t in metric.tables
    }
    model: type[BaseModel] = create_model(f"{_camel(metric.id)}Tables", **fields)
    return model


@cache
def response_model(metric: Metric) -> Any:
    envelope = PagedEnvelope if metric.page is not None else Envelope
    return envelope[data_model(metric)]


def representation_responses(
    offered: Sequence[Representation], description: str
) -> dict[int | str, dict[str, Any]]:
    """The 200 of a route answering `offered`: JSON (from its response model) and the rest."""
    content = {MEDIA_TYPES[rep]: _OTHER_MEDIA[rep] for rep in offered if rep in _OTHER_MEDIA}
    return {200: {"content": content, "description": description}}


def metric_responses(
    metric: Metric, errors: Sequence[type[C360Error]] = METRIC_ERRORS
) -> dict[int | str, dict[str, Any]]:
    """The 200's other media types and the error envelope of every error a metric can answer."""
    tables = ", ".join(f"`{t.name}`" for t in metric.tables)
    return {
        **representation_responses(
            ALL_REPRESENTATIONS,
            "The JSON envelope (default), or with `format=` / `Accept`: CSV of one table "
            f"({tables}), a PNG chart, an HTML report or a Vega-Lite spec with the data inlined.",
        ),
        **error_responses(*errors),
    }
