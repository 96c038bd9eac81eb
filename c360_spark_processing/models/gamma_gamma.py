"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999).

A customer's transaction values scatter around their own mean nu ~ Gamma(q, v) with shape p. Fitted
on repeat customers' mean repeat-transaction value m̄ over x repeat transactions; the first
purchase is left out, as in the paper. Vectorised numpy like `bgnbd`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from c360_spark_processing.models.fitting import Fit, FloatArray, ModelInputError, maximise


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    v: float

    @classmethod
    def of(cls, fit: Fit) -> GammaGammaParams:
        return cls(*fit.params)


def log_likelihood(params: GammaGammaParams, x: FloatArray, m: FloatArray) -> FloatArray:
    """Log density of the mean m̄ of x repeat transactions:
    Γ(px+q) / (Γ(px) Γ(q)) · v^q m̄^(px-1) x^(px) / (v + x m̄)^(px+q).
    """
    p, q, v = params.p, params.q, params.v
    px = p * x
    return np.asarray(
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(x * m + v),
        dtype=np.float64,
    )


def fit(x: FloatArray, m: FloatArray, weights: FloatArray) -> Fit:
    """Maximum-likelihood p, q, v from distinct (x, m̄) pairs of repeat customers and their counts.

    v starts at the mean spend so the start is on the data's money scale.
    """
    if np.any(x < 1) or np.any(m <= 0):
        raise ModelInputError("Gamma-Gamma needs x >= 1 and a positive mean repeat value")
    mean_value = float(np.dot(weights, m) / max(weights.sum(), 1.0))
    start = np.array([1.0, 1.0, max(mean_value, 1.0)])
    return maximise(lambda pv: log_likelihood(GammaGammaParams(*pv), x, m), weights, start)


def expected_value(params: GammaGammaParams, x: FloatArray, m: FloatArray) -> FloatArray:
    """E[M | x, m̄] = p (v + x m̄) / (p x + q - 1): the customer's mean shrunk towards the population's.

    Without repeat purchases (x = 0, m̄ unknown) it is the population mean p v / (q - 1). Needs
    q > 1 (a population mean exists); otherwise NaN, which the caller treats as a failed fit.
    """
    p, q, v = params.p, params.q, params.v
    if q <= 1:
        return np.full(np.shape(x), np.nan)
    spend = np.where(x > 0, np.nan_to_num(m) * x, 0.0)
    return np.asarray(p * (v + spend) / (p * x + q - 1), dtype=np.float64)
