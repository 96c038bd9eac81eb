"""Orders and order lines: a BG/NBD-like purchase process under a seasonal calendar.

While active a person buys at their own Poisson rate; after every purchase they may drop out for good.
Time runs on a seasonal clock (Nov/Dec and weekends weigh more), so calendar volume follows the season
while each person's process stays a simple renewal process. Hours of day are drawn on the buyer's
local clock and stored as the true UTC instant (`localtime`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from c360_mock_data import reference as ref
from c360_mock_data.config import SECONDS_PER_DAY, GeneratorConfig
from c360_mock_data.formatting import BoolArray, FloatArray, IntArray
from c360_mock_data.localtime import into_window, local_instants
from c360_mock_data.population import Persons
from c360_mock_data.products import Catalogue

# January .. December, Monday .. Sunday, and hour 0 .. 23 weights.
MONTH_WEIGHTS = np.array([0.85, 0.78, 0.88, 0.9, 0.95, 0.93, 0.95, 1.0, 0.9, 0.98, 1.45, 1.6])
WEEKDAY_WEIGHTS = np.array([0.9, 0.88, 0.9, 0.95, 1.05, 1.2, 1.12])
ONLINE_HOUR_WEIGHTS = np.array(
    [1.2, 0.7, 0.4, 0.3, 0.3, 0.5, 1.0, 2.0, 3.0, 3.5, 4.0, 4.5,
     5.0, 5.0, 4.5, 4.5, 4.5, 5.0, 6.0, 7.0, 7.5, 7.0, 5.0, 2.5]
)  # fmt: skip
STORE_HOUR_WEIGHTS = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0, 1.0, 3.0, 5.0, 6.0,
     7.0, 7.0, 6.5, 6.5, 7.0, 7.5, 7.0, 5.0, 3.0, 1.0, 0, 0]
)  # fmt: skip
LINES_PER_ORDER_WEIGHTS = np.array([0.1, 0.14, 0.22, 0.26, 0.28])  # 1..5 lines
SHARE_PROSPECTS = 0.04
SHARE_ALIVE_AT_WINDOW_START = 0.9
MAX_PURCHASES = 120
CHANNEL_ONLINE, CHANNEL_APP, CHANNEL_STORE = 0, 1, 2
LAPSE_ACTIVE, LAPSE_DROPOUT, LAPSE_BEFORE_WINDOW, LAPSE_NEVER_BOUGHT, LAPSE_BAD_TICKET = range(5)
LAPSE_CAUSES: tuple[str, ...] = ("", "dropout", "before_window", "never_bought", "bad_ticket")
"""_truth/behaviour.csv's lapse_cause of each LAPSE_* code."""
GROCERY = [c[0] for c in ref.CATEGORIES].index("Grocery")


def daily_weights(config: GeneratorConfig) -> FloatArray:
    """Relative order intensity of every window day (mean 1)."""
    days = config.start_day + np.arange(config.n_days)
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    w = MONTH_WEIGHTS[month] * WEEKDAY_WEIGHTS[weekday]
    return np.asarray(w / w.mean(), dtype=np.float64)


def _choice(rng: np.random.Generator, weights: FloatArray, size: int) -> IntArray:
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


def online_hours(rng: np.random.Generator, size: int) -> IntArray:
    """Local hours of day at which people shop, browse and write to support online."""
    return _choice(rng, ONLINE_HOUR_WEIGHTS, size)


def segment_starts(counts: IntArray) -> IntArray:
    """Start position of each run in a flat array made of runs of `counts` rows."""
    return np.asarray(np.cumsum(counts) - counts, dtype=np.int64)


