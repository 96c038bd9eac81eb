"""App and web sessions of account holders, as event funnels.

Two kinds of session: one ending in the purchase of a tracked online/app order (at the order's
instant), and browsing sessions over the person's active period, more frequent for app-minded
(younger) persons, at online-shopping hours of the person's local clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from c360_mock_data import reference as ref
from c360_mock_data.config import SECONDS_PER_DAY, GeneratorConfig
from c360_mock_data.formatting import BoolArray, IntArray
from c360_mock_data.localtime import into_window, local_instants
from c360_mock_data.orders import (
    CHANNEL_APP,
    CHANNEL_STORE,
    Orders,
    online_hours,
    preferred_products,
    segment_starts,
)
from c360_mock_data.population import Persons
from c360_mock_data.products import Catalogue

SHARE_ORDERS_TRACKED = 0.45
PLATFORM_WEB, PLATFORM_IOS, PLATFORM_ANDROID = 0, 1, 2
(EVENT_START, EVENT_VIEW, EVENT_CART, EVENT_CHECKOUT, EVENT_PURCHASE) = range(5)


@dataclass(frozen=True)
class Events:
    """Events of a chunk ordered by time; session numbers are 0-based within the chunk."""

    person: IntArray
    second_account: BoolArray
    session: IntArray
    ts: IntArray
    platform: IntArray
    event_type: IntArray
    product: IntArray
    """Catalogue position, -1 for events without a product."""
    traffic: IntArray
    n_sessions: int

    @property
    def size(self) -> int:
        return len(self.ts)


def make_events(
    persons: Persons,
    orders: Orders,
    active_until: IntArray,
    account_created: IntArray,
    config: GeneratorConfig,
    catalogue: Catalogue,
    rng: np.random.Generator,
) -> Events:
    n = persons.size
    # Purchase sessions: a tracked share of online/app orders, ending at the order's timestamp.
    tracked = (orders.channel != CHANNEL_STORE) & (rng.random(orders.size) < SHARE_ORDERS_TRACKED)
    p_person = orders.person[tracked]
    p_app = orders.channel[tracked] == CHANNEL_APP
    p_end = orders.ts[tracked]

    # Browsing sessions spread over the active period since the account exists.
    since = np.maximum(account_created, config.start_second)
    span = np.maximum(active_until - since, 0)
    rate = 0.6 + 3.0 * persons.app_propensity
    count = np.where(persons.has_account, rng.poisson(rate * span / (365.0 * SECONDS_PER_DAY)), 0)
    b_person = np.repeat(np.arange(n), count)
    m = len(b_person)
    b_app = rng.random(m) < persons.app_propensity[b_person]
    first_day = since // SECONDS_PER_DAY
    days = active_until // SECONDS_PER_DAY - first_day + 1
    b_day = first_day[b_person] + (rng.random(m) * days[b_person]).astype(np.int64)
    b_local = local_instants(b_day, online_hours(rng, m), persons.city_idx[b_person], config, rng)
    # The first and last day's local hours may fall before the account or after the active end.
    b_start = np.clip(into_window(b_local, config), since[b_person], active_until[b_person])

    k = len(p_person)
    person = np.concatenate([p_person, b_person])
    app = np.concatenate([p_app, b_app])
    buys = np.arange(len(person)) < k
    views = 1 + np.minimum(rng.poisson(np.where(buys, 1.5, 1.2)), 7)
    cart = buys | (rng.random(len(person)) < 0.25)
    checkout = buys | (cart & (rng.random(len(person)) < 0.3))
    n_events = 1 + views + cart + checkout + buys

    event_session = np.repeat(np.arange(len(person)), n_events)
    first_event = segment_starts(n_events)
    position = np.arange(len(event_session)) - first_event[event_session]
    gap = np.where(position == 0, 0, 5 + rng.exponential(40.0, len(event_session)).astype(np.int64))
    offset = np.cumsum(gap)
    offset -= np.repeat(offset[first_event], n_events)
    duration = np.zeros(len(person), dtype=np.int64)
    np.maximum.at(duration, event_session, offset)
    start = np.concatenate([p_end - duration[:k], b_start])

    # Session numbers follow start time; events follow time, then session, then funnel position.
    order = np.argsort(start, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    session = rank[event_session]
    ts = np.clip(start[event_session] + offset, config.start_second, config.end_second)

    v = views[event_session]
    step = position - v  # 1 = cart, 2 = checkout, 3 = purchase (funnels never skip a step)
    event_type = np.where(
        position == 0,
        EVENT_START,
        np.where(position <= v, EVENT_VIEW, EVENT_VIEW + step),
    )
    with_product = (event_type == EVENT_VIEW) | (event_type == EVENT_CART)
    event_person = person[event_session]
    product = np.full(len(ts), -1, dtype=np.int64)
    product[with_product] = preferred_products(persons, event_person[with_product], catalogue, rng)
    device = np.where(persons.uses_ios[person], PLATFORM_IOS, PLATFORM_ANDROID)
    platform = np.where(app, device, PLATFORM_WEB)
    weights = np.array(ref.TRAFFIC_WEIGHTS)
    traffic = np.concatenate(
        [
            orders.traffic[tracked],
            rng.choice(len(weights), len(b_person), p=weights / weights.sum()),
        ]
    )
    second = app & persons.has_second_account[person]

    by_time = np.lexsort((position, session, ts))
    idx = event_session[by_time]
    return Events(
        person=event_person[by_time],
        second_account=second[idx],
        session=session[by_time],
        ts=ts[by_time],
        platform=platform[idx],
        event_type=event_type[by_time],
        product=product[by_time],
        traffic=traffic[idx],
        n_sessions=len(person),
    )
