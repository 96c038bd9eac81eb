"""Export rows of one chunk: each source system's view of the chunk's persons and activity.

Ids are global running numbers (`Keys`), so chunks written one after another give one export.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import c360_contract.vocabulary as vocab
from c360_mock_data import contacts
from c360_mock_data import reference as ref
from c360_mock_data.bookings import Bookings
from c360_mock_data.config import SECONDS_PER_DAY, GeneratorConfig
from c360_mock_data.events import Events
from c360_mock_data.formatting import (
    BoolArray,
    IntArray,
    date_strings,
    iso_timestamps,
    json_lines,
    make_ids,
    pick,
    timestamp_strings,
    with_nulls,
    zero_pad,
)
from c360_mock_data.fulfilment import Fulfilment
from c360_mock_data.geography import (
    PROVIDER_ID_WIDTH,
    SERVICE_ID_WIDTH,
    STORE_ID_WIDTH,
    Operations,
)
from c360_mock_data.orders import CHANNEL_STORE, LAPSE_CAUSES, Lines, Orders
from c360_mock_data.population import Persons
from c360_mock_data.products import PRODUCT_ID_WIDTH
from c360_mock_data.support import Tickets

PERSON_ID_WIDTH = 7
RECORD_ID_WIDTH = 7
ORDER_ID_WIDTH = 9
LINE_ID_WIDTH = 10
SESSION_ID_WIDTH = 10
EVENT_ID_WIDTH = 12
BOOKING_ID_WIDTH = 9

# Phone style weights per source, in contacts.PHONE_STYLES order (paren, plus1, dots, dash1, plain).
CRM_PHONE_STYLES = (0.8, 0.0, 0.2, 0.0, 0.0)
ACCOUNT_PHONE_STYLES = (0.0, 0.7, 0.0, 0.0, 0.3)
SECOND_ACCOUNT_PHONE_STYLES = (0.0, 0.3, 0.0, 0.7, 0.0)
LOYALTY_PHONE_STYLES = (0.0, 0.0, 0.4, 0.0, 0.6)
# Email case weights per source, in contacts.CASE_STYLES order (lower, title, upper, capitalize).
CRM_EMAIL_CASES = (0.2, 0.5, 0.0, 0.3)
LOYALTY_EMAIL_CASES = (0.6, 0.0, 0.4, 0.0)
TICKET_EMAIL_CASES = (0.55, 0.15, 0.1, 0.2)


@dataclass(frozen=True)
class Keys:
    """Global record numbers of the chunk's persons (-1 where the person has no such record)."""

    crm: IntArray
    account: IntArray
    second_account: IntArray
    member: IntArray


@dataclass(frozen=True)
class Contacts:
    """The chunk's canonical emails and per-person contact facts every source formats from."""

    email: pa.Array
    work_email: pa.Array
    account_created: IntArray
    """Epoch second the primary account was opened."""
    second_account_created: IntArray
    account_has_phone: BoolArray
    loyalty_has_email: BoolArray
    loyalty_has_phone: BoolArray


def make_contacts(persons: Persons, config: GeneratorConfig, rng: np.random.Generator) -> Contacts:
    n = persons.size
    u = rng.random(n)
    loyalty_has_email = u < 0.9
    loyalty_has_phone = (u < 0.7) | (u >= 0.9)
    # An account must carry the phone when the phone is the only link to the person's other records.
    needs_phone = persons.has_second_account | (
        persons.has_loyalty & ~loyalty_has_email & ~persons.has_crm
    )
    created = persons.acquired_day * SECONDS_PER_DAY + rng.integers(0, 8 * 3600, n)
    # The second (app) account is opened within a month of the first, before its app orders.
    later = created + rng.integers(0, 30 * SECONDS_PER_DAY, n)
    return Contacts(
        email=contacts.canonical_emails(persons, config.customers, rng),
        work_email=contacts.work_emails(persons, config.customers, rng),
        account_created=created.astype(np.int64),
        second_account_created=np.minimum(later, config.end_second),
        account_has_phone=needs_phone | (rng.random(n) < 0.6),
        loyalty_has_email=loyalty_has_email,
        loyalty_has_phone=loyalty_has_phone,
    )


