"""Injected data-quality defects (`--dirty-rate`), one kind per affected row, all counted.

Each source row is defective with probability `rate`; the kind is drawn uniformly among the
source's defects. A malformed email is skipped on a record without a phone, so every record keeps a
contact and each injected defect has its documented ingest outcome. Such a record still splits
from its person when no other record of the person carries its phone, as a real typo would
(docs/metrics.md, "Identity resolution accuracy"). Defect names match the pipeline's quarantine
reasons (docs/data_model.md).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from c360_mock_data.formatting import BoolArray, IntArray, join, make_ids, pick, replace_rows

DEFECTS: dict[str, tuple[str, ...]] = {
    "crm_customers": (
        "invalid_birth_date",
        "invalid_signup_date",
        "invalid_email",
        "duplicate_record",
    ),
    "ecommerce_accounts": ("invalid_created_at", "invalid_email"),
    "loyalty_members": ("invalid_email",),
    "orders": ("missing_buyer", "unknown_buyer", "invalid_order_ts"),
    "order_lines": ("non_positive_quantity", "unknown_product", "duplicate_line"),
    "app_events": ("invalid_ts", "invalid_event_type"),
    "support_tickets": ("invalid_email", "invalid_created_at"),
    "postal_codes": ("duplicate_record",),
    "stores": ("invalid_opened_at",),
    "services": ("duplicate_record",),
    "providers": ("invalid_joined_at",),
    "order_status_events": ("invalid_ts", "invalid_status", "duplicate_record"),
    "service_bookings": ("missing_buyer", "unknown_buyer", "invalid_booked_at", "invalid_rating"),
}
BAD_DATES: tuple[str, ...] = ("2024-13-45", "N/A", "00/00/0000", "unknown")
BAD_TIMESTAMPS: tuple[str, ...] = (
    "2024-13-45T25:61:00Z",
    "N/A",
    "0000-00-00T00:00:00Z",
    "yesterday",
)
BAD_TICKET_TIMESTAMPS: tuple[str, ...] = ("2024-13-45 25:61:00", "N/A", "0000-00-00 00:00:00")
BAD_EVENT_TYPES: tuple[str, ...] = ("page_view", "wishlist_add", "app_crash")
BAD_ORDER_EVENT_STATUSES: tuple[str, ...] = ("returned", "in_transit", "lost")
BAD_RATINGS: tuple[int, ...] = (0, 6, 7, 9)
UNKNOWN_PRODUCT_FIRST = 90_000


class DefectTally:
    """Exact injected count per source and defect (all zero at dirty rate 0)."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {
            source: dict.fromkeys(kinds, 0) for source, kinds in DEFECTS.items()
        }

    def add(self, source: str, defect: str, count: int) -> None:
        self.counts[source][defect] += count


def draw(
    rng: np.random.Generator,
    source: str,
    n: int,
    rate: float,
    eligible: Mapping[str, BoolArray],
    tally: DefectTally,
) -> dict[str, IntArray]:
    """Rows (ascending) that get each defect of `source`; counted in `tally`."""
    kinds = DEFECTS[source]
    u = rng.random(n)
    hit = u < rate
    kind = np.minimum((u / max(rate, 1e-12) * len(kinds)).astype(np.int64), len(kinds) - 1)
    rows: dict[str, IntArray] = {}
    for i, name in enumerate(kinds):
        mask = hit & (kind == i)
        if name in eligible:
            mask &= eligible[name]
        rows[name] = np.flatnonzero(mask)
        tally.add(source, name, len(rows[name]))
    return rows


