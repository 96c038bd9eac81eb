"""Support tickets, and the churn they cause.

Tickets follow orders (delivery, returns, ...), some time after the order's instant; a person
without orders writes at an online hour of their local clock. A bad experience (csat <= 2 or a
resolution slower than five days) makes the person likely to stop buying shortly after it, so
unhappy tickets precede churn in the data, as the churn-risk metric assumes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from c360_mock_data import reference as ref
from c360_mock_data.config import SECONDS_PER_DAY, GeneratorConfig
from c360_mock_data.formatting import IntArray
from c360_mock_data.localtime import into_window, local_instants
from c360_mock_data.orders import Purchases, online_hours, segment_starts
from c360_mock_data.population import Persons

SLOW_RESOLUTION_HOURS = 120.0
CHURN_AFTER_BAD_TICKET = 0.6
# Median first-response hours per ticket channel (email, chat, phone).
FIRST_RESPONSE_MEDIAN_HOURS = np.array([10.0, 0.3, 0.1])
STATUS_OPEN, STATUS_PENDING, STATUS_RESOLVED, STATUS_CLOSED = 0, 1, 2, 3


@dataclass(frozen=True)
class Tickets:
    person: IntArray
    created: IntArray
    first_response: IntArray
    """Epoch seconds, -1 when there is none yet."""
    resolved: IntArray
    """Epoch seconds, -1 when unresolved."""
    channel: IntArray
    category: IntArray
    priority: IntArray
    status: IntArray
    csat: IntArray
    """1-5, 0 when not rated."""

    @property
    def size(self) -> int:
        return len(self.created)


def _choice(rng: np.random.Generator, weights: tuple[float, ...], size: int) -> IntArray:
    p = np.array(weights)
    return rng.choice(len(p), size=size, p=p / p.sum())


def make_tickets(
    persons: Persons, purchases: Purchases, config: GeneratorConfig, rng: np.random.Generator
) -> tuple[Tickets, IntArray]:
    """Tickets of the chunk (by person) and each person's churn moment (epoch s, or window end)."""
    n = persons.size
    n_orders = np.bincount(purchases.person, minlength=n)
    can_file = persons.has_crm | persons.has_account
    count = np.where(can_file, np.minimum(rng.poisson(0.06 + 0.07 * n_orders), 10), 0)
    person = np.repeat(np.arange(n), count)
    m = len(person)

    order_start = segment_starts(n_orders)
    has_orders = n_orders[person] > 0
    anchor = order_start[person] + (rng.random(m) * n_orders[person]).astype(np.int64)
    order_ts = purchases.ts if len(purchases.ts) else np.zeros(1, dtype=np.int64)
    after_order = order_ts[np.minimum(anchor, len(order_ts) - 1)]
    # Without an order to follow, a ticket is written on a day since the person is known, at an
    # online hour of their local clock.
    known_from = np.maximum(persons.acquired_day[person] * SECONDS_PER_DAY, config.start_second)
    first_day = known_from // SECONDS_PER_DAY
    day = first_day + (rng.random(m) * (config.start_day + config.n_days - first_day)).astype(
        np.int64
    )
    local = local_instants(day, online_hours(rng, m), persons.city_idx[person], config, rng)
    anywhere = np.maximum(into_window(local, config), known_from)
    created = np.where(
        has_orders, after_order + rng.integers(3600, 10 * SECONDS_PER_DAY, m), anywhere
    )
    created = np.minimum(created, config.end_second - 60).astype(np.int64)

    channel = _choice(rng, (0.45, 0.35, 0.2), m)
    priority = _choice(rng, ref.TICKET_PRIORITY_WEIGHTS, m)
    first_hours = FIRST_RESPONSE_MEDIAN_HOURS[channel] * np.exp(rng.normal(0.0, 1.0, m))
    resolve_hours = np.maximum(30.0 * np.exp(rng.normal(0.0, 1.1, m)), first_hours + 0.25)
    first_response = created + (first_hours * 3600).astype(np.int64)
    resolved = created + (resolve_hours * 3600).astype(np.int64)
    answered = first_response <= config.end_second
    done = resolved <= config.end_second
    status = np.where(
        ~answered,
        STATUS_OPEN,
        np.where(
            ~done, STATUS_PENDING, np.where(rng.random(m) < 0.6, STATUS_RESOLVED, STATUS_CLOSED)
        ),
    )
    slow = resolve_hours > SLOW_RESOLUTION_HOURS
    score = 4.4 - 1.8 * slow - 0.5 * (priority >= 2) + rng.normal(0.0, 1.1, m)
    rated = done & (rng.random(m) < 0.65)
    csat = np.where(rated, np.clip(np.round(score), 1, 5), 0).astype(np.int64)

    bad = done & ((rated & (csat <= 2)) | slow)
    churns = bad & (rng.random(m) < CHURN_AFTER_BAD_TICKET)
    churn_at = np.full(n, config.end_second, dtype=np.int64)
    np.minimum.at(
        churn_at,
        person[churns],
        resolved[churns] + rng.integers(0, 21 * SECONDS_PER_DAY, int(churns.sum())),
    )
    tickets = Tickets(
        person=person,
        created=created,
        first_response=np.where(answered, first_response, -1),
        resolved=np.where(done, resolved, -1),
        channel=channel,
        category=_choice(rng, ref.TICKET_CATEGORY_WEIGHTS, m),
        priority=priority,
        status=status.astype(np.int64),
        csat=csat,
    )
    return tickets, churn_at
