"""BG/NBD and Gamma-Gamma numerics against high-precision references (mpmath), no Spark."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from scipy.special import hyp2f1

from c360_spark_processing.models import bgnbd, gamma_gamma
from c360_spark_processing.models.bgnbd import BgNbdParams
from c360_spark_processing.models.fitting import ModelInputError
from c360_spark_processing.models.gamma_gamma import GammaGammaParams

DAYS = BgNbdParams(r=0.5, alpha=60.0, a=0.8, b=3.0)


def reference_expected(p: BgNbdParams, t: float, x: int, t_x: float, age: float) -> float:
    """The paper's equation 10 in its plain form, at 60 significant digits."""
    with mp.workdps(60):
        r, alpha, a, b = (mp.mpf(v) for v in (p.r, p.alpha, p.a, p.b))
        t, t_x, age = mp.mpf(t), mp.mpf(t_x), mp.mpf(age)
        z = t / (alpha + age + t)
        term = 1 - ((alpha + age) / (alpha + age + t)) ** (r + x) * mp.hyp2f1(
            r + x, b + x, a + b + x - 1, z
        )
        odds = (a / (b + x - 1)) * ((alpha + age) / (alpha + t_x)) ** (r + x) if x > 0 else 0
        return float((a + b + x - 1) / (a - 1) * term / (1 + odds))


def reference_alive(p: BgNbdParams, x: int, t_x: float, age: float) -> float:
    with mp.workdps(60):
        if x == 0:
            return 1.0
        ratio = (mp.mpf(p.alpha) + age) / (mp.mpf(p.alpha) + t_x)
        return float(1 / (1 + p.a / mp.mpf(p.b + x - 1) * ratio ** (p.r + x)))


CASES = [
    # (x, t_x, T, t): ordinary, large x, large T, both, a purchase on the last day
    (0, 0.0, 10.0, 90.0),
    (3, 200.0, 400.0, 365.0),
    (600, 1090.0, 1095.0, 365.0),
    (600, 1094.0, 1095.0, 90.0),
    (600, 90.0, 100.0, 365.0),
    (40, 3000.0, 3650.0, 365.0),
    (250, 5000.0, 5000.0, 365.0),
]


def test_plain_hypergeometric_form_breaks_for_large_x() -> None:
    """Why the Euler form: the plain ₂F₁(r+x, b+x; a+b+x-1; z) overflows at x = 600, T = 100."""
    x, age, t = 600, 100.0, 365.0
    z = t / (DAYS.alpha + age + t)
    plain = hyp2f1(DAYS.r + x, DAYS.b + x, DAYS.a + DAYS.b + x - 1, z)
    assert not np.isfinite(plain * ((DAYS.alpha + age) / (DAYS.alpha + age + t)) ** (DAYS.r + x))


@pytest.mark.parametrize(("x", "t_x", "age", "t"), CASES)
def test_expected_purchases_match_mpmath(x, t_x, age, t) -> None:
    got = bgnbd.expected_purchases(DAYS, t, np.array([x], float), np.array([t_x]), np.array([age]))
    assert np.isfinite(got[0])
    assert got[0] == pytest.approx(reference_expected(DAYS, t, x, t_x, age), rel=1e-8)


