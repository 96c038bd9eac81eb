"""`generate(config)`: the whole export, written chunk of persons by chunk of persons.

A chunk holds every record of its persons (all their source records, orders, events and tickets),
so per-person logic never crosses chunks and memory is bounded by the chunk size, not by N.
"""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from c360_mock_data import defects, records
from c360_mock_data.bookings import make_bookings
from c360_mock_data.config import SECONDS_PER_DAY, GeneratorConfig
from c360_mock_data.events import make_events
from c360_mock_data.formatting import BoolArray, IntArray
from c360_mock_data.fulfilment import make_fulfilment
from c360_mock_data.geography import (
    POSTAL_CODE_COLUMNS,
    PROVIDER_COLUMNS,
    SERVICE_COLUMNS,
    STORE_COLUMNS,
    Operations,
    make_operations,
)
from c360_mock_data.orders import (
    LAPSE_ACTIVE,
    LAPSE_BAD_TICKET,
    LAPSE_DROPOUT,
    Purchases,
    draw_purchases,
    make_lines,
    make_orders,
)
from c360_mock_data.population import Persons, make_persons
from c360_mock_data.products import PRODUCT_COLUMNS, Catalogue, make_catalogue
from c360_mock_data.support import make_tickets
from c360_mock_data.value import customer_value
from c360_mock_data.writers import (
    CsvWriter,
    DailyJsonLinesWriter,
    JsonLinesWriter,
    ParquetSink,
    write_json,
)

OUTPUTS: tuple[str, ...] = (
    "crm_customers.csv",
    "ecommerce_accounts.jsonl",
    "loyalty_members.csv",
    "products.csv",
    "orders.parquet",
    "order_lines.parquet",
    "app_events",
    "support_tickets.csv",
    "postal_codes.csv",
    "stores.csv",
    "services.csv",
    "providers.csv",
    "order_status_events.parquet",
    "service_bookings.parquet",
    "_truth",
)
# Reference tables of operations, written once (not per chunk of persons), with their columns.
REFERENCE_EXPORTS: dict[str, tuple[str, ...]] = {
    "postal_codes": POSTAL_CODE_COLUMNS,
    "stores": STORE_COLUMNS,
    "services": SERVICE_COLUMNS,
    "providers": PROVIDER_COLUMNS,
}
CRM_COLUMNS: tuple[str, ...] = (
    "crm_id", "first_name", "last_name", "email", "phone", "birth_date", "gender", "city", "state",
    "country", "postal_code", "signup_date", "acquisition_channel", "customer_segment",
)  # fmt: skip
LOYALTY_COLUMNS: tuple[str, ...] = (
    "member_id",
    "email",
    "phone",
    "tier",
    "points_balance",
    "lifetime_points",
    "enrolled_at",
)
TICKET_COLUMNS: tuple[str, ...] = (
    "ticket_id", "email", "created_at", "first_response_at", "resolved_at", "channel", "category",
    "priority", "status", "csat",
)  # fmt: skip
TRUTH_COLUMNS: tuple[str, ...] = ("source", "source_record_id", "person_id")
BEHAVIOUR_COLUMNS: tuple[str, ...] = (
    "person_id",
    "purchase_rate_per_year",
    "dropout_probability",
    "lapse_cause",
    "lapsed_on",
)


@dataclass(frozen=True)
class GenerationReport:
    out: Path
    customers: int
    rows: dict[str, int]
    """Rows written per export (defective and duplicated rows included)."""
    defects: dict[str, dict[str, int]]


@dataclass
class _Counters:
    """Last record number used per id sequence; chunks continue where the previous one stopped."""

    crm: int = 0
    account: int = 0
    member: int = 0
    order: int = 0
    line: int = 0
    ticket: int = 0
    session: int = 0
    event: int = 0
    booking: int = 0

    def numbers(self, name: str, present: BoolArray) -> IntArray:
        """1-based numbers for the flagged rows (in row order), -1 elsewhere."""
        base = int(getattr(self, name))
        setattr(self, name, base + int(present.sum()))
        return np.where(present, base + np.cumsum(present), -1).astype(np.int64)

    def block(self, name: str, count: int) -> int:
        """First number of a block of `count` consecutive ids."""
        first = int(getattr(self, name)) + 1
        setattr(self, name, first - 1 + count)
        return first


@dataclass
class _Sinks:
    crm: CsvWriter
    accounts: JsonLinesWriter
    loyalty: CsvWriter
    orders: ParquetSink
    lines: ParquetSink
    events: DailyJsonLinesWriter
    tickets: CsvWriter
    truth: CsvWriter
    status_events: ParquetSink
    bookings: ParquetSink
    behaviour: CsvWriter
    tally: defects.DefectTally = field(default_factory=defects.DefectTally)


