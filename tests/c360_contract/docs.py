"""Reading the tables of the docs, so tests can hold them to the declarations in code."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def markdown_table(document: str, heading: str) -> list[list[str]]:
    """Body rows of the first table under `heading` (cells stripped, backticks removed)."""
    lines = (DOCS / document).read_text().splitlines()
    start = lines.index(heading)
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        if line.startswith("|"):
            rows.append([c.strip().strip("`") for c in line.strip().strip("|").split("|")])
        elif rows:
            break
    if len(rows) < 3:
        raise AssertionError(f"no table under {heading!r} in {document}")
    return rows[2:]  # header and separator skipped
