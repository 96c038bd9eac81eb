"""Weighted maximum likelihood on the driver, shared by BG/NBD and Gamma-Gamma.

Both models are fitted on distinct summary tuples, each weighted by how many customers share it:
the log-likelihood is the count-weighted sum over tuples, which equals the sum over customers
(dropping the counts fits a different population). Parameters are optimised on the log scale so
they stay positive without constraints.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

FloatArray = NDArray[np.float64]

LOG_BOUND = 15.0
"""|log parameter| limit: a parameter pinned at e^+/-15 means the data do not identify it."""


class ModelInputError(ValueError):
    """A summary the model cannot be fitted on (no customers, negative or inconsistent values)."""


@dataclass(frozen=True)
class Fit:
    """Estimated parameters (in the order the model names them) and how the optimiser ended."""

    params: tuple[float, ...]
    log_likelihood: float
    customers: int
    tuples: int
    converged: bool
    message: str
    seconds: float


def maximise(
    log_likelihood: Callable[[FloatArray], FloatArray],
    weights: FloatArray,
    start: FloatArray,
    gradient: Callable[[FloatArray], FloatArray] | None = None,
) -> Fit:
    """Maximise sum(weights * log_likelihood(params)) over positive params.

    `log_likelihood` maps the parameter vector to per-tuple log-likelihoods; `gradient`, when
    given, to their derivatives (tuples x parameters), else scipy differentiates numerically.
    The objective is divided by the customers so the optimiser's tolerances mean the same at
    2,000 and 1M.
    """
    started = time.perf_counter()
    customers = float(weights.sum())
    if customers <= 0:
        raise ModelInputError("no customers to fit on")

    def value(log_params: FloatArray) -> float:
        total = float(np.dot(weights, log_likelihood(np.exp(log_params))))
        return -total / customers if np.isfinite(total) else np.inf

    def value_and_slope(log_params: FloatArray) -> tuple[float, FloatArray]:
        assert gradient is not None
        params = np.exp(log_params)
        slope = weights @ gradient(params) * params  # chain rule: d/d(log p) = p d/dp
        if not np.all(np.isfinite(slope)):
            return np.inf, np.zeros_like(slope)
        return value(log_params), -slope / customers

    objective = value if gradient is None else value_and_slope

    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    result = minimize(
        objective,
        np.log(start),
        jac=gradient is not None,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 1000, "ftol": 1e-11, "gtol": 1e-9},
    )
    params = np.exp(result.x)
    at_bound = bool(np.any(np.abs(result.x) >= LOG_BOUND - 1e-6))
    finite = bool(np.isfinite(result.fun) and np.all(np.isfinite(params)))
    message = str(result.message)
    if at_bound:
        message = f"a parameter reached its bound e^+/-{LOG_BOUND:g}: {message}"
    return Fit(
        params=tuple(float(p) for p in params),
        log_likelihood=float(-result.fun * customers) if finite else float("nan"),
        customers=int(customers),
        tuples=len(weights),
        converged=bool(result.success) and finite and not at_bound,
        message=message,
        seconds=round(time.perf_counter() - started, 3),
    )
