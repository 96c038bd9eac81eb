"""The personal-data classification in code is the one documented in docs/data_model.md."""

from __future__ import annotations

from c360_contract.personal_data import PERSONAL_DATA
from tests.c360_contract.docs import markdown_table


def test_the_documented_classification_is_the_one_in_code() -> None:
    documented = {row[0]: row[1] for row in markdown_table("data_model.md", "### Personal data")}
    assert documented == {column: str(category) for column, category in PERSONAL_DATA.items()}
