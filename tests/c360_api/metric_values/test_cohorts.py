"""cohorts/sizes, cohorts/retention and cohorts/repeat-purchase against the reference."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.c360_api.metric_values.api import MetricApi, Row, assert_matches
from tests.c360_api.metric_values.cases import MetricValues, window
from tests.c360_api.metric_values.reference import Reference, Window


class TestCohortSizes(MetricValues):
    path = "/cohorts/sizes"
    keys = ("cohort_month",)

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.cohort_sizes

    def test_first_cohort_month(self, api: MetricApi) -> None:
        by_month = {r["cohort_month"]: r for r in api.rows(self.path)}
        # 2024-01: P01 P02 P03 P05 P06 P09 P18. First orders 50 + 80 (P02's first of two that day)
        # + 60 + 125 + 120 + 100 + 40 = 575; to date 50 + 160 + 105 + 225 + 380 + 250 + 40 = 1210.
        assert by_month["2024-01"] == {
            "cohort_month": "2024-01",
            "customers": 7,
            "first_order_revenue": 575.0,
            "revenue_to_date": 1210.0,
        }
        # 2024-03 is P10 alone: the refunded January order is not a first order.
        assert (by_month["2024-03"]["customers"], by_month["2024-03"]["first_order_revenue"]) == (
            1,
            25.0,
        )

    def test_cohort_months_are_local(self, api: MetricApi) -> None:
        cohorts = {r["cohort_month"]: r["customers"] for r in api.rows(self.path)}
        # P04 (02-29 22:30 local), P15 (12-31 23:00), P16 (04-30 23:30): never March, January
        # 2025 or May 2025 as their UTC dates would say.
        assert cohorts == {
            "2024-01": 7,
            "2024-02": 3,
            "2024-03": 1,
            "2024-05": 1,
            "2024-06": 1,
            "2024-07": 1,
            "2024-11": 2,
            "2024-12": 1,
            "2025-04": 1,
            "2025-05": 1,
        }

    def test_revenue_to_date_stops_at_the_window_end(self, api: MetricApi, ref: Reference) -> None:
        # Up to 2025-06-29, P03's as-of-day order (25.00) is not yet there: 1210 - 25.
        rows = self.check(api, ref, window("2024-01-02", "2025-06-29"))
        assert next(r for r in rows if r["cohort_month"] == "2024-01")["revenue_to_date"] == 1185.0


class TestCohortRetention(MetricValues):
    path = "/cohorts/retention"
    keys = ("cohort_month", "month_offset")

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.cohort_retention

    def test_first_cohort_month(self, api: MetricApi) -> None:
        first = {
            r["month_offset"]: (r["active_customers"], r["retention_pct"])
            for r in api.rows(self.path)
            if r["cohort_month"] == "2024-01"
        }
        # 7 customers. Offset 0 is 100. Feb: P05 P06 P09; Mar: P02, P09 (03-31 23:00 local);
        # Apr: nobody (P09's 04-01 03:00Z is March); May, Jun: P09; Aug: P06.
        assert first == {
            0: (7, 100.0),
            1: (3, 42.86),
            2: (2, 28.57),
            3: (0, 0.0),
            4: (1, 14.29),
            5: (1, 14.29),
            6: (0, 0.0),
            7: (1, 14.29),
            8: (0, 0.0),
            9: (0, 0.0),
            10: (0, 0.0),
            11: (0, 0.0),
        }

    def test_no_cell_after_the_window(self, api: MetricApi) -> None:
        offsets: dict[str, list[int]] = {}
        for r in api.rows(self.path):
            offsets.setdefault(r["cohort_month"], []).append(r["month_offset"])
        # As-of 2025-06-30: the 2025-05 cohort has May and June, the 2025-04 cohort three months.
        assert sorted(offsets["2025-05"]) == [0, 1]
        assert sorted(offsets["2025-04"]) == [0, 1, 2]

    @pytest.mark.parametrize("months", [1, 13, 36])
    def test_months(self, api: MetricApi, ref: Reference, months: int) -> None:
        rows = api.rows(self.path, months=months)
        assert_matches(rows, ref.cohort_retention(ref.window(), months), self.keys)
        assert max(r["month_offset"] for r in rows) <= months - 1

    def test_thirteenth_month(self, api: MetricApi) -> None:
        # 2024-02 cohort (P04 P07 P08): P07 and P08 come back 12 months later (2025-02).
        cell = next(
            r
            for r in api.rows(self.path, months=13)
            if (r["cohort_month"], r["month_offset"]) == ("2024-02", 12)
        )
        assert (cell["active_customers"], cell["retention_pct"]) == (2, 66.67)

    def test_window_ending_mid_month(self, api: MetricApi, ref: Reference) -> None:
        # Up to 2024-03-15: March activity of the first cohort is P02 (03-10) only, not P09 (03-31).
        rows = self.check(api, ref, window("2024-01-02", "2024-03-15"))
        cell = next(r for r in rows if (r["cohort_month"], r["month_offset"]) == ("2024-01", 2))
        assert (cell["active_customers"], cell["retention_pct"]) == (1, 14.29)
        assert max(r["month_offset"] for r in rows) == 2


class TestCohortRepeatPurchase(MetricValues):
    path = "/cohorts/repeat-purchase"
    keys = ("cohort_month",)

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.cohort_repeat_purchase

    def test_single_order_customers(self, api: MetricApi) -> None:
        by_month = {r["cohort_month"]: r for r in api.rows(self.path)}
        # 2024-01: all but P01 and P18 (one order each) came back: 5 of 7.
        assert (
            by_month["2024-01"]["repeat_customers"],
            by_month["2024-01"]["repeat_rate_pct"],
        ) == (
            5,
            71.43,
        )
        # 2024-11: P13 came back, P12 (one order) not.
        assert by_month["2024-11"]["repeat_rate_pct"] == 50.0
        assert by_month["2024-12"]["repeat_rate_pct"] == 0.0

    def test_second_order_after_the_window_end(self, api: MetricApi, ref: Reference) -> None:
        # P10's second order is 2024-03-20: not a repeat customer up to 03-19.
        rows = self.check(api, ref, window("2024-03-01", "2024-03-19"))
        march = next(r for r in rows if r["cohort_month"] == "2024-03")
        assert (march["customers"], march["repeat_customers"]) == (1, 0)