@pytest.mark.parametrize(("x", "t_x", "age", "t"), CASES)
def test_p_alive_matches_mpmath(x, t_x, age, t) -> None:
    got = bgnbd.p_alive(DAYS, np.array([x], float), np.array([t_x]), np.array([age]))
    assert got[0] == pytest.approx(reference_alive(DAYS, x, t_x, age), rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("a", [1.0, 1 + 1e-7, 1 - 3e-5, 1 + 1e-4])
def test_expected_purchases_at_and_near_a_equal_1(a: float) -> None:
    """(a+b+x-1)/(a-1) is 0/0 at a = 1: the value stays finite and continuous there."""
    params = BgNbdParams(r=0.5, alpha=60.0, a=a, b=3.0)
    x, t_x, age = np.array([0.0, 5.0]), np.array([0.0, 300.0]), np.array([100.0, 400.0])
    got = bgnbd.expected_purchases(params, 365.0, x, t_x, age)
    # Reference: mpmath just off 1 on both sides, where the plain form is well defined.
    for i in range(2):
        lo = reference_expected(
            BgNbdParams(0.5, 60.0, 1 - 1e-3, 3.0), 365.0, int(x[i]), t_x[i], age[i]
        )
        hi = reference_expected(
            BgNbdParams(0.5, 60.0, 1 + 1e-3, 3.0), 365.0, int(x[i]), t_x[i], age[i]
        )
        assert min(lo, hi) - 1e-3 <= got[i] <= max(lo, hi) + 1e-3


def test_probability_of_no_purchase() -> None:
    x, t_x, age, h = np.array([2.0]), np.array([50.0]), np.array([200.0]), 90.0
    alive = reference_alive(DAYS, 2, 50.0, 200.0)
    idle = ((DAYS.alpha + 200.0) / (DAYS.alpha + 200.0 + h)) ** (DAYS.r + 2)
    got = bgnbd.p_no_purchase(DAYS, h, x, t_x, age)[0]
    assert got == pytest.approx(1 - alive + alive * idle, rel=1e-12)


def simulate(params: BgNbdParams, customers: int, seed: int) -> tuple[np.ndarray, ...]:
    """(x, t_x, T) of customers who follow the BG/NBD story, in whole days."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(params.r, 1 / params.alpha, customers)
    dropout = rng.beta(params.a, params.b, customers)
    age = rng.integers(60, 400, customers).astype(float)
    x, t_x = np.zeros(customers), np.zeros(customers)
    for i in range(customers):
        clock = rng.exponential(1 / rate[i])
        while clock <= age[i]:  # a repeat purchase; after it the customer may drop out for good
            x[i] += 1
            t_x[i] = np.floor(clock)
            if rng.random() < dropout[i]:
                break
            clock += rng.exponential(1 / rate[i])
    return x, t_x, age


def test_counted_tuples_fit_exactly_like_one_row_per_customer() -> None:
    x, t_x, age = simulate(DAYS, 600, seed=3)
    rows = np.stack([x, t_x, age], axis=1)
    unique, counts = np.unique(rows, axis=0, return_counts=True)
    assert len(unique) < len(rows)
    per_customer = bgnbd.fit(x, t_x, age, np.ones(len(x)))
    counted = bgnbd.fit(unique[:, 0], unique[:, 1], unique[:, 2], counts.astype(float))
    assert per_customer.converged
    assert counted.params == pytest.approx(per_customer.params, rel=1e-3)
    assert counted.log_likelihood == pytest.approx(per_customer.log_likelihood, rel=1e-9)
    assert counted.customers == 600


def test_impossible_summaries_are_refused() -> None:
    one = np.array([1.0])
    with pytest.raises(ModelInputError, match="t_x <= T"):
        bgnbd.fit(one, np.array([5.0]), np.array([4.0]), one)
    with pytest.raises(ModelInputError, match="t_x = 0"):
        bgnbd.fit(np.array([0.0]), np.array([1.0]), np.array([4.0]), one)
    with pytest.raises(ModelInputError, match="no customers"):
        bgnbd.fit(one, one, one, np.array([0.0]))
    with pytest.raises(ModelInputError, match="positive mean"):
        gamma_gamma.fit(one, np.array([0.0]), one)


def test_gamma_gamma_expected_value() -> None:
    params = GammaGammaParams(p=6.25, q=3.74, v=15.44)
    got = gamma_gamma.expected_value(params, np.array([0.0, 3.0]), np.array([np.nan, 40.0]))
    population = 6.25 * 15.44 / (3.74 - 1)
    shrunk = (3.74 - 1) / (6.25 * 3 + 3.74 - 1) * population + 6.25 * 3 / (
        6.25 * 3 + 3.74 - 1
    ) * 40.0
    assert got == pytest.approx([population, shrunk], rel=1e-12)
    no_mean = GammaGammaParams(p=1.0, q=0.9, v=5.0)
    assert np.isnan(gamma_gamma.expected_value(no_mean, np.array([1.0]), np.array([1.0]))).all()


def test_analytic_gradient_matches_finite_differences() -> None:
    x, t_x, age = simulate(DAYS, 300, seed=5)
    likelihood = bgnbd.Likelihood(x, t_x, age)
    for params in (DAYS, BgNbdParams(0.243, 4.414, 0.793, 2.426), BgNbdParams(2.0, 30.0, 1.5, 0.7)):
        got = likelihood.gradient(params).sum(axis=0)
        values = np.array([params.r, params.alpha, params.a, params.b])
        for k in range(4):
            step = 1e-6 * values[k]
            up, down = values.copy(), values.copy()
            up[k] += step
            down[k] -= step
            slope = (
                likelihood.value(BgNbdParams(*up)).sum()
                - likelihood.value(BgNbdParams(*down)).sum()
            ) / (2 * step)
            assert got[k] == pytest.approx(slope, rel=1e-5, abs=1e-6), (params, k)
