"""BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

While alive a customer buys at a Poisson rate lambda ~ Gamma(r, alpha); after each purchase they drop out
for good with probability p ~ Beta(a, b). A customer is summarised by x (repeat purchases),
t_x (time of the last purchase) and T (time since the first purchase), all measured from the
first purchase in one time unit (days in the pipeline).

Every function takes numpy arrays of equal shape (or scalars) and is vectorised, so the driver
fits on weighted tuples and a pandas UDF scores Spark batches with the same code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

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


class Likelihood:
    """The per-customer log-likelihood (the paper's equation 6) and its gradient, for fixed
    summaries, as functions of the parameters.

    L = B(a, b+x)/B(a, b) · Γ(r+x) alpha^r / (Γ(r) (alpha+T)^(r+x))
        + [x > 0] · B(a+1, b+x-1)/B(a, b) · Γ(r+x) alpha^r / (Γ(r) (alpha+t_x)^(r+x)),
    computed in logs so it never overflows. The optimiser evaluates it many times over up to a
    million tuples, so the gamma, beta and digamma terms are computed once per distinct x and
    the logarithms once per distinct t_x and T: an evaluation is a few gathers per tuple. The
    analytic gradient spares the optimiser four evaluations per step.
    """

    def __init__(self, x: FloatArray, t_x: FloatArray, age: FloatArray) -> None:
        self.x = x
        self.repeat = x > 0
        self.ux, self.ix = np.unique(x, return_inverse=True)
        self.ut, self.it = np.unique(t_x, return_inverse=True)
        self.ua, self.ia = np.unique(age, return_inverse=True)

    def _terms(self, params: BgNbdParams) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per tuple: the common term, the log of the still-alive and of the dropped-out branch."""
        r, alpha, a, b = params.r, params.alpha, params.a, params.b
        ux, ix, x = self.ux, self.ix, self.x
        common = gammaln(r + ux) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
        alive = betaln(a, b + ux)[ix] - (r + x) * np.log(alpha + self.ua)[self.ia]
        with np.errstate(divide="ignore", invalid="ignore"):
            dropped_x = betaln(a + 1, np.maximum(b + ux - 1, 1e-300))
            dropped = np.where(
                self.repeat, dropped_x[ix] - (r + x) * np.log(alpha + self.ut)[self.it], -np.inf
            )
        return common[ix], alive, dropped

    def value(self, params: BgNbdParams) -> FloatArray:
        common, alive, dropped = self._terms(params)
        return np.asarray(common + np.logaddexp(alive, dropped), dtype=np.float64)

    def gradient(self, params: BgNbdParams) -> FloatArray:
        """d(log-likelihood)/d(r, alpha, a, b) per tuple, shape (tuples, 4).

        With w = P(the still-alive branch | the data) = sigmoid(alive - dropped), the gradient
        is that of the common term plus w and 1 - w times the gradients of the two branches.
        """
        r, alpha, a, b = params.r, params.alpha, params.a, params.b
        ux, ix, x = self.ux, self.ix, self.x
        _, alive, dropped = self._terms(params)
        with np.errstate(invalid="ignore"):
            w = expit(alive - dropped)
        w = np.where(self.repeat, w, 1.0)
        log_t = np.log(alpha + self.ua)[self.ia]
        log_tx = np.log(alpha + self.ut)[self.it]
        dig_abx = digamma(a + b + ux)
        with np.errstate(invalid="ignore", divide="ignore"):
            dropped_b = np.where(ux > 0, digamma(np.maximum(b + ux - 1, 1e-300)) - dig_abx, 0.0)
        g_r = (digamma(r + ux) - digamma(r))[ix] + np.log(alpha) - w * log_t - (1 - w) * log_tx
        g_alpha = r / alpha - (r + x) * (
            w / (alpha + self.ua)[self.ia] + (1 - w) / (alpha + self.ut)[self.it]
        )
        g_a = (
            digamma(a + b)
            - digamma(a)
            + w * (digamma(a) - dig_abx)[ix]
            + (1 - w) * (digamma(a + 1) - dig_abx)[ix]
        )
        g_b = (
            digamma(a + b)
            - digamma(b)
            + w * (digamma(b + ux) - dig_abx)[ix]
            + (1 - w) * dropped_b[ix]
        )
        return np.stack([g_r, g_alpha, g_a, g_b], axis=1)


def log_likelihood(
    params: BgNbdParams, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    """Per-customer log-likelihood at `params` (see `Likelihood`)."""
    return Likelihood(x, t_x, age).value(params)


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
    likelihood = Likelihood(x, t_x, age)
    return maximise(
        lambda p: likelihood.value(BgNbdParams(*p)),
        weights,
        start,
        gradient=lambda p: likelihood.gradient(BgNbdParams(*p)),
    )


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