def person_ids(persons: Persons, rows: IntArray) -> pa.Array:
    return make_ids("PER-", persons.number[rows] + 1, PERSON_ID_WIDTH)


def crm_table(
    persons: Persons, contact: Contacts, keys: Keys, segment: IntArray, rng: np.random.Generator
) -> pa.Table:
    rows = np.flatnonzero(persons.has_crm)
    m = len(rows)
    city = persons.city_idx[rows]
    gender = pick(vocab.GENDERS, persons.gender[rows])
    return pa.table(
        {
            "crm_id": make_ids("CRM-", keys.crm[rows], RECORD_ID_WIDTH),
            "first_name": contacts.person_first_names(persons).take(pa.array(rows)),
            "last_name": pick(ref.LAST_NAMES, persons.last_name_idx[rows]),
            "email": contacts.cased(contact.email.take(pa.array(rows)), CRM_EMAIL_CASES, rng),
            "phone": contacts.styled_phones(persons.number[rows], CRM_PHONE_STYLES, rng),
            "birth_date": date_strings(persons.birth_day[rows]),
            "gender": with_nulls(gender, rng.random(m) < 0.02),
            "city": pick([c[0] for c in ref.CITIES], city),
            "state": pick([c[1] for c in ref.CITIES], city),
            "country": pa.array(["US"] * m, type=pa.string()),
            "postal_code": zero_pad(persons.postal_code[rows], 5),
            "signup_date": date_strings(persons.acquired_day[rows]),
            "acquisition_channel": pick(
                vocab.ACQUISITION_CHANNELS, persons.acquisition_channel[rows]
            ),
            "customer_segment": pick(vocab.CUSTOMER_SEGMENTS, segment[rows]),
        }
    )


def _platforms(persons: Persons, rows: IntArray, app: BoolArray) -> IntArray:
    return np.where(app, np.where(persons.uses_ios[rows], 1, 2), 0)


def account_table(
    persons: Persons, contact: Contacts, keys: Keys, rng: np.random.Generator
) -> tuple[pa.Table, IntArray]:
    """Primary accounts, each followed by the person's second (work email, app) account if any.

    Also returns the person row of every account (for the truth file).
    """
    primary = np.flatnonzero(persons.has_account)
    second = np.flatnonzero(persons.has_second_account)
    number = np.concatenate([keys.account[primary], keys.second_account[second]])
    order = np.argsort(number, kind="stable")
    rows = np.concatenate([primary, second])[order]
    is_second = (np.arange(len(rows)) >= len(primary))[order]

    personal = contacts.padded(contact.email.take(pa.array(rows)), 0.25, rng)
    work = contact.work_email.take(pa.array(rows))
    phone_style = np.where(
        is_second,
        rng.choice(5, len(rows), p=SECOND_ACCOUNT_PHONE_STYLES),
        rng.choice(5, len(rows), p=ACCOUNT_PHONE_STYLES),
    )
    phone = with_nulls(
        contacts.format_phones(persons.number[rows], phone_style),
        ~(is_second | contact.account_has_phone[rows]),
    )
    created = np.where(
        is_second, contact.second_account_created[rows], contact.account_created[rows]
    )
    app = is_second | (rng.random(len(rows)) < persons.app_propensity[rows])
    return pa.table(
        {
            "account_id": make_ids("ACC-", number[order], RECORD_ID_WIDTH),
            "email": pc.if_else(pa.array(is_second), work, personal),
            "phone": phone,
            "created_at": iso_timestamps(created),
            "platform": pick(vocab.ACCOUNT_PLATFORMS, _platforms(persons, rows, app)),
        }
    ), rows


