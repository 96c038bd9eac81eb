"""CSV for BI tools: one table, the row model's fields as columns.

Values read back as they are in JSON: a null is an empty field, a list is its JSON array
(`["app","store"]`, `[]` when empty, so an empty list is never mistaken for a null), dates are ISO 8601.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from c360_api.render.answer import Answer
from c360_api.render.json_body import table_data


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return json.dumps(list(value), separators=(",", ":"))
    return value


def render_csv(answer: Answer) -> bytes:
    table = answer.chosen()
    columns = list(table.row.model_fields)
    data = table_data(table)
    rows = [data] if table.single else data
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue().encode()
