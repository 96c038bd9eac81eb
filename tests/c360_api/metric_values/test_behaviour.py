"""behaviour/* (repeat rate, new vs returning, day buckets, value bands) against the reference."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable

import pytest

from tests.c360_api.conftest import headers
from tests.c360_api.metric_values.api import MetricApi, Row
from tests.c360_api.metric_values.cases import WINDOWS, MetricValues, window
from tests.c360_api.metric_values.reference import DAY_BUCKETS, VALUE_BANDS, Reference, Window


def counts(rows: list[Row]) -> dict[str, int]:
    return {r["bucket"]: r["customers"] for r in rows}


class TestRepeatRate(MetricValues):
    path = "/behaviour/repeat-rate"
    keys = ("customers",)

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.behaviour_repeat_rate

    def test_single_order_customers_do_not_repeat(self, api: MetricApi) -> None:
        # 19 buyers (P11 never completed an order); P01 P12 P15 P16 P17 P18 bought once.
        assert api.rows(self.path) == [
            {"customers": 19, "repeat_customers": 13, "repeat_rate_pct": 68.42}
        ]

    def test_repeat_counted_up_to_the_window_end(self, api: MetricApi, ref: Reference) -> None:
        # January 2024's 7 customers; by 01-31 only P02 (01-05 twice) and P03 (01-17) came back.
        (row,) = self.check(api, ref, window("2024-01-02", "2024-01-31"))
        assert (row["customers"], row["repeat_customers"], row["repeat_rate_pct"]) == (7, 2, 28.57)

    def test_window_without_customers(self, api: MetricApi, ref: Reference) -> None:
        (row,) = self.check(api, ref, window("2024-04-01", "2024-04-30"))
        assert row == {"customers": 0, "repeat_customers": 0, "repeat_rate_pct": None}


class TestNewVsReturning(MetricValues):
    path = "/behaviour/new-vs-returning"
    keys = ("month",)

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.behaviour_new_vs_returning

    def test_months(self, api: MetricApi) -> None:
        by_month = {r["month"]: r for r in api.rows(self.path)}
        # 2024-02: new P04 (80, 02-29 local), P07 (1250), P08 (40); returning P05 (100),
        # P06 (10), P09 (60).
        assert by_month["2024-02"] == {
            "month": "2024-02",
            "new_customers": 3,
            "returning_customers": 3,
            "new_revenue": 1370.0,
            "returning_revenue": 170.0,
        }
        # 2024-03: new P10 (49.99; the refunded January order does not make him returning);
        # returning P02 (30), P04 (40), P09 (10, 03-31 23:00 local).
        assert (
            by_month["2024-03"]["new_customers"],
            by_month["2024-03"]["returning_customers"],
        ) == (
            1,
            3,
        )
        assert (
            by_month["2024-04"]["new_customers"] + by_month["2024-04"]["returning_customers"] == 0
        )
        # The as-of day's 23:30 order of P03 makes June 2025 a returning month.
        assert (
            by_month["2025-06"]["returning_customers"],
            by_month["2025-06"]["returning_revenue"],
        ) == (
            1,
            25.0,
        )

    def test_first_order_before_the_month_part(self, api: MetricApi, ref: Reference) -> None:
        # From 2024-03-15 P10 (first order 03-05, buys 03-20) is returning in March's part.
        rows = self.check(api, ref, window("2024-03-15", "2024-03-31"))
        assert rows == [
            {
                "month": "2024-03",
                "new_customers": 0,
                "returning_customers": 2,
                "new_revenue": 0.0,
                "returning_revenue": 34.99,
            }
        ]


class DayBucketValues(MetricValues):
    keys = ("bucket",)

    def test_every_bucket_is_a_row(self, api: MetricApi) -> None:
        assert sorted(r["bucket"] for r in api.rows(self.path)) == sorted(b for b, _ in DAY_BUCKETS)


class TestFirstSecondDelay(DayBucketValues):
    path = "/behaviour/first-second-delay"

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.behaviour_first_second_delay

    def test_bucket_edges(self, api: MetricApi) -> None:
        # 0-7: P02 0 (two orders 01-05), P03 7. 8-30: P04 8 (02-29 -> 03-08 locally, 7 in UTC),
        # P14 10, P10 15, P05 30. 31-60: P06 31, P09 31, P13 32. 61-90: P20 90. 91-180: P19 91.
        # 181-365: P07 365 (366 in UTC). 365+: P08 366.
        assert counts(api.rows(self.path)) == {
            "0-7": 2,
            "8-30": 4,
            "31-60": 3,
            "61-90": 1,
            "91-180": 1,
            "181-365": 1,
            "365+": 1,
        }

    def test_message_and_report_give_the_median(self, api: MetricApi, ref: Reference) -> None:
        # 0 7 8 10 15 30 31 31 32 90 91 365 366: median 31 of 13 repeat customers.
        message = api.body(self.path)["message"]
        days = ref.first_second_days(ref.window())
        assert (statistics.median(days), len(days)) == (31, 13)
        match = re.fullmatch(r"Median ([0-9.]+) days .*\((\d+) repeat customers\)", message)
        assert match, message
        assert (float(match[1]), int(match[2])) == (31.0, 13)
        report = api.client.get(self.path, params={"format": "html"}, headers=headers("marketing"))
        assert message in report.text

    def test_second_order_on_the_window_end(self, api: MetricApi, ref: Reference) -> None:
        # Up to 2025-02-09 P07's second order (2025-02-09 22:30 local) counts, P08's (02-10) not.
        rows = self.check(api, ref, window("2024-01-02", "2025-02-09"))
        assert (counts(rows)["181-365"], counts(rows)["365+"]) == (1, 0)


class TestDaysBetweenOrders(DayBucketValues):
    path = "/behaviour/days-between-orders"

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.behaviour_days_between_orders

    def test_mean_gaps(self, api: MetricApi) -> None:
        # P02 65/3 = 21.7, P04 8, P05 30, P10 15, P14 10 -> 8-30; P09 132/4 = 33 -> 31-60;
        # P13 126/2 = 63, P19 180/2 = 90, P20 90 -> 61-90; P06 213/2 = 106.5 -> 91-180;
        # P03 537/2 = 268.5 (its third order is the as-of day's 23:30), P07 365 -> 181-365;
        # P08 366 -> 365+.
        assert counts(api.rows(self.path)) == {
            "0-7": 0,
            "8-30": 5,
            "31-60": 1,
            "61-90": 3,
            "91-180": 1,
            "181-365": 2,
            "365+": 1,
        }

    def test_orders_after_the_window_end_do_not_count(self, api: MetricApi, ref: Reference) -> None:
        # Up to 2025-03-15 P03 has two orders, 7 days apart.
        rows = self.check(api, ref, window("2024-01-02", "2025-03-15"))
        assert counts(rows)["0-7"] == 1


class TestCustomerLifetime(DayBucketValues):
    path = "/behaviour/customer-lifetime"

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.behaviour_customer_lifetime

    def test_lifetime_edges(self, api: MetricApi) -> None:
        # 8-30: P04 8, P14 10, P10 15, P05 30. 61-90: P02 65, P20 90. 91-180: P13 126, P09 132,
        # P19 180. 181-365: P06 213, P07 365. 365+: P08 366, P03 537.
        assert counts(api.rows(self.path)) == {
            "0-7": 0,
            "8-30": 4,
            "31-60": 0,
            "61-90": 2,
            "91-180": 3,
            "181-365": 2,
            "365+": 2,
        }


class TestLtv(MetricValues):
    path = "/behaviour/ltv"
    keys = ("bucket",)

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.behaviour_ltv

    @pytest.mark.parametrize(("start", "end"), WINDOWS)
    def test_window(self, api: MetricApi, ref: Reference, start: str, end: str) -> None:
        self.check(api, ref, window(start, end))

    def test_band_edges(self, api: MetricApi) -> None:
        rows = api.rows(self.path)
        assert sorted(r["bucket"] for r in rows) == sorted(b for b, _ in VALUE_BANDS)
        # 0-50: P10 49.99, P18 40. 50-100: P01 50.00, P12 50.00, P08 80, P20 85.
        # 100-250: P14 100.00, P03 105, P04 120, P13 145, P02 160, P05 225, P19 110.
        # 250-500: P09 250.00, P06 380. 500-1000: P15 500.00. 1000-2500: P16 1000.00,
        # P17 2499.99. 2500+: P07 2500.00.
        assert counts(rows) == {
            "0-50": 2,
            "50-100": 4,
            "100-250": 7,
            "250-500": 2,
            "500-1000": 1,
            "1000-2500": 2,
            "2500+": 1,
        }
        by_band = {r["bucket"]: r for r in rows}
        assert (by_band["0-50"]["revenue"], by_band["2500+"]["revenue"]) == (89.99, 2500.0)

    def test_empty_band_has_a_zero_share(self, api: MetricApi, ref: Reference) -> None:
        # Acquired 2024-02-15 .. 2025-03-15: P04 P10 P12 P13 P14 P15 P19 P20, 1,159.99 in all and
        # nobody at 1000 or more. An empty band's share of that is 0 %, not empty: only a zero
        # denominator leaves a _pct empty (docs/metrics.md).
        rows = {r["bucket"]: r for r in self.check(api, ref, window("2024-02-15", "2025-03-15"))}
        assert rows["1000-2500"] == {
            "bucket": "1000-2500",
            "customers": 0,
            "revenue": 0.0,
            "pct_of_revenue": 0.0,
        }

    def test_revenue_up_to_the_window_end(self, api: MetricApi, ref: Reference) -> None:
        # Up to 2025-02-08 P07 has 1250.00 (1000-2500); his 2500.00 needs 2025-02-09.
        before = counts(self.check(api, ref, window("2024-01-02", "2025-02-08")))
        on = counts(self.check(api, ref, window("2024-01-02", "2025-02-09")))
        assert (before["2500+"], on["2500+"]) == (0, 1)
