"""Response fields holding personal data, described in OpenAPI as null without the pii scope.

The masking itself happens in the queries (`c360_api/queries/masking.py`); this only documents it,
with the glossary's description, which says so from the same classification
(`c360_contract.personal_data`).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from c360_contract.glossary import GLOSSARY
from c360_contract.personal_data import PERSONAL_DATA


def personal(column: str) -> Any:
    """The pydantic field of a personal column (required, nullable by its annotation)."""
    if column not in PERSONAL_DATA:
        raise KeyError(f"{column} is not personal data (c360_contract.personal_data)")
    return Field(description=GLOSSARY[column])