def loyalty_table(
    persons: Persons,
    contact: Contacts,
    keys: Keys,
    tier: IntArray,
    lifetime_points: IntArray,
    points_balance: IntArray,
    rng: np.random.Generator,
) -> pa.Table:
    rows = np.flatnonzero(persons.has_loyalty)
    email = contacts.cased(contact.email.take(pa.array(rows)), LOYALTY_EMAIL_CASES, rng)
    phone = contacts.styled_phones(persons.number[rows], LOYALTY_PHONE_STYLES, rng)
    return pa.table(
        {
            "member_id": make_ids("LOY-", keys.member[rows], RECORD_ID_WIDTH),
            "email": with_nulls(email, ~contact.loyalty_has_email[rows]),
            "phone": with_nulls(phone, ~contact.loyalty_has_phone[rows]),
            "tier": pick(vocab.LOYALTY_TIERS, tier[rows]),
            "points_balance": pa.array(points_balance[rows], type=pa.int64()),
            "lifetime_points": pa.array(lifetime_points[rows], type=pa.int64()),
            "enrolled_at": date_strings(persons.acquired_day[rows]),
        }
    )


def ticket_table(
    tickets: Tickets, contact: Contacts, first_number: int, rng: np.random.Generator
) -> pa.Table:
    def stamp(seconds: IntArray) -> pa.Array:
        return with_nulls(timestamp_strings(np.maximum(seconds, 0), " ", ""), seconds < 0)

    email = contacts.cased(contact.email.take(pa.array(tickets.person)), TICKET_EMAIL_CASES, rng)
    return pa.table(
        {
            "ticket_id": make_ids("TCK-", first_number + np.arange(tickets.size), RECORD_ID_WIDTH),
            "email": email,
            "created_at": stamp(tickets.created),
            "first_response_at": stamp(tickets.first_response),
            "resolved_at": stamp(tickets.resolved),
            "channel": pick(vocab.TICKET_CHANNELS, tickets.channel),
            "category": pick(vocab.TICKET_CATEGORIES, tickets.category),
            "priority": pick(vocab.TICKET_PRIORITIES, tickets.priority),
            "status": pick(vocab.TICKET_STATUSES, tickets.status),
            "csat": pa.array(tickets.csat, type=pa.int64(), mask=tickets.csat == 0),
        }
    )


ORDERS_SCHEMA = pa.schema(
    [
        ("order_id", pa.string()),
        ("account_id", pa.string()),
        ("member_id", pa.string()),
        ("channel", pa.string()),
        ("order_ts", pa.timestamp("us", tz="UTC")),
        ("status", pa.string()),
        ("payment_method", pa.string()),
        ("traffic_source", pa.string()),
        ("ship_city", pa.string()),
        ("ship_state", pa.string()),
        ("ship_postal_code", pa.string()),
        ("store_id", pa.string()),
        ("fulfilment", pa.string()),
        ("scheduled_for", pa.timestamp("us", tz="UTC")),
        ("payment_status", pa.string()),
    ]
)
ORDER_STATUS_EVENTS_SCHEMA = pa.schema(
    [
        ("order_id", pa.string()),
        ("status", pa.string()),
        ("ts", pa.timestamp("us", tz="UTC")),
    ]
)
BOOKINGS_SCHEMA = pa.schema(
    [
        ("booking_id", pa.string()),
        ("account_id", pa.string()),
        ("member_id", pa.string()),
        ("service_id", pa.string()),
        ("provider_id", pa.string()),
        ("booked_at", pa.timestamp("us", tz="UTC")),
        ("scheduled_for", pa.timestamp("us", tz="UTC")),
        ("status", pa.string()),
        ("price", pa.float64()),
        ("city", pa.string()),
        ("state", pa.string()),
        ("postal_code", pa.string()),
        ("rating", pa.int32()),
    ]
)
LINES_SCHEMA = pa.schema(
    [
        ("line_id", pa.string()),
        ("order_id", pa.string()),
        ("product_id", pa.string()),
        ("quantity", pa.int32()),
        ("unit_price", pa.float64()),
        ("discount", pa.float64()),
    ]
)


