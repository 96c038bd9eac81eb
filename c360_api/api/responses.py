"""The success envelope's models: what every JSON answer looks like in OpenAPI.

Data routes render their envelope with `c360_api.render.json_body`; the operational routes
(health, admin) build theirs with `envelope()`. Both produce exactly these fields.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from c360_api.snapshots import Snapshot

DataT = TypeVar("DataT")


class Envelope(BaseModel, Generic[DataT]):
    """Every successful JSON answer."""

    success: bool = Field(default=True, description="Always true on a 2xx answer.")
    message: str = Field(description="What the answer holds, in words.")
    timestamp: datetime = Field(description="When the answer was computed (UTC).")
    data: DataT
    count: int = Field(description="Rows in data, or the total matching rows for paged lists.")
    snapshot_id: str | None = Field(
        examples=["20251231T235959Z-1a2b3c4d"],
        description="The snapshot the numbers come from; null only before the first publish.",
    )
    as_of: date | None = Field(
        examples=["2025-12-31"], description="The snapshot's as-of date (end of its window)."
    )


class Links(BaseModel):
    """Paging links of a list: this page, the next and the previous (null at either end)."""

    self: str = Field(description="This page (path and query).")
    next: str | None = Field(description="The next page, or null on the last page.")
    prev: str | None = Field(description="The previous page, or null on the first page.")


class PagedEnvelope(Envelope[DataT], Generic[DataT]):
    """A page of a list: `count` is the total matching rows, `links` walk the pages."""

    links: Links = Field(description="This page, the next and the previous (path and query).")


def envelope(data: Any, count: int, message: str, snapshot: Snapshot | None) -> dict[str, Any]:
    """The success envelope around `data`, stamped with the snapshot it was read from."""
    return {
        "success": True,
        "message": message,
        "timestamp": datetime.now(UTC),
        "data": data,
        "count": count,
        "snapshot_id": snapshot.snapshot_id if snapshot else None,
        "as_of": snapshot.as_of if snapshot else None,
    }
