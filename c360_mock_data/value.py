"""Customer value derived from realised spend: loyalty tier and points, CRM segment.

Tiers follow trailing-12-month net spend (the thresholds of PipelineSettings.loyalty_tier_spend),
with a few members not yet re-tiered; segments follow total spend with marketing's noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import c360_contract.vocabulary as vocab
from c360_mock_data import reference as ref
from c360_mock_data.config import SECONDS_PER_DAY, GeneratorConfig
from c360_mock_data.formatting import IntArray
from c360_mock_data.orders import Lines, Orders
from c360_mock_data.population import Persons

COMPLETED = vocab.ORDER_STATUSES.index("completed")
PREMIUM_SPEND = 2500.0
STANDARD_SPEND = 400.0


@dataclass(frozen=True)
class Value:
    tier: IntArray
    lifetime_points: IntArray
    points_balance: IntArray
    segment: IntArray


def customer_value(
    persons: Persons,
    orders: Orders,
    lines: Lines,
    config: GeneratorConfig,
    rng: np.random.Generator,
) -> Value:
    n = persons.size
    amount = lines.amount_cents()
    line_person = orders.person[lines.order]
    completed = orders.status[lines.order] == COMPLETED
    recent = orders.ts[lines.order] > config.end_second - 365 * SECONDS_PER_DAY
    net = np.bincount(line_person[completed], weights=amount[completed], minlength=n)
    trailing = np.bincount(
        line_person[completed & recent], weights=amount[completed & recent], minlength=n
    )
    thresholds = np.array(ref.TIER_SPEND) * 100
    tier = np.searchsorted(thresholds, trailing, side="right") - 1
    shift = rng.choice(3, size=n, p=[0.06, 0.92, 0.02]) - 1  # not yet re-tiered / goodwill
    tier = np.clip(tier + shift, 0, len(vocab.LOYALTY_TIERS) - 1)
    legacy = np.where(persons.acquired_day < config.start_day, rng.integers(0, 2500, n), 0)
    lifetime = (net // 100).astype(np.int64) + legacy + 100  # 1 point per dollar + welcome bonus
    redeemed = (lifetime * rng.uniform(0.0, 0.8, n) // 500 * 500).astype(np.int64)

    score = np.log1p(net / 100.0) + rng.normal(0.0, 0.35, n)
    segment = np.where(
        score > np.log1p(PREMIUM_SPEND), 0, np.where(score > np.log1p(STANDARD_SPEND), 1, 2)
    )
    return Value(
        tier=tier.astype(np.int64),
        lifetime_points=lifetime,
        points_balance=lifetime - redeemed,
        segment=segment.astype(np.int64),
    )
