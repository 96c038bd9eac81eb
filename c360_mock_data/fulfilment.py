"""How each order was fulfilled and paid: its store, fulfilment type, payment status and the
history of statuses it went through, consistent with its final status and channel.

- A store order is sold at a store of the buyer's home city (so its local time is that store's
  city's), and is placed, paid and delivered at once.
- A shipped (online or app) order goes to the buyer's home postal code from the nearest store of
  the city, or, for a share of stock-outs, from the nearest store of another city. It is paid at
  placement (card, wallet) or at the door (cash on delivery), packed during the warehouse's
  shift (08:00-20:00 on the buyer's clock), shipped, and delivered after a transit that grows with
  the distance; a scheduled order is delivered around its slot.
- Final statuses end the history: a cancelled order was cancelled before packing (its payment
  refunded; a cash-on-delivery one was never paid), a refunded one was refunded after delivery,
  a payment failure is the last event (at the door for cash on delivery).
- A completed order still in transit when the export was taken has no delivered event (cash on
  delivery is then `pending`); the history of any other order ends inside the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import c360_contract.vocabulary as vocab
from c360_mock_data.config import SECONDS_PER_DAY, GeneratorConfig
from c360_mock_data.formatting import BoolArray, FloatArray, IntArray
from c360_mock_data.geography import Operations, haversine_km
from c360_mock_data.localtime import SECONDS_PER_HOUR, local_to_utc, utc_to_local
from c360_mock_data.orders import CHANNEL_STORE, Orders
from c360_mock_data.population import Persons

SHARE_NEAREST_STORE_IN_STORE = 0.75
SHARE_STOCK_OUT = 0.12
SHARE_SCHEDULED = 0.15
SHIFT_START_HOUR, SHIFT_END_HOUR = 8, 20
SLOT_DAYS_MAX = 5
SCHEDULE_MARGIN_DAYS = SLOT_DAYS_MAX + 2
COMPLETED, CANCELLED, REFUNDED, PAYMENT_FAILED = (
    vocab.ORDER_STATUSES.index(s) for s in ("completed", "cancelled", "refunded", "payment_failed")
)
COD = vocab.PAYMENT_METHODS.index("cash_on_delivery")
(PLACED, PAID, PACKED, SHIPPED, DELIVERED, EV_CANCELLED, EV_PAYMENT_FAILED, EV_REFUNDED) = (
    vocab.ORDER_EVENT_STATUSES.index(s)
    for s in (
        "placed",
        "paid",
        "packed",
        "shipped",
        "delivered",
        "cancelled",
        "payment_failed",
        "refunded",
    )
)
CAPTURED, FAILED, PAY_REFUNDED, PENDING = (
    vocab.PAYMENT_STATUSES.index(s) for s in ("captured", "failed", "refunded", "pending")
)
NONE = -1


@dataclass(frozen=True)
class Fulfilment:
    """Per order (Orders order) and per status event (ordered by order, then time)."""

    store: IntArray
    scheduled: BoolArray
    scheduled_for: IntArray
    """Epoch second of the delivery slot's start, -1 for immediate orders."""
    payment_status: IntArray
    ship_postal_row: IntArray
    """Postal-code row shipped to, -1 for store orders."""
    event_order: IntArray
    event_status: IntArray
    event_ts: IntArray


def _u(rng: np.random.Generator, low: float, high: float | FloatArray, n: int) -> FloatArray:
    return rng.uniform(low, high, n)


def _stores(orders: Orders, home: IntArray, ops: Operations, rng: np.random.Generator) -> IntArray:
    n = orders.size
    city = ops.postal.city[home]
    # A store order: the nearest store of the home city, else any store of that city.
    any_in_city = ops.store_city_start[city] + (rng.random(n) * ops.store_city_count[city]).astype(
        np.int64
    )
    nearest = rng.random(n) < SHARE_NEAREST_STORE_IN_STORE
    in_store = np.where(nearest, ops.nearest_store[home], any_in_city)
    stock_out = rng.random(n) < SHARE_STOCK_OUT
    shipped = np.where(stock_out, ops.other_city_store[home], ops.nearest_store[home])
    return np.where(orders.channel == CHANNEL_STORE, in_store, shipped).astype(np.int64)


def _next_shift(local: IntArray) -> IntArray:
    """The first moment at or after `local` (a local clock) inside the warehouse's shift."""
    day = local // SECONDS_PER_DAY * SECONDS_PER_DAY
    hour = (local - day) // SECONDS_PER_HOUR
    opens = day + SHIFT_START_HOUR * SECONDS_PER_HOUR
    return np.where(
        hour < SHIFT_START_HOUR,
        opens,
        np.where(hour >= SHIFT_END_HOUR, opens + SECONDS_PER_DAY, local),
    )


