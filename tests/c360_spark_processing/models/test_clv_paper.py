"""Paper check: BG/NBD and Gamma-Gamma on the CDNOW sample reproduce the published estimates.

Reference numbers are the papers' (Fader, Hardie & Lee 2005, Marketing Science 24(2), and
"RFM and CLV", JMR 42(4)): calibration period to 1997-09-30, time in weeks, 39-week holdout.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from pyspark.sql import SparkSession

from c360_spark_processing.models import bgnbd
from c360_spark_processing.models.bgnbd import BgNbdParams
from c360_spark_processing.models.clv import ClvModel, fit_clv
from c360_spark_processing.models.holdout import holdout_check
from c360_spark_processing.models.summary import purchase_days, rfm_summary, tuple_counts
from tests.c360_spark_processing.models.cdnow import cdnow_transactions

CALIBRATION_END = date(1997, 9, 30)
HOLDOUT_END = date(1998, 6, 30)  # 273 days = 39 weeks after the calibration
PAPER_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "log_likelihood": -9582.4}
PAPER_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}
PAPER_REPEAT_CUSTOMERS = 946
PAPER_CUSTOMERS = 2357
PAPER_PARAMS = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def summary(spark: SparkSession):
    days = purchase_days(cdnow_transactions(spark), CALIBRATION_END)
    return rfm_summary(days, CALIBRATION_END, "week").cache()


@pytest.fixture(scope="module")
def model(summary) -> ClvModel:
    return fit_clv(summary, "week")


def test_bgnbd_fit_matches_the_paper_within_1pct(model: ClvModel) -> None:
    fitted = model.summary()["bgnbd"]
    assert model.bgnbd is not None
    assert model.bgnbd.converged
    assert fitted["customers"] == PAPER_CUSTOMERS
    for name, value in PAPER_BGNBD.items():
        assert fitted[name] == pytest.approx(value, rel=0.01), name


def test_gamma_gamma_fit_matches_the_paper_within_1pct(model: ClvModel) -> None:
    fitted = model.summary()["gamma_gamma"]
    assert fitted["customers"] == PAPER_REPEAT_CUSTOMERS
    assert model.repeat_customers == PAPER_REPEAT_CUSTOMERS
    for name, value in PAPER_GAMMA_GAMMA.items():
        assert fitted[name] == pytest.approx(value, rel=0.01), name
    assert model.value_usable


def test_counts_are_weights_dropping_them_fits_another_population(summary) -> None:
    """An implementation that fits the distinct tuples once each gets r = 1.71, not 0.243."""
    tuples = tuple_counts(summary, ("x", "t_x", "T"))
    assert len(tuples) < PAPER_CUSTOMERS  # the tuples really are shared
    unweighted = bgnbd.fit(tuples["x"], tuples["t_x"], tuples["T"], np.ones(len(tuples)))
    assert unweighted.params[0] == pytest.approx(1.71, rel=0.01)
    assert unweighted.params[0] != pytest.approx(PAPER_BGNBD["r"], rel=0.5)


@pytest.mark.parametrize(
    ("x", "t_x", "age", "alive", "expected_39"),
    [
        (2, 30.43, 38.86, 0.7266, 1.2260),
        (1, 1.71, 38.86, 0.2121, 0.2032),
        (0, 0.0, 38.86, 1.0, 0.1951),
    ],
)
def test_per_customer_values_with_the_papers_parameters(x, t_x, age, alive, expected_39) -> None:
    args = (np.array([x], float), np.array([t_x]), np.array([age]))
    assert bgnbd.p_alive(PAPER_PARAMS, *args)[0] == pytest.approx(alive, abs=5e-5)
    assert bgnbd.expected_purchases(PAPER_PARAMS, 39, *args)[0] == pytest.approx(
        expected_39, abs=5e-5
    )


def test_holdout_repeat_purchases_actual_and_predicted(spark: SparkSession) -> None:
    days = purchase_days(cdnow_transactions(spark), HOLDOUT_END)
    report = holdout_check(days, HOLDOUT_END, (HOLDOUT_END - CALIBRATION_END).days, "week")
    summary = report.summary
    assert summary["calibration_end"] == CALIBRATION_END.isoformat()
    assert summary["customers"] == PAPER_CUSTOMERS
    assert summary["actual_repeat_purchases"] == 1882
    assert summary["predicted_repeat_purchases"] == pytest.approx(1653, rel=0.01)
    assert summary["error_pct"] == pytest.approx((1653 - 1882) / 1882 * 100, abs=1.0)
    weekly = report.weekly
    assert [w[0] for w in weekly] == list(range(1, 40))
    assert weekly[-1][2] == 1882
    assert weekly[-1][3] == pytest.approx(summary["predicted_repeat_purchases"])
    assert sum(row[1] for row in report.by_frequency) == PAPER_CUSTOMERS