def buyer_accounts(persons: Persons, keys: Keys, person: IntArray, second: BoolArray) -> pa.Array:
    """Account id used by each order/session; null for persons without an account."""
    number = np.where(second, keys.second_account[person], keys.account[person])
    return with_nulls(make_ids("ACC-", np.maximum(number, 0), RECORD_ID_WIDTH), number < 0)


def _utc(seconds: IntArray, missing: BoolArray | None = None) -> pa.Array:
    micros = pa.array(seconds * 1_000_000, type=pa.int64(), mask=missing)
    return micros.cast(pa.timestamp("us", tz="UTC"))


def order_table(
    orders: Orders,
    persons: Persons,
    keys: Keys,
    first_number: int,
    fulfilment: Fulfilment,
    ops: Operations,
) -> pa.Table:
    store = orders.channel == CHANNEL_STORE
    person = orders.person
    member = keys.member[person]
    city = persons.city_idx[person]
    ship_postal = ops.postal.code[np.maximum(fulfilment.ship_postal_row, 0)]
    return pa.table(
        {
            "order_id": make_ids("ORD-", first_number + np.arange(orders.size), ORDER_ID_WIDTH),
            "account_id": with_nulls(
                buyer_accounts(persons, keys, person, orders.via_second_account), store
            ),
            "member_id": with_nulls(
                make_ids("LOY-", np.maximum(member, 0), RECORD_ID_WIDTH), member < 0
            ),
            "channel": pick(vocab.CHANNELS, orders.channel),
            "order_ts": _utc(orders.ts),
            "status": pick(vocab.ORDER_STATUSES, orders.status),
            "payment_method": pick(vocab.PAYMENT_METHODS, orders.payment),
            "traffic_source": with_nulls(
                pick(vocab.TRAFFIC_SOURCES, np.maximum(orders.traffic, 0)), store
            ),
            "ship_city": with_nulls(pick([c[0] for c in ref.CITIES], city), store),
            "ship_state": with_nulls(pick([c[1] for c in ref.CITIES], city), store),
            "ship_postal_code": with_nulls(zero_pad(ship_postal, 5), store),
            "store_id": make_ids("ST-", fulfilment.store + 1, STORE_ID_WIDTH),
            "fulfilment": pick(vocab.FULFILMENT_TYPES, fulfilment.scheduled.astype(np.int64)),
            "scheduled_for": _utc(
                np.maximum(fulfilment.scheduled_for, 0), fulfilment.scheduled_for < 0
            ),
            "payment_status": pick(vocab.PAYMENT_STATUSES, fulfilment.payment_status),
        },
        schema=ORDERS_SCHEMA,
    )


def status_event_table(fulfilment: Fulfilment, order_ids: pa.Array) -> pa.Table:
    return pa.table(
        {
            "order_id": order_ids.take(pa.array(fulfilment.event_order)),
            "status": pick(vocab.ORDER_EVENT_STATUSES, fulfilment.event_status),
            "ts": _utc(fulfilment.event_ts),
        },
        schema=ORDER_STATUS_EVENTS_SCHEMA,
    )