@dataclass(frozen=True)
class Purchases:
    """Purchase moments of a chunk, ordered by person then time."""

    person: IntArray
    ts: IntArray
    """Epoch seconds."""
    channel: IntArray
    active_until: IntArray
    """Per person: epoch second at which the person drops out (window end if still active)."""
    lapse: IntArray
    """Per person: LAPSE_* code, why the person stopped buying (LAPSE_ACTIVE: they did not)."""
    lapse_day: IntArray
    """Per person: epoch day they stopped buying (the last purchase's day for a drop-out), -1."""

    def subset(self, keep: BoolArray) -> Purchases:
        return Purchases(
            self.person[keep],
            self.ts[keep],
            self.channel[keep],
            self.active_until,
            self.lapse,
            self.lapse_day,
        )


def draw_purchases(
    persons: Persons, config: GeneratorConfig, rng: np.random.Generator
) -> Purchases:
    n = persons.size
    edges = np.concatenate([[0.0], np.cumsum(daily_weights(config))])
    horizon = edges[-1]
    able = (persons.has_account | persons.has_loyalty) & (rng.random(n) >= SHARE_PROSPECTS)
    lapsed = persons.known_before_window & (rng.random(n) >= SHARE_ALIVE_AT_WINDOW_START)
    budget = np.minimum(rng.geometric(persons.dropout), MAX_PURCHASES)
    budget = np.where(able & ~lapsed, budget, 0).astype(np.int64)

    mean_gap = 365.0 / persons.purchase_rate
    acquired = np.clip(persons.acquired_day - config.start_day, 0, config.n_days - 1)
    first = np.where(
        persons.known_before_window,
        rng.exponential(mean_gap),
        edges[acquired] + rng.exponential(6.0, n),
    )
    person = np.repeat(np.arange(n), budget)
    starts = segment_starts(budget)
    gaps = rng.exponential(1.0, len(person)) * mean_gap[person]
    gaps[starts[budget > 0]] = first[budget > 0]
    clock = np.cumsum(gaps)
    buyers = starts[budget > 0]
    clock -= np.repeat(clock[buyers] - gaps[buyers], budget[budget > 0])
    inside = clock < horizon

    # A person whose whole purchase budget fell inside the window dropped out after the last one.
    used = np.bincount(person[inside], minlength=n)
    dropped = (budget > 0) & (used == budget)
    day = np.searchsorted(edges, clock[inside], side="right") - 1
    n_kept = int(inside.sum())

    p_app = persons.app_propensity[person[inside]]
    p_store = persons.store_propensity[person[inside]]
    u = rng.random(n_kept)
    channel = np.where(
        u < p_store,
        CHANNEL_STORE,
        np.where(rng.random(n_kept) < p_app, CHANNEL_APP, CHANNEL_ONLINE),
    )
    hour = np.where(
        channel == CHANNEL_STORE,
        _choice(rng, STORE_HOUR_WEIGHTS, n_kept),
        online_hours(rng, n_kept),
    )
    # Hours are the buyer's local clock: a store order in the home city (no store data yet),
    # an online or app order where the buyer lives.
    city = persons.city_idx[person[inside]]
    drawn = local_instants(config.start_day + day, hour, city, config, rng)
    ts = into_window(drawn, config)

    # A drop-out's lapse day is the local day of their last order, which into_window may have
    # moved a day earlier (the window's last local evening).
    last_day = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_day, person[inside], day - (ts < drawn))
    idle = rng.integers(7, 60, n) * SECONDS_PER_DAY
    active_until = np.where(
        dropped, (config.start_day + last_day) * SECONDS_PER_DAY + idle, config.end_second
    )
    never = budget == 0
    active_until = np.where(
        never,
        np.maximum(persons.acquired_day * SECONDS_PER_DAY, config.start_second) + idle,
        active_until,
    )
    lapse = np.select(
        [lapsed, never, dropped],
        [LAPSE_BEFORE_WINDOW, LAPSE_NEVER_BOUGHT, LAPSE_DROPOUT],
        LAPSE_ACTIVE,
    )
    lapse_day = np.select([lapsed, dropped], [config.start_day, config.start_day + last_day], -1)
    return Purchases(
        person=person[inside],
        ts=ts.astype(np.int64),
        channel=channel.astype(np.int64),
        active_until=np.minimum(active_until, config.end_second).astype(np.int64),
        lapse=lapse.astype(np.int64),
        lapse_day=lapse_day.astype(np.int64),
    )


