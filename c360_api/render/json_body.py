"""The JSON envelope: `{success, message, timestamp, data, count, snapshot_id, as_of[, links]}`.

Rows are validated by their table's row model on the way out, so an answer can never carry a
field or type the OpenAPI schema does not promise.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from pydantic import TypeAdapter
from pydantic_core import to_json

from c360_api.render.answer import Answer, AnswerTable


@cache
def _adapter(row: Any, single: bool) -> TypeAdapter[Any]:
    """Validator of a table's rows (`single`: of one value of type `row`)."""
    return TypeAdapter(cast(Any, row if single else list[row]))


def table_data(table: AnswerTable) -> Any:
    """A table's rows as validated JSON-ready Python (dates as ISO strings)."""
    adapter = _adapter(table.row, table.single)
    value = table.rows[0] if table.single else table.rows
    return adapter.dump_python(adapter.validate_python(value), mode="json")


def _table_json(table: AnswerTable) -> bytes:
    adapter = _adapter(table.row, table.single)
    value = table.rows[0] if table.single else table.rows
    return adapter.dump_json(adapter.validate_python(value))


def data_json(answer: Answer) -> bytes:
    """`data` of the envelope as JSON: the document, else shaped as `Answer.data_shape` says."""
    if answer.document is not None:
        model, value = answer.document
        adapter = _adapter(model, True)
        return adapter.dump_json(adapter.validate_python(value))
    if answer.data_shape != "tables":
        return _table_json(answer.tables[0])
    parts = (to_json(t.name) + b":" + _table_json(t) for t in answer.tables)
    return b"{" + b",".join(parts) + b"}"


def render_json(answer: Answer) -> bytes:
    """The envelope around `data_json` (serialised once, by the row models' own serialisers)."""
    head = to_json({"success": True, "message": answer.message, "timestamp": datetime.now(UTC)})
    tail: dict[str, Any] = {
        "count": answer.count,
        "snapshot_id": answer.snapshot_id,
        "as_of": answer.as_of,
    }
    if answer.links is not None:
        tail["links"] = dict(answer.links)
    return b"".join((head[:-1], b',"data":', data_json(answer), b",", to_json(tail)[1:]))