def booking_table(
    bookings: Bookings, persons: Persons, keys: Keys, first_number: int, ops: Operations
) -> pa.Table:
    person = bookings.person
    member = keys.member[person]
    account = keys.account[person]
    city = ops.postal.city[bookings.postal_row]
    return pa.table(
        {
            "booking_id": make_ids(
                "BK-", first_number + np.arange(bookings.size), BOOKING_ID_WIDTH
            ),
            "account_id": with_nulls(
                make_ids("ACC-", np.maximum(account, 0), RECORD_ID_WIDTH), account < 0
            ),
            "member_id": with_nulls(
                make_ids("LOY-", np.maximum(member, 0), RECORD_ID_WIDTH), member < 0
            ),
            "service_id": make_ids("SV-", bookings.service + 1, SERVICE_ID_WIDTH),
            "provider_id": make_ids("PR-", bookings.provider + 1, PROVIDER_ID_WIDTH),
            "booked_at": _utc(bookings.booked_at),
            "scheduled_for": _utc(bookings.scheduled_for),
            "status": pick(vocab.BOOKING_STATUSES, bookings.status),
            "price": pa.array(bookings.price_cents / 100.0),
            "city": pick([c[0] for c in ref.CITIES], city),
            "state": pick([c[1] for c in ref.CITIES], city),
            "postal_code": zero_pad(ops.postal.code[bookings.postal_row], 5),
            "rating": pa.array(bookings.rating, type=pa.int32(), mask=bookings.rating == 0),
        },
        schema=BOOKINGS_SCHEMA,
    )


def line_table(lines: Lines, order_ids: pa.Array, first_number: int) -> pa.Table:
    return pa.table(
        {
            "line_id": make_ids("LN-", first_number + np.arange(lines.size), LINE_ID_WIDTH),
            "order_id": order_ids.take(pa.array(lines.order)),
            "product_id": make_ids("P-", lines.product + 1, PRODUCT_ID_WIDTH),
            "quantity": pa.array(lines.quantity, type=pa.int32()),
            "unit_price": pa.array(lines.unit_price_cents / 100.0),
            "discount": pa.array(lines.discount_cents / 100.0),
        },
        schema=LINES_SCHEMA,
    )


def event_table(
    events: Events, persons: Persons, keys: Keys, first_session: int, first_event: int
) -> pa.Table:
    """Event fields as strings (the JSON-lines writer turns them into objects)."""
    return pa.table(
        {
            "event_id": make_ids("EV-", first_event + np.arange(events.size), EVENT_ID_WIDTH),
            "account_id": buyer_accounts(persons, keys, events.person, events.second_account),
            "session_id": make_ids("SES-", first_session + events.session, SESSION_ID_WIDTH),
            "ts": iso_timestamps(events.ts),
            "platform": pick(vocab.ACCOUNT_PLATFORMS, events.platform),
            "event_type": pick(vocab.EVENT_TYPES, events.event_type),
            "product_id": with_nulls(
                make_ids("P-", np.maximum(events.product, 0) + 1, PRODUCT_ID_WIDTH),
                events.product < 0,
            ),
            "traffic_source": pick(vocab.TRAFFIC_SOURCES, events.traffic),
        }
    )


def to_json_lines(table: pa.Table) -> pa.Array:
    return json_lines([(name, table.column(name).combine_chunks()) for name in table.column_names])


def truth_table(source: str, ids: pa.Array, persons: Persons, rows: IntArray) -> pa.Table:
    return pa.table(
        {
            "source": pa.array([source] * len(rows), type=pa.string()),
            "source_record_id": ids,
            "person_id": person_ids(persons, rows),
        }
    )


def behaviour_table(persons: Persons, lapse: IntArray, lapse_day: IntArray) -> pa.Table:
    """_truth/behaviour.csv: each person's drawn purchase and dropout rates and when they lapsed."""
    rows = np.arange(persons.size)
    return pa.table(
        {
            "person_id": person_ids(persons, rows),
            "purchase_rate_per_year": pa.array(np.round(persons.purchase_rate, 4)),
            "dropout_probability": pa.array(np.round(persons.dropout, 6)),
            "lapse_cause": pick(LAPSE_CAUSES, lapse),
            "lapsed_on": with_nulls(
                date_strings(np.where(lapse_day < 0, lapse_day.max(), lapse_day)), lapse_day < 0
            ),
        }
    )
