"""The demand forecast of one series (no Spark): the backtest's seasonal-naive scores against a
hand-written computation, when the model is served and when the baseline is, TSB for
intermittent demand, intervals, and too little history."""

from __future__ import annotations

import numpy as np
import pytest

from c360_spark_processing.forecast import BASELINE, MODEL_ETS, MODEL_TSB, forecast_series
from c360_spark_processing.settings import PipelineSettings

SETTINGS = PipelineSettings()
WEEK = np.array([40.0, 35, 30, 32, 45, 80, 90])


def naive_backtest(y: np.ndarray) -> tuple[int, int, float, float]:
    """(origins, days scored, WAPE %, MASE) of 'same day last week' from weekly origins over the
    last 8 weeks, each origin forecasting up to 28 days, written independently."""
    n = len(y)
    origins = [o for o in range(n - 56, n, 7) if o >= 28]
    errors, actual = [], []
    for o in origins:
        for i in range(min(28, n - o)):
            errors.append(y[o - 7 + i % 7] - y[o + i])
            actual.append(y[o + i])
    e, a = np.array(errors), np.array(actual)
    scale = np.mean([abs(y[t] - y[t - 7]) for t in range(7, origins[0])])
    return len(origins), len(a), 100 * np.abs(e).sum() / a.sum(), np.abs(e).mean() / scale


def test_a_noisy_weekly_series_is_served_by_the_model() -> None:
    rng = np.random.default_rng(3)
    y = np.tile(WEEK, 30) + rng.normal(0, 8, 210)
    f = forecast_series(y, SETTINGS)
    windows, days, wape, mase = naive_backtest(y)
    assert f.baseline_scores is not None
    assert f.model_scores is not None
    # Five origins see 28 days ahead, the last three 21, 14 and 7.
    assert (f.windows, f.days) == (windows, days) == (8, 5 * 28 + 21 + 14 + 7)
    assert f.baseline_scores.wape == pytest.approx(wape)
    assert f.baseline_scores.mase == pytest.approx(mase)
    # The same-day-last-week error carries two days' noise, ETS's about one.
    assert f.model_scores.mae < f.baseline_scores.mae
    assert (f.method, f.model, f.served) == ("model", MODEL_ETS, f.model_scores)
    assert f.forecast.size == SETTINGS.forecast_horizon_days
    # The weekly shape survives: the weekend (days 6 and 7 of the pattern) forecast highest.
    assert {int(np.argmax(f.forecast[:7])), int(np.argsort(f.forecast[:7])[-2])} == {5, 6}
    assert f.lower_80 is not None
    assert f.upper_80 is not None
    assert f.lower_95 is not None
    assert f.upper_95 is not None
    assert np.all(f.lower_95 <= f.lower_80)
    assert np.all(f.lower_80 <= f.forecast)
    assert np.all(f.forecast <= f.upper_80)
    assert np.all(f.upper_80 <= f.upper_95)
    assert np.all(f.lower_95 >= 0)


def test_the_baseline_is_served_when_the_model_does_not_beat_it() -> None:
    """An exactly repeating week: seasonal naive is never wrong, so nothing beats it."""
    y = np.tile(WEEK, 20)
    f = forecast_series(y, SETTINGS)
    assert f.baseline_scores is not None
    assert f.baseline_scores.wape == 0
    assert (f.method, f.model, f.served) == (BASELINE, MODEL_ETS, f.baseline_scores)
    assert np.array_equal(f.forecast, np.resize(WEEK, 28))
    assert f.upper_95 is not None
    assert np.array_equal(f.upper_95, f.forecast)


def test_intermittent_demand_uses_tsb() -> None:
    y = np.zeros(140)
    y[::5] = 3  # one day in five sells
    f = forecast_series(y, SETTINGS)
    assert f.model == MODEL_TSB
    assert f.windows == 8


def test_too_little_history_serves_the_baseline_without_a_backtest() -> None:
    y = np.arange(20, dtype=float)
    f = forecast_series(y, SETTINGS)
    assert (f.method, f.windows, f.days, f.served) == (BASELINE, 0, 0, None)
    assert f.lower_80 is None
    assert list(f.forecast[:8]) == [13, 14, 15, 16, 17, 18, 19, 13]
