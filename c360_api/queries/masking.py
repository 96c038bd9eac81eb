"""Personal data masked in the query itself, so no representation built on the rows can leak it.

The masked set is `c360_contract.personal_data`'s classification, not a list of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from c360_api.snapshots import ident
from c360_contract.personal_data import PERSONAL_COLUMNS


def select_list(columns: Sequence[str], pii: bool) -> str:
    """`columns` for a SELECT, each personal one NULL unless the caller has `pii`."""
    return ", ".join(
        f"NULL AS {ident(c)}" if (c in PERSONAL_COLUMNS and not pii) else ident(c) for c in columns
    )


def select_all(pii: bool) -> str:
    """`*` of a table holding every personal column, with them NULL unless `pii`."""
    if pii:
        return "*"
    return f"* REPLACE ({', '.join(f'NULL AS {ident(c)}' for c in sorted(PERSONAL_COLUMNS))})"


def select_guarded(columns: Sequence[str]) -> str:
    """`columns` for a SELECT of catalogue SQL, one text for every caller: each personal one NULL
    unless the query's `$pii` parameter (the caller's right) is true."""
    return ", ".join(
        f"CASE WHEN $pii THEN {ident(c)} END AS {ident(c)}" if c in PERSONAL_COLUMNS else ident(c)
        for c in columns
    )
