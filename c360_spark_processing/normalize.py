"""Per-value normalisation as Column expressions (built-ins only, no Python UDFs).

Normalised emails and phones are the match keys of identity resolution, so both are canonical:
the same address typed differently yields the same string, and anything doubtful yields null.
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

# local part: dot-separated atoms (no leading, trailing or doubled dot); domain: dot-separated
# labels and an alphabetic top-level domain of at least two letters.
EMAIL_PATTERN = (
    r"^[a-z0-9_%+\-]+(\.[a-z0-9_%+\-]+)*@[a-z0-9]([a-z0-9\-]*[a-z0-9])?"
    r"(\.[a-z0-9]([a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,}$"
)
# NANP: area code and exchange both start with 2-9.
NANP_PATTERN = r"^[2-9][0-9]{2}[2-9][0-9]{6}$"


def clean_string(col: Column) -> Column:
    """Trimmed value, null when blank: exports differ in how they write "no value"."""
    trimmed = F.trim(col)
    return F.when(trimmed != F.lit(""), trimmed)


def normalize_email(col: Column) -> Column:
    """Trimmed, lower-cased email; null unless it looks like `local@domain.tld`."""
    email = F.lower(F.trim(col))
    return F.when(email.rlike(EMAIL_PATTERN), email)


def normalize_phone(col: Column) -> Column:
    """E.164 `+1XXXXXXXXXX` for a valid NANP number (formatting and a leading 1 stripped), else null."""
    digits = F.regexp_replace(col, r"[^0-9]", "")
    national = F.when(F.length(digits) == 10, digits).when(
        (F.length(digits) == 11) & digits.startswith("1"), F.substring(digits, 2, 10)
    )
    return F.when(national.rlike(NANP_PATTERN), F.concat(F.lit("+1"), national))
