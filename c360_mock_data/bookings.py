"""Service bookings: a share of the customers book home services through the marketplace.

A booker books at their own rate while they are active, at online hours of their local clock, for
a slot up to two weeks later at their home postal code. The provider is the nearest one in their
city, another of the city, or (rarely) one from another city. Providers differ in how often their
bookings end as no-shows and in the ratings they get; a completed booking is rated by most
customers. Only bookings whose slot has passed by the end of the window are exported (the others
have no outcome yet).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import c360_contract.vocabulary as vocab
from c360_mock_data import reference as ref
from c360_mock_data.config import SECONDS_PER_DAY, GeneratorConfig
from c360_mock_data.formatting import IntArray
from c360_mock_data.geography import Operations
from c360_mock_data.localtime import SECONDS_PER_HOUR, local_instants, local_to_utc
from c360_mock_data.orders import online_hours
from c360_mock_data.population import Persons

SHARE_BOOKERS = 0.35
LEAD_DAYS_MAX = 14
SHARE_NEAREST_PROVIDER = 0.6
SHARE_OTHER_CITY_PROVIDER = 0.08
SHARE_CANCELLED = 0.1
SHARE_RATED = 0.7
COMPLETED, CANCELLED, NO_SHOW = (
    vocab.BOOKING_STATUSES.index(s) for s in ("completed", "cancelled", "no_show")
)


@dataclass(frozen=True)
class Bookings:
    person: IntArray
    service: IntArray
    provider: IntArray
    booked_at: IntArray
    scheduled_for: IntArray
    status: IntArray
    price_cents: IntArray
    postal_row: IntArray
    rating: IntArray
    """1-5, 0 when not rated."""

    @property
    def size(self) -> int:
        return len(self.person)


def make_bookings(
    persons: Persons,
    active_until: IntArray,
    ops: Operations,
    config: GeneratorConfig,
    rng: np.random.Generator,
) -> Bookings:
    n = persons.size
    booker = (persons.has_account | persons.has_loyalty) & (rng.random(n) < SHARE_BOOKERS)
    since = np.maximum(persons.acquired_day * SECONDS_PER_DAY, config.start_second)
    span_years = np.maximum(active_until - since, 0) / (365.0 * SECONDS_PER_DAY)
    rate = rng.gamma(2.0, 0.9, n)
    count = np.where(booker, rng.poisson(rate * span_years), 0)
    person = np.repeat(np.arange(n), count)
    m = len(person)
    first_day = since // SECONDS_PER_DAY
    days = np.maximum(active_until // SECONDS_PER_DAY - first_day + 1, 1)
    day = first_day[person] + (rng.random(m) * days[person]).astype(np.int64)
    city = persons.city_idx[person]
    booked = np.clip(
        local_instants(day, online_hours(rng, m), city, config, rng),
        config.start_second,
        config.end_second,
    )
    lead_days = np.minimum(rng.geometric(0.25, m) - 1, LEAD_DAYS_MAX)
    slot_local = (day + lead_days) * SECONDS_PER_DAY + rng.integers(8, 20, m) * SECONDS_PER_HOUR
    slot = np.maximum(
        local_to_utc(slot_local, city, config, margin_days=LEAD_DAYS_MAX + 2), booked + 3600
    )

    home = ops.postal.row(persons.postal_code[person])
    any_in_city = ops.provider_city_start[city] + (
        rng.random(m) * ops.provider_city_count[city]
    ).astype(np.int64)
    u = rng.random(m)
    provider = np.select(
        [u < SHARE_OTHER_CITY_PROVIDER, u < SHARE_OTHER_CITY_PROVIDER + SHARE_NEAREST_PROVIDER],
        [ops.other_city_provider[home], ops.nearest_provider[home]],
        any_in_city,
    )
    popularity = np.array([s[4] for s in ref.SERVICES], dtype=np.float64)
    service = rng.choice(len(ref.SERVICES), m, p=popularity / popularity.sum())
    base = np.round(np.array([s[2] for s in ref.SERVICES]) * 100).astype(np.int64)[service]
    price = (np.round(base * rng.uniform(0.9, 1.35, m) / 100) * 100 - 1).astype(np.int64)
    v = rng.random(m)
    status = np.where(
        v < SHARE_CANCELLED,
        CANCELLED,
        np.where(v < SHARE_CANCELLED + ops.provider_no_show[provider], NO_SHOW, COMPLETED),
    )
    stars = np.clip(np.round(rng.normal(ops.provider_quality[provider], 0.9)), 1, 5)
    rated = (status == COMPLETED) & (rng.random(m) < SHARE_RATED)
    keep = slot <= config.end_second
    return Bookings(
        person=person[keep],
        service=service[keep],
        provider=provider[keep].astype(np.int64),
        booked_at=booked[keep],
        scheduled_for=slot[keep],
        status=status[keep].astype(np.int64),
        price_cents=price[keep],
        postal_row=home[keep],
        rating=np.where(rated, stars, 0).astype(np.int64)[keep],
    )