def malformed_emails(emails: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Typos that make an email invalid: no @, doubled @, no domain, or a domain without a dot."""
    return pc.choose(
        pa.array(rng.integers(0, 4, len(emails))),
        pc.replace_substring(emails, "@", "", max_replacements=1),
        pc.replace_substring(emails, "@", "@@", max_replacements=1),
        pc.replace_substring_regex(emails, r"@.*$", "@"),
        pc.replace_substring_regex(emails, r"\.([A-Za-z]+)(\s*)$", r"\1\2"),
    )


def garbled(vocabulary: tuple[str, ...], count: int, rng: np.random.Generator) -> pa.Array:
    return pick(vocabulary, rng.integers(0, len(vocabulary), count))


def set_malformed_email(
    table: pa.Table, column: str, rows: IntArray, rng: np.random.Generator
) -> pa.Table:
    bad = malformed_emails(table.column(column).take(pa.array(rows)).combine_chunks(), rng)
    return set_values(table, column, rows, bad)


def set_values(table: pa.Table, column: str, rows: IntArray, new: pa.Array) -> pa.Table:
    values = table.column(column).combine_chunks()
    return table.set_column(
        table.schema.get_field_index(column), column, replace_rows(values, rows, new)
    )


def duplicate_rows(table: pa.Table, rows: IntArray) -> pa.Table:
    """Each listed row appears twice in a row, as a re-sent export record would."""
    repeat = np.ones(table.num_rows, dtype=np.int64)
    repeat[rows] = 2
    return table.take(pa.array(np.repeat(np.arange(table.num_rows), repeat)))


def unknown_ids(
    prefix: str, first_unknown: int, width: int, count: int, rng: np.random.Generator
) -> pa.Array:
    """Ids with the source's shape that no export contains (numbers above every real one)."""
    return make_ids(prefix, first_unknown + rng.integers(0, 1_000_000, count), width)


def unknown_products(count: int, rng: np.random.Generator) -> pa.Array:
    return join(
        "P-", pc.cast(pa.array(UNKNOWN_PRODUCT_FIRST + rng.integers(0, 10_000, count)), pa.string())
    )


def _present(table: pa.Table, column: str) -> BoolArray:
    return np.asarray(pc.is_valid(table.column(column)).to_numpy(zero_copy_only=False), dtype=bool)


def spoil_crm(
    table: pa.Table, rate: float, rng: np.random.Generator, tally: DefectTally
) -> pa.Table:
    rows = draw(
        rng,
        "crm_customers",
        table.num_rows,
        rate,
        {"invalid_email": _present(table, "phone")},
        tally,
    )
    table = set_values(
        table,
        "birth_date",
        rows["invalid_birth_date"],
        garbled(BAD_DATES, len(rows["invalid_birth_date"]), rng),
    )
    table = set_values(
        table,
        "signup_date",
        rows["invalid_signup_date"],
        garbled(BAD_DATES, len(rows["invalid_signup_date"]), rng),
    )
    table = set_malformed_email(table, "email", rows["invalid_email"], rng)
    return duplicate_rows(table, rows["duplicate_record"])


def spoil_accounts(
    table: pa.Table, rate: float, rng: np.random.Generator, tally: DefectTally
) -> pa.Table:
    eligible = {"invalid_email": _present(table, "phone")}
    rows = draw(rng, "ecommerce_accounts", table.num_rows, rate, eligible, tally)
    bad = rows["invalid_created_at"]
    table = set_values(table, "created_at", bad, garbled(BAD_TIMESTAMPS, len(bad), rng))
    return set_malformed_email(table, "email", rows["invalid_email"], rng)


def spoil_loyalty(
    table: pa.Table, rate: float, rng: np.random.Generator, tally: DefectTally
) -> pa.Table:
    eligible = {"invalid_email": _present(table, "phone") & _present(table, "email")}
    rows = draw(rng, "loyalty_members", table.num_rows, rate, eligible, tally)
    return set_malformed_email(table, "email", rows["invalid_email"], rng)


def spoil_orders(
    table: pa.Table,
    rate: float,
    rng: np.random.Generator,
    tally: DefectTally,
    first_unknown_account: int,
    first_unknown_member: int,
    id_width: int,
) -> tuple[pa.Table, BoolArray]:
    """Also returns which orders were spoiled: their lines are left clean (they become orphans)."""
    rows = draw(rng, "orders", table.num_rows, rate, {}, tally)
    missing = rows["missing_buyer"]
    no_ids = pa.nulls(len(missing), pa.string())
    table = set_values(table, "account_id", missing, no_ids)
    table = set_values(table, "member_id", missing, no_ids)
    unknown = rows["unknown_buyer"]
    store = ~_present(table, "account_id")
    by_member = unknown[store[unknown]]
    by_account = unknown[~store[unknown]]
    table = set_values(
        table,
        "member_id",
        by_member,
        unknown_ids("LOY-", first_unknown_member, id_width, len(by_member), rng),
    )
    table = set_values(
        table,
        "account_id",
        by_account,
        unknown_ids("ACC-", first_unknown_account, id_width, len(by_account), rng),
    )
    bad_ts = rows["invalid_order_ts"]
    table = set_values(
        table, "order_ts", bad_ts, pa.nulls(len(bad_ts), table.schema.field("order_ts").type)
    )
    spoiled = np.zeros(table.num_rows, dtype=bool)
    spoiled[np.concatenate([missing, unknown, bad_ts])] = True
    return table, spoiled


def spoil_lines(
    table: pa.Table,
    clean_order: BoolArray,
    rate: float,
    rng: np.random.Generator,
    tally: DefectTally,
) -> pa.Table:
    """`clean_order` per line: only lines of unspoiled orders get a line defect."""
    eligible = dict.fromkeys(DEFECTS["order_lines"], clean_order)
    rows = draw(rng, "order_lines", table.num_rows, rate, eligible, tally)
    bad_qty = rows["non_positive_quantity"]
    table = set_values(
        table, "quantity", bad_qty, pa.array(-rng.integers(0, 3, len(bad_qty)), type=pa.int32())
    )
    bad_product = rows["unknown_product"]
    table = set_values(table, "product_id", bad_product, unknown_products(len(bad_product), rng))
    return duplicate_rows(table, rows["duplicate_line"])


def spoil_events(
    table: pa.Table, rate: float, rng: np.random.Generator, tally: DefectTally
) -> pa.Table:
    rows = draw(rng, "app_events", table.num_rows, rate, {}, tally)
    table = set_values(
        table, "ts", rows["invalid_ts"], garbled(BAD_TIMESTAMPS, len(rows["invalid_ts"]), rng)
    )
    bad_type = rows["invalid_event_type"]
    return set_values(table, "event_type", bad_type, garbled(BAD_EVENT_TYPES, len(bad_type), rng))


def spoil_tickets(
    table: pa.Table, rate: float, rng: np.random.Generator, tally: DefectTally
) -> pa.Table:
    rows = draw(rng, "support_tickets", table.num_rows, rate, {}, tally)
    table = set_malformed_email(table, "email", rows["invalid_email"], rng)
    bad = rows["invalid_created_at"]
    return set_values(table, "created_at", bad, garbled(BAD_TICKET_TIMESTAMPS, len(bad), rng))


def spoil_reference(
    source: str, table: pa.Table, rate: float, rng: np.random.Generator, tally: DefectTally
) -> pa.Table:
    """Postal codes and services repeat a row; stores and providers get an unparseable date
    (`opened_at`, `joined_at`), which ingest nulls with a warning."""
    (defect,) = DEFECTS[source]
    rows = draw(rng, source, table.num_rows, rate, {}, tally)[defect]
    if defect == "duplicate_record":
        return duplicate_rows(table, rows)
    column = defect.removeprefix("invalid_")
    return set_values(table, column, rows, garbled(BAD_DATES, len(rows), rng))


def spoil_status_events(
    table: pa.Table,
    clean_order: BoolArray,
    rate: float,
    rng: np.random.Generator,
    tally: DefectTally,
) -> pa.Table:
    """`clean_order` per event: only events of unspoiled orders get a defect (the others become
    orphans, as lines do)."""
    eligible = dict.fromkeys(DEFECTS["order_status_events"], clean_order)
    rows = draw(rng, "order_status_events", table.num_rows, rate, eligible, tally)
    bad_ts = rows["invalid_ts"]
    table = set_values(table, "ts", bad_ts, pa.nulls(len(bad_ts), table.schema.field("ts").type))
    bad = rows["invalid_status"]
    table = set_values(table, "status", bad, garbled(BAD_ORDER_EVENT_STATUSES, len(bad), rng))
    return duplicate_rows(table, rows["duplicate_record"])


def spoil_bookings(
    table: pa.Table,
    rate: float,
    rng: np.random.Generator,
    tally: DefectTally,
    first_unknown_account: int,
    first_unknown_member: int,
    id_width: int,
) -> pa.Table:
    rows = draw(rng, "service_bookings", table.num_rows, rate, {}, tally)
    missing = rows["missing_buyer"]
    no_ids = pa.nulls(len(missing), pa.string())
    table = set_values(table, "account_id", missing, no_ids)
    table = set_values(table, "member_id", missing, no_ids)
    unknown = rows["unknown_buyer"]
    by_account = unknown[_present(table, "account_id")[unknown]]
    by_member = unknown[~_present(table, "account_id")[unknown]]
    table = set_values(
        table,
        "account_id",
        by_account,
        unknown_ids("ACC-", first_unknown_account, id_width, len(by_account), rng),
    )
    table = set_values(
        table,
        "member_id",
        by_member,
        unknown_ids("LOY-", first_unknown_member, id_width, len(by_member), rng),
    )
    bad_ts = rows["invalid_booked_at"]
    table = set_values(
        table, "booked_at", bad_ts, pa.nulls(len(bad_ts), table.schema.field("booked_at").type)
    )
    bad_rating = rows["invalid_rating"]
    ratings = np.array(BAD_RATINGS)[rng.integers(0, len(BAD_RATINGS), len(bad_rating))]
    return set_values(table, "rating", bad_rating, pa.array(ratings, type=pa.int32()))
