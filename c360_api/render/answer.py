"""What every representation is rendered from: an answer's tables plus what describes them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel

from c360_api.render.negotiate import Representation
from c360_contract.catalog import Chart, Row


@dataclass(frozen=True)
class Grouping:
    """How the HTML report shows a long table: one table per value of `column` (in the order the
    values first appear, without that column), each headed by the value and its note."""

    column: str
    notes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerTable:
    """One table of an answer; `single` tables are one object (a customer's profile), not a list.
    `withheld` says why its chart is not drawn over this snapshot, where the picture would
    mislead: the picture says that instead."""

    name: str
    row: type[BaseModel]
    rows: list[Row]
    chart: Chart | None = None
    single: bool = False
    grouping: Grouping | None = None
    withheld: str | None = None


@dataclass(frozen=True)
class Answer:
    """An answer, its provenance and the request that asked for it.

    `table` is the table the one-table representations (CSV, PNG, Vega-Lite) render; JSON and HTML
    carry every table. `urls` are this request in each offered representation, `links` the paging
    links (self, next, prev) of a paged list. `document` (a model and its data) replaces the
    tables as JSON `data` where an answer is one nested object, such as a customer's 360 view.
    """

    title: str
    description: str
    message: str
    tables: tuple[AnswerTable, ...]
    count: int
    snapshot_id: str
    as_of: date
    formula: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    table: str | None = None
    urls: Mapping[Representation, str] = field(default_factory=dict)
    links: Mapping[str, str | None] | None = None
    document: tuple[Any, Any] | None = None

    def chosen(self) -> AnswerTable:
        """The table CSV, PNG and Vega-Lite render."""
        if self.table is None:
            return self.tables[0]
        return next(t for t in self.tables if t.name == self.table)

    def total(self, table: AnswerTable) -> int | None:
        """How many rows `table` has in all: the count (a paged list's total) for the first
        table, else None (its rows are all of it)."""
        return self.count if table is self.tables[0] else None

    @property
    def data_shape(self) -> str:
        """`list` (one table of rows), `object` (one single row) or `tables` (name -> table)."""
        if len(self.tables) > 1:
            return "tables"
        return "object" if self.tables[0].single else "list"
