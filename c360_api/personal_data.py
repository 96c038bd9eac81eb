"""Response fields holding personal data, described in OpenAPI as null without the pii scope.

The masking itself happens in the queries (`c360_api/queries/masking.py`); this only documents it,
from the same classification (`c360_contract.personal_data`).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from c360_contract.personal_data import PERSONAL_DATA


def personal(column: str) -> Any:
    """The pydantic field of a personal column (required, nullable by its annotation)."""
    return Field(
        description=f"Personal data ({PERSONAL_DATA[column]}): null unless the key has the pii "
        "scope."
    )