@dataclass(frozen=True)
class Orders:
    person: IntArray
    ts: IntArray
    channel: IntArray
    status: IntArray
    payment: IntArray
    traffic: IntArray
    """Index into TRAFFIC_SOURCES, -1 for store orders."""
    via_second_account: BoolArray
    """App orders of persons with a second (app) account are placed from it."""

    @property
    def size(self) -> int:
        return len(self.ts)


def make_orders(purchases: Purchases, persons: Persons, rng: np.random.Generator) -> Orders:
    n = len(purchases.ts)
    channel = purchases.channel
    payment = np.empty(n, dtype=np.int64)
    for c, weights in enumerate(ref.PAYMENT_WEIGHTS):
        rows = channel == c
        payment[rows] = _choice(rng, np.array(weights), int(rows.sum()))
    traffic = np.where(channel == CHANNEL_STORE, -1, _choice(rng, np.array(ref.TRAFFIC_WEIGHTS), n))
    return Orders(
        person=purchases.person,
        ts=purchases.ts,
        channel=channel,
        status=_choice(rng, np.array(ref.ORDER_STATUS_WEIGHTS), n),
        payment=payment,
        traffic=traffic.astype(np.int64),
        via_second_account=(channel == CHANNEL_APP) & persons.has_second_account[purchases.person],
    )


@dataclass(frozen=True)
class Lines:
    order: IntArray
    """Position of the line's order in `Orders`."""
    product: IntArray
    """Position of the product in the catalogue."""
    quantity: IntArray
    unit_price_cents: IntArray
    discount_cents: IntArray

    @property
    def size(self) -> int:
        return len(self.order)

    def amount_cents(self) -> IntArray:
        return self.quantity * self.unit_price_cents - self.discount_cents


def preferred_products(
    persons: Persons, person: IntArray, catalogue: Catalogue, rng: np.random.Generator
) -> IntArray:
    """A product per row for the given persons, following their category taste and spend level."""
    m = len(person)
    category = (rng.random(m)[:, None] > persons.category_cdf[person]).sum(axis=1)
    category = np.minimum(category, len(ref.CATEGORIES) - 1)
    # Position within the price-sorted category: big spenders lean to the expensive end.
    position = rng.random(m) ** (1.0 / persons.spend_level[person])
    start = catalogue.category_start[category]
    size = catalogue.category_start[category + 1] - start
    return np.asarray(start + np.minimum((position * size).astype(np.int64), size - 1))


def make_lines(
    orders: Orders, persons: Persons, catalogue: Catalogue, rng: np.random.Generator
) -> Lines:
    counts = 1 + _choice(rng, LINES_PER_ORDER_WEIGHTS, orders.size)
    order = np.repeat(np.arange(orders.size), counts)
    person = orders.person[order]
    m = len(order)
    product = preferred_products(persons, person, catalogue, rng)
    category = catalogue.category[product]
    extra = rng.poisson(np.where(category == GROCERY, 1.2, 0.15) * persons.spend_level[person])
    quantity = 1 + np.minimum(extra, 11)
    list_cents = catalogue.price_cents[product]
    on_sale = rng.random(m) < 0.12
    unit_price = np.where(
        on_sale, np.round(list_cents * rng.uniform(0.8, 0.95, m)), list_cents
    ).astype(np.int64)
    discounted = rng.random(m) < 0.15
    discount = np.where(
        discounted, np.round(quantity * unit_price * rng.uniform(0.05, 0.25, m)), 0
    ).astype(np.int64)
    return Lines(
        order=order,
        product=product,
        quantity=quantity.astype(np.int64),
        unit_price_cents=unit_price,
        discount_cents=discount,
    )