def make_fulfilment(
    orders: Orders,
    persons: Persons,
    ops: Operations,
    config: GeneratorConfig,
    rng: np.random.Generator,
) -> Fulfilment:
    n = orders.size
    h = float(SECONDS_PER_HOUR)
    home = ops.postal.row(persons.postal_code[orders.person])
    city = ops.postal.city[home]
    store = _stores(orders, home, ops, rng)
    in_store = orders.channel == CHANNEL_STORE
    cod = orders.payment == COD
    placed = orders.ts
    distance = haversine_km(
        ops.stores.lat[store], ops.stores.lon[store], ops.postal.lat[home], ops.postal.lon[home]
    )
    scheduled = ~in_store & (rng.random(n) < SHARE_SCHEDULED)

    local = utc_to_local(placed, city, config)
    slot_day = local // SECONDS_PER_DAY + rng.integers(1, SLOT_DAYS_MAX + 1, n)
    slot_local = slot_day * SECONDS_PER_DAY + rng.integers(9, 20, n) * SECONDS_PER_HOUR
    slot = local_to_utc(slot_local, city, config, margin_days=SCHEDULE_MARGIN_DAYS)

    paid = placed + np.where(in_store, 0, _u(rng, 5, 300, n)).astype(np.int64)
    ready = _next_shift(local + np.maximum(paid - placed, 0) + 1800) - local + placed
    packed = ready + (_u(rng, 0.5, 4.0, n) * h).astype(np.int64)
    shipped = packed + (_u(rng, 1.0, 10.0, n) * h).astype(np.int64)
    transit = (4.0 + 0.22 * distance + rng.gamma(2.0, 4.0, n)) * h
    delivered = shipped + transit.astype(np.int64)
    # Scheduled: shipped some hours before the slot, delivered around its start.
    s_shipped = np.maximum(slot - (_u(rng, 1.0, 6.0, n) * h).astype(np.int64), paid + 3600)
    s_packed = np.maximum(s_shipped - (_u(rng, 1.0, 6.0, n) * h).astype(np.int64), paid + 600)
    s_delivered = np.maximum(slot + (rng.normal(0.5, 1.1, n) * h).astype(np.int64), s_shipped + 900)
    packed = np.where(scheduled, s_packed, packed)
    shipped = np.where(scheduled, s_shipped, shipped)
    delivered = np.where(scheduled, s_delivered, delivered)
    delivered = np.where(in_store, placed, delivered)

    status = orders.status
    times = np.full((n, len(vocab.ORDER_EVENT_STATUSES)), NONE, dtype=np.int64)
    times[:, PLACED] = placed
    shipped_order = ~in_store
    chain = (status == COMPLETED) | (status == REFUNDED)
    times[:, PAID] = np.where(cod, np.where(chain, delivered, NONE), paid)
    handed_over = shipped_order & (chain | (cod & (status == PAYMENT_FAILED)))
    times[:, PACKED] = np.where(handed_over, packed, NONE)
    times[:, SHIPPED] = np.where(handed_over, shipped, NONE)
    times[:, DELIVERED] = np.where(chain, delivered, NONE)
    cancel_after = np.where(in_store, _u(rng, 60, 600, n), _u(rng, 0.2, 12.0, n) * h)
    times[:, EV_CANCELLED] = np.where(
        status == CANCELLED, np.maximum(paid, placed) + cancel_after.astype(np.int64), NONE
    )
    refund_after = _u(rng, 1.0, np.where(in_store, 30.0, 20.0), n) * SECONDS_PER_DAY
    refund_at = delivered + refund_after.astype(np.int64)
    times[:, EV_REFUNDED] = np.where(status == REFUNDED, refund_at, NONE)
    failed_at = np.where(cod, delivered, paid)
    times[:, EV_PAYMENT_FAILED] = np.where(status == PAYMENT_FAILED, failed_at, NONE)
    # A failed payment is never also paid; a cancelled COD order never was.
    times[:, PAID] = np.where(status == PAYMENT_FAILED, NONE, times[:, PAID])
    times[:, PAID] = np.where((status == CANCELLED) & cod, NONE, times[:, PAID])

    # A final status other than completed ends inside the window: squeeze its history.
    last = times.max(axis=1)
    squeeze = (status != COMPLETED) & (last > config.end_second)
    span = np.maximum(last - placed, 1)
    room = np.maximum(config.end_second - placed, 0)
    factor = np.where(squeeze, room / span, 1.0)
    squeezed = placed[:, None] + ((times - placed[:, None]) * factor[:, None]).astype(np.int64)
    times = np.where(times >= 0, squeezed, NONE)

    in_transit = (status == COMPLETED) & (times[:, DELIVERED] > config.end_second)
    payment_status = np.select(
        [status == COMPLETED, status == REFUNDED, status == PAYMENT_FAILED, cod],
        [np.where(cod & in_transit, PENDING, CAPTURED), PAY_REFUNDED, FAILED, FAILED],
        PAY_REFUNDED,
    )

    # Events up to the export (an order in transit has not been delivered, nor paid at the door).
    keep = (times >= 0) & (times <= config.end_second)
    order_idx, status_idx = np.nonzero(keep)
    ts = times[order_idx, status_idx]
    # Within an order by time; a COD payment at the door comes right after the delivery.
    rank = np.where((status_idx == PAID) & cod[order_idx], DELIVERED + 0.5, status_idx)
    by = np.lexsort((rank, ts, order_idx))
    return Fulfilment(
        store=store,
        scheduled=scheduled,
        scheduled_for=np.where(scheduled, slot, NONE).astype(np.int64),
        payment_status=payment_status.astype(np.int64),
        ship_postal_row=np.where(in_store, NONE, home).astype(np.int64),
        event_order=order_idx[by].astype(np.int64),
        event_status=status_idx[by].astype(np.int64),
        event_ts=ts[by].astype(np.int64),
    )
