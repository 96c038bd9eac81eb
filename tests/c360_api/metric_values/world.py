"""A tiny fixed retailer, hand-written to sit on the catalogue metrics' boundaries.

Every person shares one email across their CRM record, e-commerce account and loyalty card, so
identity resolution makes one customer of each (`P01`..`P20` below). Amounts are chosen so that a
customer's revenue lands exactly on a value-band edge where one is named. Order times are UTC as in
the exports; "local" is New York (EST = UTC-5; EDT = UTC-4 from 2024-03-10 07:00Z to
2024-11-03 06:00Z and from 2025-03-09 07:00Z). As-of is 2025-06-30; the first order day (the
default window's start) is 2024-01-02.

| who | records | completed orders (local day) | revenue | role |
|---|---|---|---|---|
| P01 Ada | crm, acc | 01-02 | 50.00 | single order; first order day; band edge 50 |
| P02 Ben | crm, acc | 01-05, 01-05, 01-12 00:00, 03-10 01:30 (DST day) + a cancelled | 160.00 | same-day second order (gap 0); two lines of one product |
| P03 Cid | crm, acc | 01-10, 01-17, 2025-06-30 23:30 (= 07-01 03:30Z) | 105.00 | gap 7; an order on the as-of day that is 07-01 in UTC |
| P04 Dee | acc | 02-29 22:30 (= 03-01 03:30Z), 03-08 | 120.00 | cohort 2024-02 only locally; gap 8 locally, 7 in UTC |
| P05 Eve | crm, acc | 01-15, 02-14 | 225.00 | gap 30 |
| P06 Fay | crm, acc | 01-20, 02-20, 08-20 + a refunded | 380.00 | gap 31 |
| P07 Gus | crm, acc | 2024-02-10, 2025-02-09 22:30 (= 02-10 03:30Z) | 2500.00 | gap 365 locally, 366 in UTC; band edge 2500 |
| P08 Hal | crm, acc | 2024-02-10, 2025-02-10 | 80.00 | gap 366 |
| P09 Ivy | crm, acc, loy | 01-25 store, 02-25, 03-31 23:00 store (= 04-01 03:00Z), 05-10 store, 06-05 00:00 | 250.00 | store orders by loyalty card; band edge 250; an order after as-of |
| P10 Jon | crm, acc | 03-05, 03-20 (first order 01-08 refunded) | 49.99 | cohort 2024-03, not 2024-01; just under 50 |
| P11 Kim | crm, acc | none (2 cancelled, 1 payment_failed) | 0 | prospect; 2024-09 has only her cancelled order |
| P12 Lou | loy | 11-03 01:30 EDT (before the fall-back) | 50.00 | single order, loyalty only |
| P13 Max | crm, loy | 11-03 01:30 EST (after it), 12-05, 2025-03-09 01:30 (DST day) | 145.00 | store only; gap 32 |
| P14 Ned | crm, acc | 06-20, 06-30 | 100.00 | band edge 100 |
| P15 Ola | crm, acc | 12-31 23:00 (= 2025-01-01 04:00Z) | 500.00 | cohort 2024-12 only locally; band edge 500 |
| P16 Pia | crm, acc | 2025-04-30 23:30 (= 05-01 03:30Z) | 1000.00 | cohort 2025-04 only locally; band edge 1000 |
| P17 Quinn | crm, acc | 2025-05-20 | 2499.99 | just under 2500 |
| P18 Rae | crm, acc | 01-11 23:59:59 (= 01-12 04:59:59Z) | 40.00 | single order, hour 23 one second before local midnight |
| P19 Sam | crm, acc | 07-04, 10-03, 12-31 | 110.00 | gap 91; lifetime 180; mean gap 90 |
| P20 Tia | crm, acc | 05-15, 08-13 | 85.00 | gap 90 |

Dates without a year are 2024. No order at all falls in April 2024 or January 2025 locally
(P09's and P15's orders are in April and January only in UTC); September 2024 has only a
cancelled order. Sessions (app events, see `SESSIONS`): with and without purchase, one with two
purchases, two without a traffic source, one starting 22:20 local on 2024-02-29 (03-01 in UTC),
one before the first order day and one after the as-of date.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from c360_mock_data.records import (
    BOOKINGS_SCHEMA,
    LINES_SCHEMA,
    ORDER_STATUS_EVENTS_SCHEMA,
    ORDERS_SCHEMA,
)
from tests.c360_api.metric_values import ops_world as ops

AS_OF = date(2025, 6, 30)


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    crm: bool
    account: bool
    member: bool

    @property
    def number(self) -> int:
        return int(self.key[1:])

    @property
    def email(self) -> str:
        return f"{self.name.lower()}@example.com"

    @property
    def account_id(self) -> str | None:
        return f"ACC-{self.number:07d}" if self.account else None

    @property
    def member_id(self) -> str | None:
        return f"LOY-{self.number:07d}" if self.member else None


@dataclass(frozen=True)
class Line:
    product_id: str
    quantity: int
    unit_price: float
    discount: float = 0.0


@dataclass(frozen=True)
class Order:
    number: int
    person: str
    ts: str  # UTC, ISO-8601 with Z
    status: str
    channel: str
    lines: tuple[Line, ...]

    @property
    def order_id(self) -> str:
        return f"ORD-{self.number:09d}"


@dataclass(frozen=True)
class Session:
    number: int
    person: str
    platform: str
    traffic_source: str | None
    events: tuple[tuple[str, str, str | None], ...]  # (UTC ts, event_type, product_id)

    @property
    def session_id(self) -> str:
        return f"SES-{self.number:010d}"


def _p(key: str, name: str, *records: str) -> Person:
    return Person(key, name, "crm" in records, "acc" in records, "loy" in records)


PERSONS: tuple[Person, ...] = (
    _p("P01", "Ada", "crm", "acc"),
    _p("P02", "Ben", "crm", "acc"),
    _p("P03", "Cid", "crm", "acc"),
    _p("P04", "Dee", "acc"),
    _p("P05", "Eve", "crm", "acc"),
    _p("P06", "Fay", "crm", "acc"),
    _p("P07", "Gus", "crm", "acc"),
    _p("P08", "Hal", "crm", "acc"),
    _p("P09", "Ivy", "crm", "acc", "loy"),
    _p("P10", "Jon", "crm", "acc"),
    _p("P11", "Kim", "crm", "acc"),
    _p("P12", "Lou", "loy"),
    _p("P13", "Max", "crm", "loy"),
    _p("P14", "Ned", "crm", "acc"),
    _p("P15", "Ola", "crm", "acc"),
    _p("P16", "Pia", "crm", "acc"),
    _p("P17", "Quinn", "crm", "acc"),
    _p("P18", "Rae", "crm", "acc"),
    _p("P19", "Sam", "crm", "acc"),
    _p("P20", "Tia", "crm", "acc"),
)

# product_id, name, category, list_price, unit_cost; P-00007 is never sold.
PRODUCTS: tuple[tuple[str, str, str, float, float], ...] = (
    ("P-00001", "Mug", "home", 25.0, 10.0),
    ("P-00002", "Lamp", "home", 60.0, 30.0),
    ("P-00003", "Ball", "sports", 40.0, 15.0),
    ("P-00004", "Racket", "sports", 125.0, 60.0),
    ("P-00005", "Phone", "electronics", 1250.0, 900.0),
    ("P-00006", "Cable", "electronics", 10.0, 2.0),
    ("P-00007", "Tent", "outdoor", 300.0, 150.0),
)
MUG, LAMP, BALL, RACKET, PHONE, CABLE = (p[0] for p in PRODUCTS[:6])

C, X, R, F = "completed", "cancelled", "refunded", "payment_failed"
ORDERS: tuple[Order, ...] = (
    Order(1, "P01", "2024-01-02T15:00:00Z", C, "online", (Line(MUG, 2, 25.0),)),
    Order(
        2,
        "P02",
        "2024-01-05T14:00:00Z",
        C,
        "app",
        (Line(MUG, 1, 25.0), Line(MUG, 2, 25.0, 5.0), Line(CABLE, 1, 10.0)),
    ),
    Order(3, "P02", "2024-01-05T20:00:00Z", C, "online", (Line(BALL, 1, 40.0),)),
    # 00:00 EST: hour 0 of 2024-01-12.
    Order(4, "P02", "2024-01-12T05:00:00Z", C, "online", (Line(CABLE, 1, 10.0),)),
    # 2024-03-10 is the spring-forward day: 01:30 EST, then 03:30 EDT (no hour 2 that day).
    Order(5, "P02", "2024-03-10T06:30:00Z", C, "online", (Line(CABLE, 3, 10.0),)),
    Order(6, "P02", "2024-03-10T07:30:00Z", X, "online", (Line(BALL, 1, 40.0),)),
    Order(7, "P03", "2024-01-10T17:00:00Z", C, "online", (Line(LAMP, 1, 60.0),)),
    Order(8, "P03", "2024-01-17T17:00:00Z", C, "online", (Line(CABLE, 2, 10.0),)),
    # 2025-06-30 23:30 EDT: the as-of day locally, 07-01 in UTC.
    Order(9, "P03", "2025-07-01T03:30:00Z", C, "online", (Line(MUG, 1, 25.0),)),
    # 2024-02-29 22:30 EST (leap day, Thursday): February locally, March in UTC.
    Order(10, "P04", "2024-03-01T03:30:00Z", C, "online", (Line(BALL, 2, 40.0),)),
    Order(11, "P04", "2024-03-08T16:00:00Z", C, "app", (Line(BALL, 1, 40.0),)),
    Order(12, "P05", "2024-01-15T15:00:00Z", C, "online", (Line(RACKET, 1, 125.0),)),
    Order(13, "P05", "2024-02-14T15:00:00Z", C, "online", (Line(RACKET, 1, 125.0, 25.0),)),
    Order(14, "P06", "2024-01-20T15:00:00Z", C, "online", (Line(LAMP, 2, 60.0),)),
    Order(15, "P06", "2024-02-20T15:00:00Z", C, "online", (Line(CABLE, 1, 10.0),)),
    Order(16, "P06", "2024-08-20T15:00:00Z", C, "app", (Line(RACKET, 2, 125.0),)),
    Order(17, "P06", "2024-08-25T15:00:00Z", R, "app", (Line(RACKET, 1, 125.0),)),
    Order(18, "P07", "2024-02-10T15:00:00Z", C, "online", (Line(PHONE, 1, 1250.0),)),
    # 2025-02-09 22:30 EST: 365 local days after 2024-02-10, 366 in UTC.
    Order(19, "P07", "2025-02-10T03:30:00Z", C, "online", (Line(PHONE, 1, 1250.0),)),
    Order(20, "P08", "2024-02-10T16:00:00Z", C, "online", (Line(BALL, 1, 40.0),)),
    Order(21, "P08", "2025-02-10T16:00:00Z", C, "online", (Line(BALL, 1, 40.0),)),
    Order(22, "P09", "2024-01-25T16:00:00Z", C, "store", (Line(MUG, 4, 25.0),)),
    Order(23, "P09", "2024-02-25T15:00:00Z", C, "online", (Line(LAMP, 1, 60.0),)),
    # 2024-03-31 23:00 EDT: March locally; nothing else falls in April 2024.
    Order(24, "P09", "2024-04-01T03:00:00Z", C, "store", (Line(CABLE, 1, 10.0),)),
    Order(25, "P09", "2024-05-10T15:00:00Z", C, "store", (Line(BALL, 1, 40.0),)),
    # 00:00 EDT: hour 0 of 2024-06-05.
    Order(26, "P09", "2024-06-05T04:00:00Z", C, "app", (Line(BALL, 1, 40.0),)),
    # After the as-of date: ignored everywhere.
    Order(27, "P09", "2025-07-02T15:00:00Z", C, "online", (Line(PHONE, 1, 1250.0),)),
    Order(28, "P10", "2024-01-08T15:00:00Z", R, "online", (Line(LAMP, 1, 60.0),)),
    Order(29, "P10", "2024-03-05T15:00:00Z", C, "online", (Line(MUG, 1, 25.0),)),
    Order(30, "P10", "2024-03-20T15:00:00Z", C, "online", (Line(MUG, 1, 25.0, 0.01),)),
    Order(31, "P11", "2024-02-03T15:00:00Z", X, "online", (Line(BALL, 1, 40.0),)),
    Order(32, "P11", "2024-06-12T15:00:00Z", F, "online", (Line(LAMP, 1, 60.0),)),
    Order(33, "P11", "2024-09-10T15:00:00Z", X, "online", (Line(CABLE, 1, 10.0),)),
    # 2024-11-03 is the fall-back day: 05:30Z is 01:30 EDT, 06:30Z is 01:30 EST (hour 1 twice).
    Order(34, "P12", "2024-11-03T05:30:00Z", C, "store", (Line(MUG, 2, 25.0),)),
    Order(35, "P13", "2024-11-03T06:30:00Z", C, "store", (Line(BALL, 2, 40.0),)),
    Order(36, "P13", "2024-12-05T17:00:00Z", C, "store", (Line(BALL, 1, 40.0),)),
    # 2025-03-09 (spring forward) 01:30 EST.
    Order(37, "P13", "2025-03-09T06:30:00Z", C, "store", (Line(MUG, 1, 25.0),)),
    Order(38, "P14", "2024-06-20T15:00:00Z", C, "online", (Line(LAMP, 1, 60.0),)),
    Order(39, "P14", "2024-06-30T15:00:00Z", C, "online", (Line(BALL, 1, 40.0),)),
    # 2024-12-31 23:00 EST (Tuesday): December 2024 locally, January 2025 in UTC.
    Order(40, "P15", "2025-01-01T04:00:00Z", C, "online", (Line(RACKET, 4, 125.0),)),
    # 2025-04-30 23:30 EDT: April locally, May in UTC.
    Order(41, "P16", "2025-05-01T03:30:00Z", C, "online", (Line(RACKET, 8, 125.0),)),
    Order(42, "P17", "2025-05-20T15:00:00Z", C, "online", (Line(PHONE, 2, 1250.0, 0.01),)),
    # 2024-01-11 23:59:59 EST: hour 23, one second before local midnight.
    Order(43, "P18", "2024-01-12T04:59:59Z", C, "online", (Line(BALL, 1, 40.0),)),
    Order(44, "P19", "2024-07-04T15:00:00Z", C, "online", (Line(CABLE, 1, 10.0),)),
    Order(45, "P19", "2024-10-03T15:00:00Z", C, "online", (Line(BALL, 1, 40.0),)),
    Order(46, "P19", "2024-12-31T15:00:00Z", C, "online", (Line(LAMP, 1, 60.0),)),
    Order(47, "P20", "2024-05-15T15:00:00Z", C, "online", (Line(LAMP, 1, 60.0),)),
    Order(48, "P20", "2024-08-13T15:00:00Z", C, "online", (Line(MUG, 1, 25.0),)),
)

_START, _VIEW, _CART, _CHECKOUT, _BUY = (
    "session_start",
    "product_view",
    "add_to_cart",
    "checkout_start",
    "purchase",
)
SESSIONS: tuple[Session, ...] = (
    Session(
        1,
        "P01",
        "web",
        "organic_search",
        (
            ("2024-01-02T14:50:00Z", _START, None),
            ("2024-01-02T14:52:00Z", _VIEW, MUG),
            ("2024-01-02T14:55:00Z", _CART, MUG),
            ("2024-01-02T14:58:00Z", _CHECKOUT, None),
            ("2024-01-02T15:00:00Z", _BUY, None),
        ),
    ),
    Session(
        2,
        "P02",
        "ios",
        "paid_search",
        (("2024-01-05T13:50:00Z", _START, None), ("2024-01-05T13:51:00Z", _VIEW, MUG)),
    ),
    # Two purchases: converts once.
    Session(
        3,
        "P02",
        "ios",
        "paid_search",
        (
            ("2024-01-05T19:50:00Z", _START, None),
            ("2024-01-05T19:55:00Z", _BUY, None),
            ("2024-01-05T20:00:00Z", _BUY, None),
        ),
    ),
    # No traffic source: unattributed.
    Session(
        4,
        "P03",
        "web",
        None,
        (
            ("2024-01-10T16:50:00Z", _START, None),
            ("2024-01-10T16:55:00Z", _VIEW, LAMP),
            ("2024-01-10T17:00:00Z", _BUY, None),
        ),
    ),
    Session(
        5,
        "P03",
        "web",
        None,
        (("2024-02-01T12:00:00Z", _START, None), ("2024-02-01T12:05:00Z", _VIEW, BALL)),
    ),
    # Starts 2024-02-29 22:20 EST (03-01 in UTC).
    Session(
        6,
        "P04",
        "web",
        "direct",
        (("2024-03-01T03:20:00Z", _START, None), ("2024-03-01T03:29:00Z", _BUY, None)),
    ),
    # Starts 2024-03-01 00:10 EST.
    Session(
        7,
        "P05",
        "android",
        "email",
        (("2024-03-01T05:10:00Z", _START, None), ("2024-03-01T05:12:00Z", _VIEW, RACKET)),
    ),
    Session(
        8,
        "P06",
        "android",
        "social",
        (("2024-08-20T14:50:00Z", _START, None), ("2024-08-20T15:00:00Z", _BUY, None)),
    ),
    Session(
        9,
        "P14",
        "web",
        "paid_search",
        (
            ("2024-06-20T14:00:00Z", _START, None),
            ("2024-06-20T14:02:00Z", _VIEW, LAMP),
            ("2024-06-20T14:03:00Z", _CART, LAMP),
        ),
    ),
    # Starts 2025-04-30 23:20 EDT (05-01 in UTC).
    Session(
        10,
        "P16",
        "web",
        "direct",
        (("2025-05-01T03:20:00Z", _START, None), ("2025-05-01T03:30:00Z", _BUY, None)),
    ),
    Session(
        11,
        "P17",
        "web",
        "referral",
        (("2025-05-20T14:50:00Z", _START, None), ("2025-05-20T15:00:00Z", _BUY, None)),
    ),
    # After the as-of date.
    Session(
        12,
        "P09",
        "web",
        "direct",
        (("2025-07-02T14:50:00Z", _START, None), ("2025-07-02T15:00:00Z", _BUY, None)),
    ),
    # Before the first order day (2024-01-02): outside the default window.
    Session(
        13,
        "P08",
        "web",
        "direct",
        (("2023-12-30T15:00:00Z", _START, None), ("2023-12-30T15:01:00Z", _VIEW, BALL)),
    ),
    # Starts 2024-06-04 23:50 EDT, buys 2024-06-05 00:05 EDT: a 2024-06-04 session.
    Session(
        14,
        "P09",
        "ios",
        "organic_search",
        (("2024-06-05T03:50:00Z", _START, None), ("2024-06-05T04:05:00Z", _BUY, None)),
    ),
    Session(
        15,
        "P19",
        "android",
        "email",
        (("2024-07-04T14:50:00Z", _START, None), ("2024-07-04T15:00:00Z", _BUY, None)),
    ),
    Session(
        16,
        "P20",
        "web",
        "social",
        (("2024-05-15T14:00:00Z", _START, None), ("2024-05-15T14:05:00Z", _VIEW, LAMP)),
    ),
)

BY_KEY: dict[str, Person] = {p.key: p for p in PERSONS}


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    """Header, then unquoted values (none holds a comma, quote or line break), as the generator."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _write_jsonl(path: Path, records: list[dict[str, str | None]]) -> None:
    """One JSON object a line, every key present, every value a string or null."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record) + "\n")


def _phone(person: Person) -> str:
    return f"212555{person.number:04d}"


def _persons_exports(out: Path) -> None:
    _write_csv(
        out / "crm_customers.csv",
        [
            {
                "crm_id": f"CRM-{p.number:07d}",
                "first_name": p.name,
                "last_name": "Test",
                "email": p.email,
                "phone": _phone(p),
                "birth_date": "1990-05-01",
                "gender": "F",
                "city": "Austin",
                "state": "TX",
                "country": "US",
                "postal_code": "73301",
                "signup_date": "2023-06-01",
                "acquisition_channel": "referral",
                "customer_segment": "Standard",
            }
            for p in PERSONS
            if p.crm
        ],
    )
    _write_jsonl(
        out / "ecommerce_accounts.jsonl",
        [
            {
                "account_id": p.account_id,
                "email": p.email,
                "phone": _phone(p),
                "created_at": "2023-06-01T10:00:00Z",
                "platform": "web",
            }
            for p in PERSONS
            if p.account
        ],
    )
    _write_csv(
        out / "loyalty_members.csv",
        [
            {
                "member_id": str(p.member_id),
                "email": p.email,
                "phone": _phone(p),
                "tier": "Silver",
                "points_balance": "10",
                "lifetime_points": "20",
                "enrolled_at": "2023-06-01",
            }
            for p in PERSONS
            if p.member
        ],
    )
    _write_csv(
        out / "support_tickets.csv",
        [
            {
                "ticket_id": f"TCK-{i:07d}",
                "email": BY_KEY[key].email,
                "created_at": "2024-03-01 09:00:00",
                "first_response_at": "2024-03-01 10:00:00",
                "resolved_at": "2024-03-02 09:00:00",
                "channel": "chat",
                "category": "billing",
                "priority": "low",
                "status": "resolved",
                "csat": "4",
            }
            for i, key in enumerate(("P01", "P05", "P11"), start=1)
        ],
    )


def _order_exports(out: Path) -> None:
    _write_csv(
        out / "products.csv",
        [
            {
                "product_id": pid,
                "name": name,
                "category": category,
                "subcategory": category,
                "brand": "Acme",
                "list_price": f"{price:.2f}",
                "unit_cost": f"{cost:.2f}",
                "stock_on_hand": "50",
                "reorder_point": "10",
            }
            for pid, name, category, price, cost in PRODUCTS
        ],
    )
    orders = []
    events = []
    for o in ORDERS:
        store = o.channel == "store"
        how = ops.ops_of(o.number)
        history, payment_status = ops.history(o.number, o.channel, o.status, o.ts)
        orders.append(
            {
                "order_id": o.order_id,
                "account_id": None if store else BY_KEY[o.person].account_id,
                "member_id": BY_KEY[o.person].member_id,
                "channel": o.channel,
                "order_ts": datetime.fromisoformat(o.ts.replace("Z", "+00:00")),
                "status": o.status,
                "payment_method": ops.payment_method(o.number, o.channel),
                "traffic_source": None if store else "direct",
                "ship_city": None if store else ops.POSTAL_CODES[how.ship_postal][0],
                "ship_state": None if store else "TX",
                "ship_postal_code": None if store else how.ship_postal,
                "store_id": how.store,
                "fulfilment": "immediate" if how.slot is None else "scheduled",
                "scheduled_for": None
                if how.slot is None
                else datetime.fromisoformat(how.slot.replace("Z", "+00:00")),
                "payment_status": payment_status,
            }
        )
        events += [{"order_id": o.order_id, "status": s, "ts": t} for s, t in history]
    pq.write_table(pa.Table.from_pylist(orders, schema=ORDERS_SCHEMA), out / "orders.parquet")
    pq.write_table(
        pa.Table.from_pylist(events, schema=ORDER_STATUS_EVENTS_SCHEMA),
        out / "order_status_events.parquet",
    )
    lines = [
        {
            "line_id": f"LN-{n:010d}",
            "order_id": o.order_id,
            "product_id": line.product_id,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount": line.discount,
        }
        for n, (o, line) in enumerate(((o, li) for o in ORDERS for li in o.lines), start=1)
    ]
    pq.write_table(pa.Table.from_pylist(lines, schema=LINES_SCHEMA), out / "order_lines.parquet")


def _event_exports(out: Path) -> None:
    by_day: dict[str, list[dict[str, str | None]]] = defaultdict(list)
    n = 0
    for s in SESSIONS:
        for ts, event_type, product_id in s.events:
            n += 1
            by_day[ts[:10]].append(
                {
                    "event_id": f"EV-{n:012d}",
                    "account_id": BY_KEY[s.person].account_id,
                    "session_id": s.session_id,
                    "ts": ts,
                    "platform": s.platform,
                    "event_type": event_type,
                    "product_id": product_id,
                    "traffic_source": s.traffic_source,
                }
            )
    for day, records in by_day.items():
        _write_jsonl(out / "app_events" / f"dt={day}" / "part-00000.jsonl", records)


def _operations_exports(out: Path) -> None:
    _write_csv(
        out / "postal_codes.csv",
        [
            {"postal_code": code, "city": city, "state": state, "lat": lat, "lon": lon}
            for code, (city, state, lat, lon) in ops.POSTAL_CODES.items()
        ],
    )

    def place(postal_code: str) -> dict[str, str]:
        city, state, lat, lon = ops.POSTAL_CODES[postal_code]
        return {"city": city, "state": state, "lat": lat, "lon": lon}

    _write_csv(
        out / "stores.csv",
        [
            {
                "store_id": store_id,
                "name": name,
                **{k: v for k, v in place(code).items() if k in ("city", "state")},
                "postal_code": code,
                **{k: v for k, v in place(code).items() if k in ("lat", "lon")},
                "opened_at": "2015-03-01",
            }
            for store_id, (name, code) in ops.STORES.items()
        ],
    )
    _write_csv(
        out / "services.csv",
        [
            {
                "service_id": sid,
                "name": name,
                "category": category,
                "base_price": price,
                "duration_minutes": minutes,
            }
            for sid, (name, category, price, minutes) in ops.SERVICES.items()
        ],
    )
    _write_csv(
        out / "providers.csv",
        [
            {"provider_id": pid, "name": name, **place(code), "joined_at": "2020-01-01"}
            for pid, (name, code) in ops.PROVIDERS.items()
        ],
    )
    bookings = [
        {
            "booking_id": b.booking_id,
            "account_id": None if b.by_member_only else BY_KEY[b.person].account_id,
            "member_id": BY_KEY[b.person].member_id,
            "service_id": b.service_id,
            "provider_id": b.provider_id,
            "booked_at": datetime.fromisoformat(b.booked_at.replace("Z", "+00:00")),
            "scheduled_for": datetime.fromisoformat(b.scheduled_for.replace("Z", "+00:00")),
            "status": b.status,
            "price": b.price,
            "city": ops.POSTAL_CODES[b.postal_code][0],
            "state": ops.POSTAL_CODES[b.postal_code][1],
            "postal_code": b.postal_code,
            "rating": b.rating,
        }
        for b in ops.BOOKINGS
    ]
    pq.write_table(
        pa.Table.from_pylist(bookings, schema=BOOKINGS_SCHEMA), out / "service_bookings.parquet"
    )


def write_world(out: Path) -> Path:
    """The source exports of docs/data_model.md §1 into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    _persons_exports(out)
    _order_exports(out)
    _event_exports(out)
    _operations_exports(out)
    return out
