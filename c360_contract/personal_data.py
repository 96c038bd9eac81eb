"""Which published columns are personal data: the one classification the API masks from.

Under GDPR and CCPA these identify a person, so the API returns them only to keys with the `pii`
scope (null otherwise, in every representation). docs/data_model.md carries the same table; a test
fails when the two differ. Attributes that only place a person in a broad group (birth_year, age,
generation, city, state, gender) and every derived score are not listed: they stay visible.
"""

from __future__ import annotations

from enum import StrEnum


class PersonalCategory(StrEnum):
    CONTACT = "contact"
    NAME = "name"
    BIRTH_DATE = "birth date"
    ADDRESS = "address"


# Column (as named in golden_record and customer_profile) -> category. The warehouse holds no
# street-level address: the postal code is the finest address column.
PERSONAL_DATA: dict[str, PersonalCategory] = {
    "first_name": PersonalCategory.NAME,
    "last_name": PersonalCategory.NAME,
    "customer_name": PersonalCategory.NAME,
    "email": PersonalCategory.CONTACT,
    "phone": PersonalCategory.CONTACT,
    "birth_date": PersonalCategory.BIRTH_DATE,
    "postal_code": PersonalCategory.ADDRESS,
}

PERSONAL_COLUMNS: frozenset[str] = frozenset(PERSONAL_DATA)
