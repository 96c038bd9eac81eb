"""Operations data of the fixed world (world.py): how its orders were paid and fulfilled, their
status histories, the stores, postal codes, services, providers and bookings.

Places lie on the meridian 97 W, so a distance is the latitude difference times 6371 * pi / 180
km: 73301 at 30.000000 (every customer's home, the Austin store and provider PR-00001), 73304 at
4.999 km, 73305 at 5.000 km, 73315 at 15.000 km and 73330 at 30.000 km north of it (each read to
the metre at the exports' 6 decimals), 75201 (Dallas) 111.195 km north.

| order | what it pins |
|---|---|
| ORD-1 | shipped to 73304: 4.999 km, band 0-5 |
| ORD-7 | shipped to 73305: 5.000 km, band 5-15 |
| ORD-12 | cash on delivery to 73315: 15.000 km, band 15-30, captured when delivered |
| ORD-14 | shipped to 73330: 30.000 km, band 30+; late (80 h) |
| ORD-18 | stock-out: shipped from the Dallas store (111.195 km), 60 h |
| ORD-9 | cash on delivery placed on the as-of day (local): every later event is after as-of, still pending |
| ORD-17 | refunded after delivery (app) |
| ORD-28 | refunded after delivery (online) |
| ORD-6, -31, -33 | cancelled after payment (card): payment refunded |
| ORD-32 | payment failed (card) |
| ORD-46 | scheduled, delivered an hour into its slot: on time |
| ORD-47 | scheduled, delivered three hours after its slot's start: late |
| ORD-38, -45 | immediate, delivered after 100 h and 80 h: late |
| ORD-23, -44 | paid by wallet; store orders ORD-22, -24 paid by card |

Bookings: BK-2 completed without a rating; BK-5 by a provider 111 km away; BK-6 by loyalty card
only; BK-8 after as-of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import pi

KM_PER_DEGREE = 6371.0 * pi / 180
LON = "-97.000000"


def _lat(km: float) -> str:
    return f"{30 + km / KM_PER_DEGREE:.6f}"


# postal_code -> (city, state, lat, lon)
POSTAL_CODES: dict[str, tuple[str, str, str, str]] = {
    "73301": ("Austin", "TX", "30.000000", LON),
    "73304": ("Austin", "TX", _lat(4.999), LON),
    "73305": ("Austin", "TX", _lat(5.0), LON),
    "73315": ("Austin", "TX", _lat(15.0), LON),
    "73330": ("Austin", "TX", _lat(30.0), LON),
    "75201": ("Dallas", "TX", "31.000000", LON),
}
# store_id -> (name, postal_code)
STORES: dict[str, tuple[str, str]] = {
    "ST-0001": ("C360 Austin Downtown", "73301"),
    "ST-0002": ("C360 Dallas Central", "75201"),
}
# service_id -> (name, category, base_price, minutes)
SERVICES: dict[str, tuple[str, str, str, str]] = {
    "SV-001": ("Appliance Installation", "Installation", "159.00", "240"),
    "SV-002": ("Desk Assembly", "Assembly", "95.00", "60"),
    "SV-003": ("TV Mounting", "Tech Support", "99.00", "90"),
}
# provider_id -> (name, postal_code)
PROVIDERS: dict[str, tuple[str, str]] = {
    "PR-00001": ("Lee Services", "73301"),
    "PR-00002": ("Ortiz Pros", "73315"),
    "PR-00003": ("Dallas Experts", "75201"),
}


@dataclass(frozen=True)
class OrderOps:
    """How one order was paid and fulfilled (world.py's orders take the defaults otherwise)."""

    payment: str | None = None
    """None: cash in store, card online."""
    ship_postal: str = "73301"
    store: str = "ST-0001"
    transit_hours: float = 30.0
    """Placed to delivered, for an immediate shipped order."""
    slot: str | None = None
    """A scheduled order's slot start (UTC); delivered `transit_hours` after it."""
    delivered: bool = True


ORDER_OPS: dict[int, OrderOps] = {
    1: OrderOps(ship_postal="73304"),
    7: OrderOps(ship_postal="73305"),
    9: OrderOps(payment="cash_on_delivery", delivered=False),
    12: OrderOps(payment="cash_on_delivery", ship_postal="73315"),
    14: OrderOps(ship_postal="73330", transit_hours=80.0),
    18: OrderOps(store="ST-0002", transit_hours=60.0),
    22: OrderOps(payment="card"),
    23: OrderOps(payment="wallet"),
    24: OrderOps(payment="card"),
    38: OrderOps(transit_hours=100.0),
    44: OrderOps(payment="wallet"),
    45: OrderOps(transit_hours=80.0),
    46: OrderOps(slot="2025-01-02T15:00:00Z", transit_hours=1.0),
    47: OrderOps(slot="2024-05-17T14:00:00Z", transit_hours=3.0),
}


def ops_of(number: int) -> OrderOps:
    return ORDER_OPS.get(number, OrderOps())


def payment_method(number: int, channel: str) -> str:
    ops = ops_of(number)
    return ops.payment or ("cash" if channel == "store" else "card")


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def history(
    number: int, channel: str, status: str, ts: str
) -> tuple[list[tuple[str, datetime]], str]:
    """An order's status events (status, UTC instant) and its payment status, following the
    table of docs/data_model.md."""
    ops = ops_of(number)
    placed = _parse(ts)
    cod = payment_method(number, channel) == "cash_on_delivery"
    if channel == "store":
        events = [("placed", placed)]
        if status == "payment_failed":
            return [*events, ("payment_failed", placed)], "failed"
        events.append(("paid", placed))
        if status == "cancelled":
            return [*events, ("cancelled", placed + timedelta(minutes=5))], "refunded"
        events.append(("delivered", placed))
        if status == "refunded":
            return [*events, ("refunded", placed + timedelta(days=7))], "refunded"
        return events, "captured"
    paid = placed + timedelta(minutes=5)
    if status == "payment_failed":
        return [("placed", placed), ("payment_failed", paid)], "failed"
    if status == "cancelled":
        return [("placed", placed), ("paid", paid), ("cancelled", paid + timedelta(hours=1))], (
            "refunded"
        )
    if ops.slot is not None:
        slot = _parse(ops.slot)
        delivered = slot + timedelta(hours=ops.transit_hours)
        packed, shipped = slot - timedelta(hours=6), slot - timedelta(hours=2)
    else:
        delivered = placed + timedelta(hours=ops.transit_hours)
        packed, shipped = placed + timedelta(hours=2), placed + timedelta(hours=4)
    events = [("placed", placed)] + ([] if cod else [("paid", paid)])
    events += [("packed", packed), ("shipped", shipped)]
    if not ops.delivered:
        return events, "pending" if cod else "captured"
    events.append(("delivered", delivered))
    if cod:
        events.append(("paid", delivered))
    if status == "refunded":
        return [*events, ("refunded", delivered + timedelta(days=6))], "refunded"
    return events, "captured"


@dataclass(frozen=True)
class Booking:
    number: int
    person: str
    by_member_only: bool
    service_id: str
    provider_id: str
    booked_at: str
    scheduled_for: str
    status: str
    price: float
    postal_code: str
    rating: int | None

    @property
    def booking_id(self) -> str:
        return f"BK-{self.number:09d}"


BOOKINGS: tuple[Booking, ...] = (
    Booking(1, "P01", False, "SV-001", "PR-00001", "2024-03-04T15:00:00Z", "2024-03-06T15:00:00Z",
            "completed", 150.0, "73301", 5),
    Booking(2, "P02", False, "SV-001", "PR-00001", "2024-03-05T15:00:00Z", "2024-03-08T15:00:00Z",
            "completed", 160.0, "73305", None),
    Booking(3, "P03", False, "SV-002", "PR-00002", "2024-06-10T15:00:00Z", "2024-06-12T15:00:00Z",
            "cancelled", 95.0, "73301", None),
    Booking(4, "P05", False, "SV-002", "PR-00002", "2024-06-11T15:00:00Z", "2024-06-13T15:00:00Z",
            "no_show", 95.0, "73301", None),
    Booking(5, "P06", False, "SV-003", "PR-00003", "2025-01-15T15:00:00Z", "2025-01-18T15:00:00Z",
            "completed", 99.0, "73301", 3),
    Booking(6, "P09", True, "SV-001", "PR-00001", "2025-06-29T15:00:00Z", "2025-06-30T14:00:00Z",
            "completed", 150.0, "73301", 4),
    Booking(7, "P12", True, "SV-002", "PR-00001", "2024-11-20T15:00:00Z", "2024-11-22T15:00:00Z",
            "completed", 90.0, "73301", 2),
    # Booked after the as-of date: ignored.
    Booking(8, "P10", False, "SV-003", "PR-00002", "2025-07-02T15:00:00Z", "2025-07-04T15:00:00Z",
            "completed", 99.0, "73301", 5),
)  # fmt: skip
