"""BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

While alive a customer buys at a Poisson rate lambda ~ Gamma(r, alpha); after each purchase they drop out
for good with probability p ~ Beta(a, b). A customer is summarised by x (repeat purchases),
t_x (time of the last purchase) and T (time since the first purchase), all measured from the
first purchase in one time unit (days in the pipeline).

Every function takes numpy arrays of equal shape (or scalars) and is vectorised, so the driver
fits on weighted tuples and a pandas UDF scores Spark batches with the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, expit, gammaln, hyp2f1

from c360_spark_processing.models.fitting import (
    Fit,
    FloatArray,
    ModelInputError,
    maximise,
)

A_NEAR_ONE = 1e-4
"""Within this of a = 1 the expectation's (a-1) cancels: it is interpolated from a = 1 +/- this."""


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float

    @classmethod
    def of(cls, fit: Fit) -> BgNbdParams:
        return cls(*fit.params)


def likelihood_of(
    x: FloatArray, t_x: FloatArray, age: FloatArray
) -> Callable[[BgNbdParams], FloatArray]:
    """The per-customer log-likelihood (the paper's equation 6) as a function of the parameters.

    L = B(a, b+x)/B(a, b) · Γ(r+x) alpha^r / (Γ(r) (alpha+T)^(r+x))
        + [x > 0] · B(a+1, b+x-1)/B(a, b) · Γ(r+x) alpha^r / (Γ(r) (alpha+t_x)^(r+x)),
    computed in logs so it never overflows. The optimiser evaluates it hundreds of times over up
    to a million tuples, so the gamma and beta terms are computed once per distinct x and the
    logarithms once per distinct t_x and T: an evaluation is then a few gathers per tuple.
    """
    ux, ix = np.unique(x, return_inverse=True)
    ut, it = np.unique(t_x, return_inverse=True)
    ua, ia = np.unique(age, return_inverse=True)
    repeat = x > 0

    def evaluate(params: BgNbdParams) -> FloatArray:
        r, alpha, a, b = params.r, params.alpha, params.a, params.b
        common = gammaln(r + ux) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
        alive = betaln(a, b + ux)[ix] - (r + x) * np.log(alpha + ua)[ia]
        with np.errstate(divide="ignore", invalid="ignore"):
            dropped_x = betaln(a + 1, np.maximum(b + ux - 1, 1e-300))
            dropped = np.where(repeat, dropped_x[ix] - (r + x) * np.log(alpha + ut)[it], -np.inf)
        return np.asarray(common[ix] + np.logaddexp(alive, dropped), dtype=np.float64)

    return evaluate


def log_likelihood(
    params: BgNbdParams, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    """Per-customer log-likelihood at `params` (see `likelihood_of`)."""
    return likelihood_of(x, t_x, age)(params)


def check_summary(x: FloatArray, t_x: FloatArray, age: FloatArray) -> None:
    """Refuse a summary no customer can have: negative values, or a last purchase after T."""
    if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > age):
        raise ModelInputError("summaries need x >= 0 and 0 <= t_x <= T")
    if np.any((x == 0) & (t_x != 0)):
        raise ModelInputError("a customer without repeat purchases has t_x = 0")


def fit(x: FloatArray, t_x: FloatArray, age: FloatArray, weights: FloatArray) -> Fit:
    """Maximum-likelihood r, alpha, a, b from distinct (x, t_x, T) tuples and their customer counts.

    alpha starts at the mean age so the start is on the data's time scale (days or weeks alike).
    """
    check_summary(x, t_x, age)
    mean_age = float(np.dot(weights, age) / max(weights.sum(), 1.0))
    start = np.array([1.0, max(mean_age, 1.0), 1.0, 1.0])
    evaluate = likelihood_of(x, t_x, age)
    return maximise(lambda p: evaluate(BgNbdParams(*p)), weights, start)


def _dropout_odds_log(
    params: BgNbdParams, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    """log of a/(b+x-1) · ((alpha+T)/(alpha+t_x))^(r+x): the odds that a repeat buyer has dropped out."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = (
            np.log(a)
            - np.log(np.maximum(b + x - 1, 1e-300))
            + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x))
        )
    return np.asarray(np.where(x > 0, odds, -np.inf), dtype=np.float64)


def p_alive(params: BgNbdParams, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
    """P(alive | x, t_x, T); 1 for customers without repeat purchases (no chance to drop yet)."""
    return np.asarray(expit(-_dropout_odds_log(params, x, t_x, age)), dtype=np.float64)


def _renewal(params: BgNbdParams, t: FloatArray, x: FloatArray, age: FloatArray) -> FloatArray:
    """(a+b+x-1)/(a-1) · [1 - (1-z)^(a-1) ₂F₁(a+b-1-r, a-1; a+b+x-1; z)], z = t/(alpha+T+t).

    This is the paper's [1 - ((alpha+T)/(alpha+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x-1; z)] after Euler's
    transformation: the plain ₂F₁ overflows for large x (e.g. x = 600), this one stays finite.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + age + t)
    c = a + b + x - 1
    hyper = np.power(1 - z, a - 1) * hyp2f1(a + b - 1 - r, a - 1, c, z)
    return np.asarray(c / (a - 1) * (1 - hyper), dtype=np.float64)


def expected_purchases(
    params: BgNbdParams, t: float | FloatArray, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next t time units (equation 10).

    At a = 1 the factor (a+b+x-1)/(a-1) is 0/0; there the value is interpolated linearly between
    a = 1 - A_NEAR_ONE and a = 1 + A_NEAR_ONE (the function is smooth in a).
    """
    t_arr = np.broadcast_to(np.asarray(t, dtype=np.float64), np.shape(x))
    if abs(params.a - 1) < A_NEAR_ONE:
        low = BgNbdParams(params.r, params.alpha, 1 - A_NEAR_ONE, params.b)
        high = BgNbdParams(params.r, params.alpha, 1 + A_NEAR_ONE, params.b)
        share = (params.a - low.a) / (high.a - low.a)
        renewal = (1 - share) * _renewal(low, t_arr, x, age) + share * _renewal(high, t_arr, x, age)
    else:
        renewal = _renewal(params, t_arr, x, age)
    return np.asarray(renewal * p_alive(params, x, t_x, age), dtype=np.float64)


def p_no_purchase(
    params: BgNbdParams, h: float, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    """P(no purchase in the next h) = 1 - PA + PA·((alpha+T)/(alpha+T+h))^(r+x): dead, or alive but idle."""
    alive = p_alive(params, x, t_x, age)
    idle = np.power((params.alpha + age) / (params.alpha + age + h), params.r + x)
    return np.asarray(1 - alive + alive * idle, dtype=np.float64)
