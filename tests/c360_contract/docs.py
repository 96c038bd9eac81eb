"""Reading the tables of the docs, so tests can hold them to the declarations in code."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def markdown_table(document: str, heading: str, index: int = 0) -> list[list[str]]:
    """Body rows of the `index`-th table of the section under `heading` (cells stripped, without
    backticks)."""
    lines = (DOCS / document).read_text().splitlines()
    tables: list[list[list[str]]] = []
    in_table = False
    for line in lines[lines.index(heading) + 1 :]:
        if line.startswith("#"):
            break
        if line.startswith("|"):
            if not in_table:
                tables.append([])
            tables[-1].append([c.strip().strip("`") for c in line.strip().strip("|").split("|")])
        in_table = line.startswith("|")
    if len(tables) <= index:
        raise AssertionError(f"no table {index} under {heading!r} in {document}")
    return tables[index][2:]  # header and separator skipped