def _clear_outputs(out: Path) -> None:
    """Remove a previous run's exports (only the names this generator writes)."""
    for name in OUTPUTS:
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _keys(persons: Persons, counters: _Counters) -> records.Keys:
    crm = counters.numbers("crm", persons.has_crm)
    # A second account takes the number right after the person's primary one.
    slots = persons.has_account.astype(np.int64) + persons.has_second_account
    first = counters.account + np.cumsum(slots) - slots + 1
    counters.account += int(slots.sum())
    return records.Keys(
        crm=crm,
        account=np.where(persons.has_account, first, -1).astype(np.int64),
        second_account=np.where(persons.has_second_account, first + 1, -1).astype(np.int64),
        member=counters.numbers("member", persons.has_loyalty),
    )


def _lapses(
    purchases: Purchases, churn_at: IntArray, config: GeneratorConfig
) -> tuple[IntArray, IntArray]:
    """Each person's lapse cause and day. A bad ticket's churn wins over a later drop-out: it cut
    off purchases the person would have made, so they never reached their drop-out."""
    cut = np.bincount(
        purchases.person[purchases.ts > churn_at[purchases.person]], minlength=len(churn_at)
    )
    by_ticket = ((purchases.lapse == LAPSE_ACTIVE) & (churn_at < config.end_second)) | (
        (purchases.lapse == LAPSE_DROPOUT) & (cut > 0)
    )
    lapse = np.where(by_ticket, LAPSE_BAD_TICKET, purchases.lapse)
    day = np.where(by_ticket, churn_at // SECONDS_PER_DAY, purchases.lapse_day)
    return lapse.astype(np.int64), day.astype(np.int64)


def _write_chunk(
    config: GeneratorConfig,
    index: int,
    first: int,
    last: int,
    catalogue: Catalogue,
    ops: Operations,
    counters: _Counters,
    sinks: _Sinks,
) -> None:
    rng = config.chunk_rng(index)
    dirt = config.defect_rng(index)
    rate = config.dirty_rate
    tally = sinks.tally

    persons = make_persons(config, first, last, rng)
    contact = records.make_contacts(persons, config, rng)
    purchases = draw_purchases(persons, config, rng)
    tickets, churn_at = make_tickets(persons, purchases, config, rng)
    sinks.behaviour.write(records.behaviour_table(persons, *_lapses(purchases, churn_at, config)))
    purchases = purchases.subset(purchases.ts <= churn_at[purchases.person])
    orders = make_orders(purchases, persons, rng)
    lines = make_lines(orders, persons, catalogue, rng)
    value = customer_value(persons, orders, lines, config, rng)
    active_until = np.minimum(purchases.active_until, churn_at)
    events = make_events(
        persons, orders, active_until, contact.account_created, config, catalogue, rng
    )
    keys = _keys(persons, counters)
    ops_rng = config.operations_rng(index)
    fulfilment = make_fulfilment(orders, persons, ops, config, ops_rng)
    bookings = make_bookings(persons, active_until, ops, config, ops_rng)

    crm = records.crm_table(persons, contact, keys, value.segment, rng)
    crm_rows = np.flatnonzero(persons.has_crm)
    accounts, account_rows = records.account_table(persons, contact, keys, rng)
    loyalty = records.loyalty_table(
        persons, contact, keys, value.tier, value.lifetime_points, value.points_balance, rng
    )
    ticket_ids_from = counters.block("ticket", tickets.size)
    ticket_table = records.ticket_table(tickets, contact, ticket_ids_from, rng)
    order_table = records.order_table(
        orders, persons, keys, counters.block("order", orders.size), fulfilment, ops
    )
    status_events = records.status_event_table(
        fulfilment, order_table.column("order_id").combine_chunks()
    )
    booking_table = records.booking_table(
        bookings, persons, keys, counters.block("booking", bookings.size), ops
    )
    line_table = records.line_table(
        lines, order_table.column("order_id").combine_chunks(), counters.block("line", lines.size)
    )
    event_table = records.event_table(
        events,
        persons,
        keys,
        counters.block("session", events.n_sessions),
        counters.block("event", events.size),
    )

    for source, table, rows in (
        ("crm", crm, crm_rows),
        ("ecommerce", accounts, account_rows),
        ("loyalty", loyalty, np.flatnonzero(persons.has_loyalty)),
        ("support", ticket_table, tickets.person),
    ):
        sinks.truth.write(
            records.truth_table(source, table.column(0).combine_chunks(), persons, rows)
        )

    sinks.crm.write(defects.spoil_crm(crm, rate, dirt, tally))
    sinks.accounts.write(records.to_json_lines(defects.spoil_accounts(accounts, rate, dirt, tally)))
    sinks.loyalty.write(defects.spoil_loyalty(loyalty, rate, dirt, tally))
    sinks.tickets.write(defects.spoil_tickets(ticket_table, rate, dirt, tally))
    order_table, spoiled = defects.spoil_orders(
        order_table,
        rate,
        dirt,
        tally,
        first_unknown_account=2 * config.customers + 1,
        first_unknown_member=config.customers + 1,
        id_width=records.RECORD_ID_WIDTH,
    )
    sinks.orders.write(order_table)
    sinks.lines.write(defects.spoil_lines(line_table, ~spoiled[lines.order], rate, dirt, tally))
    ops_dirt = config.operations_defect_rng(index)
    sinks.status_events.write(
        defects.spoil_status_events(
            status_events, ~spoiled[fulfilment.event_order], rate, ops_dirt, tally
        )
    )
    sinks.bookings.write(
        defects.spoil_bookings(
            booking_table,
            rate,
            ops_dirt,
            tally,
            first_unknown_account=2 * config.customers + 1,
            first_unknown_member=config.customers + 1,
            id_width=records.RECORD_ID_WIDTH,
        )
    )
    event_table = defects.spoil_events(event_table, rate, dirt, tally)
    sinks.events.write(events.ts // SECONDS_PER_DAY, records.to_json_lines(event_table))


def generate(config: GeneratorConfig) -> GenerationReport:
    """Write the full export to `config.out`, replacing a previous run's files there."""
    out = config.out
    out.mkdir(parents=True, exist_ok=True)
    _clear_outputs(out)
    (out / "_truth").mkdir()
    catalogue = make_catalogue(config.catalogue_rng())
    with CsvWriter(out / "products.csv", PRODUCT_COLUMNS) as products:
        products.write(catalogue.table)
    ops = make_operations(config)
    reference_dirt = config.operations_defect_rng()
    tally = defects.DefectTally()
    reference_rows: dict[str, int] = {}
    for source, columns in REFERENCE_EXPORTS.items():
        with CsvWriter(out / f"{source}.csv", columns) as writer:
            writer.write(
                defects.spoil_reference(
                    source, ops.tables[source], config.dirty_rate, reference_dirt, tally
                )
            )
            reference_rows[source] = writer.rows
    counters = _Counters()
    with ExitStack() as stack:
        sinks = _Sinks(
            crm=stack.enter_context(CsvWriter(out / "crm_customers.csv", CRM_COLUMNS)),
            accounts=stack.enter_context(JsonLinesWriter(out / "ecommerce_accounts.jsonl")),
            loyalty=stack.enter_context(CsvWriter(out / "loyalty_members.csv", LOYALTY_COLUMNS)),
            orders=stack.enter_context(ParquetSink(out / "orders.parquet", records.ORDERS_SCHEMA)),
            lines=stack.enter_context(
                ParquetSink(out / "order_lines.parquet", records.LINES_SCHEMA)
            ),
            events=DailyJsonLinesWriter(out / "app_events"),
            tickets=stack.enter_context(CsvWriter(out / "support_tickets.csv", TICKET_COLUMNS)),
            truth=stack.enter_context(CsvWriter(out / "_truth" / "identity.csv", TRUTH_COLUMNS)),
            status_events=stack.enter_context(
                ParquetSink(out / "order_status_events.parquet", records.ORDER_STATUS_EVENTS_SCHEMA)
            ),
            bookings=stack.enter_context(
                ParquetSink(out / "service_bookings.parquet", records.BOOKINGS_SCHEMA)
            ),
            behaviour=stack.enter_context(
                CsvWriter(out / "_truth" / "behaviour.csv", BEHAVIOUR_COLUMNS)
            ),
            tally=tally,
        )
        for index, (first, last) in enumerate(config.chunk_bounds()):
            _write_chunk(config, index, first, last, catalogue, ops, counters, sinks)
    injected = sinks.tally.counts
    write_json(
        out / "_truth" / "defects.json",
        {
            "dirty_rate": config.dirty_rate,
            "seed": config.seed,
            "customers": config.customers,
            "injected": injected,
        },
    )
    rows = {
        "crm_customers": sinks.crm.rows,
        "ecommerce_accounts": sinks.accounts.rows,
        "loyalty_members": sinks.loyalty.rows,
        "products": catalogue.size,
        "orders": sinks.orders.rows,
        "order_lines": sinks.lines.rows,
        "app_events": sinks.events.rows,
        "support_tickets": sinks.tickets.rows,
        **reference_rows,
        "order_status_events": sinks.status_events.rows,
        "service_bookings": sinks.bookings.rows,
    }
    return GenerationReport(out=out, customers=config.customers, rows=rows, defects=injected)
