"""The persons of one chunk: demographics, which source systems know them, latent behaviour.

Every later module reads these arrays (one row per person) and never draws person traits itself,
so the behavioural links (age -> app use, spend -> tier/segment) have one origin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import c360_contract.vocabulary as vocab
from c360_mock_data import reference as ref
from c360_mock_data.config import GeneratorConfig
from c360_mock_data.formatting import BoolArray, FloatArray, IntArray

SHARE_CRM = 0.85
SHARE_ACCOUNT = 0.75
SHARE_LOYALTY = 0.45
SHARE_SECOND_ACCOUNT = 0.08
SHARE_KNOWN_BEFORE_WINDOW = 0.35
MIN_SIGNUP_AGE = 16
# The BG/NBD story (docs/metrics.md, "How the generator draws buying and lapsing"): while active a
# person buys at their own rate, drawn from a gamma; after each purchase they drop out with their
# own probability, drawn from a beta.
PURCHASE_RATE_SHAPE = 1.5
PURCHASE_RATE_SCALE_PER_YEAR = 3.6
DROPOUT_BETA_A = 1.0
DROPOUT_BETA_B = 18.0


@dataclass(frozen=True)
class Persons:
    number: IntArray
    """Global 0-based person number (person_id is `PER-` + number + 1)."""
    gender: IntArray
    """0 = F, 1 = M, 2 = X."""
    first_name_idx: IntArray
    """Index into FIRST_NAMES_F (gender F) or FIRST_NAMES_M (otherwise)."""
    last_name_idx: IntArray
    birth_day: IntArray
    birth_year: IntArray
    city_idx: IntArray
    postal_code: IntArray
    has_crm: BoolArray
    has_account: BoolArray
    has_second_account: BoolArray
    has_loyalty: BoolArray
    acquired_day: IntArray
    """Epoch day of the first relationship (before the window for long-standing customers)."""
    known_before_window: BoolArray
    acquisition_channel: IntArray
    app_propensity: FloatArray
    """Probability that an online purchase or session of this person happens in the app."""
    store_propensity: FloatArray
    uses_ios: BoolArray
    purchase_rate: FloatArray
    """Orders per year while active (gamma heterogeneity)."""
    dropout: FloatArray
    """Chance of dropping out after each purchase (beta heterogeneity, BG/NBD style)."""
    spend_level: FloatArray
    """Lognormal basket multiplier: >1 buys more and pricier items."""
    category_cdf: FloatArray
    """(n, categories) cumulative category preference."""

    @property
    def size(self) -> int:
        return len(self.number)


def _birth_years(rng: np.random.Generator, n: int, config: GeneratorConfig) -> IntArray:
    # Customer base skews to working-age adults: a bell around 1982 clipped to 1950-2008, and
    # born early enough to be MIN_SIGNUP_AGE before the window ends (2008 for the default window).
    years = np.round(rng.normal(1982.0, 14.0, n))
    youngest = min(2008, config.end.year - MIN_SIGNUP_AGE - 1)
    return np.clip(years, min(1950, youngest), youngest).astype(np.int64)


def _day_turning(birth_day: IntArray, age: int) -> IntArray:
    """Epoch day each person turns `age` (a 29 February birthday falls on 1 March)."""
    month = birth_day.astype("datetime64[D]").astype("datetime64[M]")
    day_of_month = birth_day - month.astype("datetime64[D]").astype(np.int64)
    return (month + 12 * age).astype("datetime64[D]").astype(np.int64) + day_of_month


def _acquisition_days(
    config: GeneratorConfig, birth_day: IntArray, rng: np.random.Generator
) -> IntArray:
    """Epoch day of each person's first relationship, never before their 16th birthday.

    Long-standing customers (a share) were acquired up to seven years before the window, the rest
    inside it. A draw before the person's 16th birthday moves to a day between that birthday and
    the window's last acquisition day, spread by the same in-window draw.
    """
    n = len(birth_day)
    known_before = rng.random(n) < SHARE_KNOWN_BEFORE_WINDOW
    before_days = rng.integers(1, 7 * 365, n)
    in_window = rng.integers(0, config.n_days - 1, n)
    acquired = np.where(known_before, config.start_day - before_days, config.start_day + in_window)
    sixteenth = _day_turning(birth_day, MIN_SIGNUP_AGE)
    last = config.start_day + config.n_days - 2
    spread = sixteenth + in_window * (last - sixteenth) // (config.n_days - 2)
    return np.where(acquired < sixteenth, spread, acquired).astype(np.int64)


def make_persons(
    config: GeneratorConfig, first: int, last: int, rng: np.random.Generator
) -> Persons:
    n = last - first
    gender = rng.choice(3, size=n, p=[0.505, 0.48, 0.015])
    first_idx = np.where(
        gender == 0,
        rng.integers(0, len(ref.FIRST_NAMES_F), n),
        rng.integers(0, len(ref.FIRST_NAMES_M), n),
    )
    birth_year = _birth_years(rng, n, config)
    birth_day = (birth_year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(
        np.int64
    ) + rng.integers(0, 365, n)
    city_weights = np.array([c[3] for c in ref.CITIES])
    city_idx = rng.choice(len(ref.CITIES), size=n, p=city_weights / city_weights.sum())
    zip3 = np.array([c[2] for c in ref.CITIES])[city_idx]
    postal_code = zip3 * 100 + rng.integers(1, 100, n)

    has_crm = rng.random(n) < SHARE_CRM
    has_account = rng.random(n) < SHARE_ACCOUNT
    has_loyalty = rng.random(n) < SHARE_LOYALTY
    nowhere = ~(has_crm | has_account | has_loyalty)
    has_crm |= nowhere
    has_second = has_account & (rng.random(n) < SHARE_SECOND_ACCOUNT)

    acquired = _acquisition_days(config, birth_day, rng)
    acq_weights = np.array(ref.ACQUISITION_WEIGHTS)
    channel = rng.choice(len(vocab.ACQUISITION_CHANNELS), size=n, p=acq_weights / acq_weights.sum())

    # Younger generations shop and browse in the app far more (logistic in birth year).
    app_mean = 0.05 + 0.6 / (1.0 + np.exp(-(birth_year - 1978) / 7.0))
    app_propensity = rng.beta(app_mean * 8.0, (1.0 - app_mean) * 8.0)
    store_propensity = np.where(has_loyalty, rng.beta(2.0, 2.0, n), 0.0)
    store_propensity = np.where(has_account, store_propensity, has_loyalty.astype(np.float64))

    spend_level = np.exp(rng.normal(0.0, 0.45, n))
    alpha = np.array(ref.CATEGORY_WEIGHTS) * 6.0
    prefs = rng.dirichlet(alpha, size=n)
    return Persons(
        number=np.arange(first, last, dtype=np.int64),
        gender=gender,
        first_name_idx=first_idx,
        last_name_idx=rng.integers(0, len(ref.LAST_NAMES), n),
        birth_day=birth_day,
        birth_year=birth_year,
        city_idx=city_idx,
        postal_code=postal_code,
        has_crm=has_crm,
        has_account=has_account,
        has_second_account=has_second,
        has_loyalty=has_loyalty,
        acquired_day=acquired,
        known_before_window=acquired < config.start_day,
        acquisition_channel=channel,
        app_propensity=app_propensity,
        store_propensity=store_propensity,
        uses_ios=rng.random(n) < 0.55,
        purchase_rate=rng.gamma(PURCHASE_RATE_SHAPE, PURCHASE_RATE_SCALE_PER_YEAR, n),
        dropout=rng.beta(DROPOUT_BETA_A, DROPOUT_BETA_B, n),
        spend_level=spend_level,
        category_cdf=np.cumsum(prefs, axis=1),
    )
