"""kpi/summary, kpi/revenue and kpi/conversion against the pandas reference (reference.py)."""

from __future__ import annotations

from collections.abc import Callable

from tests.c360_api.metric_values.api import MetricApi, Row
from tests.c360_api.metric_values.cases import MetricValues, window
from tests.c360_api.metric_values.reference import Reference, Window


class TestKpiSummary(MetricValues):
    path = "/kpi/summary"
    keys = ("orders",)

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.kpi_summary

    def test_leap_day_evening_order_is_on_its_local_day(
        self, api: MetricApi, ref: Reference
    ) -> None:
        # ORD-10 at 2024-03-01 03:30Z is 2024-02-29 22:30 in New York: it alone is that day's.
        (row,) = self.check(api, ref, window("2024-02-29", "2024-02-29"))
        assert (row["orders"], row["total_revenue"], row["first_order_date"]) == (
            1,
            80.0,
            "2024-02-29",
        )

    def test_dst_day_counts_every_status(self, api: MetricApi, ref: Reference) -> None:
        # 2024-03-10: ORD-5 completed 01:30 EST (30.00) and ORD-6 cancelled 03:30 EDT.
        (row,) = self.check(api, ref, window("2024-03-10", "2024-03-10"))
        assert (row["orders"], row["completed_orders"], row["completion_rate_pct"]) == (2, 1, 50.0)

    def test_as_of_day_includes_its_late_evening_order(
        self, api: MetricApi, ref: Reference
    ) -> None:
        # ORD-9 at 2025-07-01 03:30Z is 2025-06-30 23:30 local, the as-of day: 25.00. ORD-27
        # (2025-07-02) is after as-of and exists nowhere.
        (row,) = self.check(api, ref, window("2025-06-30", "2025-06-30"))
        assert (row["orders"], row["total_revenue"], row["last_order_date"]) == (
            1,
            25.0,
            "2025-06-30",
        )

    def test_month_without_orders(self, api: MetricApi, ref: Reference) -> None:
        # April 2024 has no order locally (ORD-24, 04-01 03:00Z, is 03-31 23:00 EDT).
        (row,) = self.check(api, ref, window("2024-04-01", "2024-04-30"))
        assert row == {
            "total_revenue": 0.0,
            "orders": 0,
            "completed_orders": 0,
            "avg_order_value": None,
            "completion_rate_pct": None,
            "customers": 0,
            "orders_per_customer": None,
            "first_order_date": None,
            "last_order_date": None,
        }


class TestKpiRevenue(MetricValues):
    path = "/kpi/revenue"
    keys = ("month",)

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.kpi_revenue

    def test_month_without_orders_is_a_zero_row(self, api: MetricApi) -> None:
        by_month = {r["month"]: r for r in api.rows(self.path)}
        assert by_month["2024-04"] == {
            "month": "2024-04",
            "orders": 0,
            "revenue": 0.0,
            "avg_order_value": None,
            "customers": 0,
            "new_customers": 0,
        }
        # 18 months 2024-01 .. 2025-06; 2025-01 is empty too (ORD-40 is 2024-12-31 23:00 local).
        assert len(by_month) == 18
        assert by_month["2025-01"]["orders"] == 0

    def test_new_customers_by_local_first_order(self, api: MetricApi) -> None:
        by_month = {r["month"]: r for r in api.rows(self.path)}
        # First cohort month 2024-01: P01 P02 P03 P05 P06 P09 P18 (P10's January order was refunded).
        assert by_month["2024-01"]["new_customers"] == 7
        # 2024-02: P04 (first order 02-29 local), P07, P08; 2024-03: P10 only.
        assert (by_month["2024-02"]["new_customers"], by_month["2024-03"]["new_customers"]) == (
            3,
            1,
        )
        # P15's only order (2025-01-01 04:00Z) is 2024-12-31 locally.
        assert by_month["2024-12"]["new_customers"] == 1

    def test_half_month_counts_only_its_part(self, api: MetricApi, ref: Reference) -> None:
        # March 2024 from the 15th: ORD-30 (P10, 24.99) and ORD-24 (P09, 10.00, 03-31 23:00 local).
        # P10's first order (03-05) is before the part, so nobody is new in it.
        rows = self.check(api, ref, window("2024-03-15", "2024-04-30"))
        march = next(r for r in rows if r["month"] == "2024-03")
        assert (march["orders"], march["revenue"], march["customers"]) == (2, 34.99, 2)
        assert march["new_customers"] == 0


class TestKpiConversion(MetricValues):
    path = "/kpi/conversion"
    keys = ("traffic_source",)

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.kpi_conversion

    def test_sources_of_the_default_window(self, api: MetricApi) -> None:
        by_source = {r["traffic_source"]: r for r in api.rows(self.path)}
        # SES-3 has two purchases and converts once: paid_search 1 of 3 sessions.
        assert by_source["paid_search"]["conversion_rate_pct"] == 33.33
        # SES-4 (bought) and SES-5 have no traffic source.
        assert (
            by_source["unattributed"]["sessions"],
            by_source["unattributed"]["converted_sessions"],
        ) == (2, 1)
        # direct: SES-6 and SES-10; SES-13 (before the first order day) and SES-12 (after as-of) not.
        assert by_source["direct"]["sessions"] == 2

    def test_session_day_is_local(self, api: MetricApi, ref: Reference) -> None:
        # SES-6 starts 2024-03-01 03:20Z = 02-29 22:20 local: outside a window from 03-01.
        # SES-7 starts 03-01 05:10Z = 00:10 local: inside, no purchase.
        rows = self.check(api, ref, window("2024-03-01", "2024-03-31"))
        assert rows == [
            {
                "traffic_source": "email",
                "sessions": 1,
                "converted_sessions": 0,
                "conversion_rate_pct": 0.0,
            }
        ]

    def test_session_across_local_midnight_counts_on_its_start_day(
        self, api: MetricApi, ref: Reference
    ) -> None:
        # SES-14 starts 2024-06-04 23:50 local and buys at 00:05 on 06-05.
        rows = self.check(api, ref, window("2024-06-04", "2024-06-04"))
        assert [(r["traffic_source"], r["converted_sessions"]) for r in rows] == [
            ("organic_search", 1)
        ]
