"""Each person's one email and one phone, and how each source system types them.

Uniqueness across persons is by construction: the email local part ends with a scrambled person
number and the phone is a bijection of the person number, so no two persons ever collide.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from c360_mock_data import reference as ref
from c360_mock_data.formatting import IntArray, join, pick, zero_pad
from c360_mock_data.population import Persons

# 800 area codes x 800 exchanges (first digit 2-9) x 10,000 line numbers.
_PHONE_SPACE = 800 * 800 * 10_000
_PHONE_MULTIPLIER = 2_654_435_761  # odd and not a multiple of 5: coprime with _PHONE_SPACE
_PHONE_OFFSET = 1_234_567_891

PHONE_STYLES: tuple[str, ...] = ("paren", "plus1", "dots", "dash1", "plain")


def email_number_space(customers: int) -> int:
    """A power of ten >= 10,000 and > customers: the range of the scrambled email suffix."""
    return int(10 ** max(4, len(str(customers))))


def _email_suffix(number: IntArray, space: int) -> IntArray:
    """A bijection of [0, space) so suffixes look arbitrary but never repeat."""
    return (number * 7_919 + 4_253) % space


def person_first_names(persons: Persons) -> pa.Array:
    female = pick(ref.FIRST_NAMES_F, np.where(persons.gender == 0, persons.first_name_idx, 0))
    male = pick(ref.FIRST_NAMES_M, np.where(persons.gender == 0, 0, persons.first_name_idx))
    return pc.if_else(pa.array(persons.gender == 0), female, male)


def canonical_emails(persons: Persons, customers: int, rng: np.random.Generator) -> pa.Array:
    """The person's email in lower case, e.g. `john.smith4821@gmail.com`."""
    first = pc.utf8_lower(person_first_names(persons))
    last = pc.utf8_lower(pick(ref.LAST_NAMES, persons.last_name_idx))
    suffix = pc.cast(
        pa.array(_email_suffix(persons.number, email_number_space(customers))), pa.string()
    )
    style = rng.integers(0, 4, persons.size)
    local = pc.choose(
        pa.array(style),
        join(first, ".", last, suffix),
        join(first, "_", last, suffix),
        join(pc.utf8_slice_codeunits(first, 0, 1), last, suffix),
        join(first, suffix),
    )
    weights = np.array(ref.PERSONAL_EMAIL_WEIGHTS)
    domain = pick(
        ref.PERSONAL_EMAIL_DOMAINS,
        rng.choice(len(weights), size=persons.size, p=weights / weights.sum()),
    )
    return join(local, "@", domain)


def work_emails(persons: Persons, customers: int, rng: np.random.Generator) -> pa.Array:
    """Work address of a second (app) account, e.g. `jsmith4821@acmecorp.com`."""
    first = pc.utf8_lower(person_first_names(persons))
    last = pc.utf8_lower(pick(ref.LAST_NAMES, persons.last_name_idx))
    suffix = pc.cast(
        pa.array(_email_suffix(persons.number, email_number_space(customers))), pa.string()
    )
    domain = pick(
        ref.WORK_EMAIL_DOMAINS, rng.integers(0, len(ref.WORK_EMAIL_DOMAINS), persons.size)
    )
    return join(pc.utf8_slice_codeunits(first, 0, 1), last, suffix, "@", domain)


def phone_digits(number: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(area code, exchange, line) of each person: valid NANP, unique per person number."""
    k = (number * _PHONE_MULTIPLIER + _PHONE_OFFSET) % _PHONE_SPACE
    area = 200 + k // (800 * 10_000)
    exchange = 200 + k // 10_000 % 800
    return area, exchange, k % 10_000


def format_phones(number: IntArray, style: npt.NDArray[np.integer]) -> pa.Array:
    """Phone as typed in a source; `style` indexes PHONE_STYLES per row."""
    area, exchange, line = phone_digits(number)
    a = zero_pad(area, 3)
    e = zero_pad(exchange, 3)
    ln = zero_pad(line, 4)
    return pc.choose(
        pa.array(style, type=pa.int64()),
        join("(", a, ") ", e, "-", ln),
        join("+1 ", a, " ", e, " ", ln),
        join(a, ".", e, ".", ln),
        join("1-", a, "-", e, "-", ln),
        join(a, e, ln),
    )


def styled_phones(
    number: IntArray, weights: tuple[float, ...], rng: np.random.Generator
) -> pa.Array:
    """Phones in a source's habitual mix of styles (weights in PHONE_STYLES order)."""
    p = np.array(weights)
    return format_phones(number, rng.choice(len(PHONE_STYLES), size=len(number), p=p / p.sum()))


CASE_STYLES: tuple[str, ...] = ("lower", "title", "upper", "capitalize")


def cased(emails: pa.Array, weights: tuple[float, ...], rng: np.random.Generator) -> pa.Array:
    """Emails in a mix of letter cases (weights in CASE_STYLES order)."""
    p = np.array(weights)
    style = rng.choice(len(CASE_STYLES), size=len(emails), p=p / p.sum())
    return pc.choose(
        pa.array(style),
        emails,
        pc.utf8_title(emails),
        pc.utf8_upper(emails),
        pc.utf8_capitalize(emails),
    )


def padded(values: pa.Array, share: float, rng: np.random.Generator) -> pa.Array:
    """Surround a share of the values with stray spaces, as web forms let through."""
    mask = pa.array(rng.random(len(values)) < share)
    return pc.if_else(mask, join(" ", values, " "), values)
