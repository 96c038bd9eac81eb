"""orders/by-hour, by-day-of-week, by-day-of-month, by-month and heatmap against the reference."""

from __future__ import annotations

from collections.abc import Callable

from tests.c360_api.metric_values.api import MetricApi, Row
from tests.c360_api.metric_values.cases import MetricValues, window
from tests.c360_api.metric_values.reference import Reference, Window


class TestOrdersByHour(MetricValues):
    path = "/orders/by-hour"
    keys = ("hour",)

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.orders_by_hour

    def test_hours_around_local_midnight(self, api: MetricApi) -> None:
        by_hour = {r["hour"]: r for r in api.rows(self.path)}
        assert sorted(by_hour) == list(range(24))
        # 22: ORD-10 (03-01 03:30Z, 80.00) and ORD-19 (2025-02-10 03:30Z, 1250.00), both EST.
        assert (by_hour[22]["orders"], by_hour[22]["revenue"]) == (2, 1330.0)
        # 23: ORD-9 (25), ORD-24 (10), ORD-40 (500), ORD-41 (1000), ORD-43 (40, 23:59:59 EST).
        assert (by_hour[23]["orders"], by_hour[23]["revenue"]) == (5, 1575.0)
        # 0: ORD-4 (05:00Z EST, 10) and ORD-26 (04:00Z EDT, 40).
        assert (by_hour[0]["orders"], by_hour[0]["revenue"]) == (2, 50.0)
        # 1: ORD-5 (DST day, 01:30 EST), ORD-34 and ORD-35 (01:30 twice on the fall-back day),
        # ORD-37 (2025 DST day): 30 + 50 + 80 + 25.
        assert (by_hour[1]["orders"], by_hour[1]["revenue"]) == (4, 185.0)
        # 2 does not exist on the spring-forward day; ORD-6 at 03:30 EDT is cancelled.
        assert by_hour[2] == {"hour": 2, "orders": 0, "revenue": 0.0, "avg_order_value": None}
        assert by_hour[3]["orders"] == 0

    def test_leap_day_evening(self, api: MetricApi, ref: Reference) -> None:
        # Only ORD-10 on 2024-02-29 locally, at 22:30.
        rows = self.check(api, ref, window("2024-02-29", "2024-02-29"))
        assert [(r["hour"], r["orders"]) for r in rows if r["orders"]] == [(22, 1)]


class TestOrdersByDayOfWeek(MetricValues):
    path = "/orders/by-day-of-week"
    keys = ("day_of_week",)

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.orders_by_day_of_week

    def test_late_order_on_its_local_weekday(self, api: MetricApi, ref: Reference) -> None:
        # ORD-10 is Thursday 2024-02-29 22:30 locally (Friday in UTC); nothing else on 02-29/03-01.
        rows = self.check(api, ref, window("2024-02-29", "2024-03-01"))
        assert [(r["day_of_week"], r["day_name"], r["orders"]) for r in rows if r["orders"]] == [
            (4, "Thursday", 1)
        ]
        assert len(rows) == 7


class TestOrdersByDayOfMonth(MetricValues):
    path = "/orders/by-day-of-month"
    keys = ("day_of_month",)

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.orders_by_day_of_month

    def test_first_and_last_days(self, api: MetricApi) -> None:
        by_day = {r["day_of_month"]: r for r in api.rows(self.path)}
        assert sorted(by_day) == list(range(1, 32))
        # Every order on a 1st in UTC (ORD-10, -24, -40, -41, -9) is the day before locally.
        assert by_day[1] == {"day_of_month": 1, "orders": 0, "revenue": 0.0}
        # 31: ORD-24 (03-31 23:00 EDT, 10), ORD-40 (12-31 23:00 EST, 500), ORD-46 (12-31, 60).
        assert (by_day[31]["orders"], by_day[31]["revenue"]) == (3, 570.0)
        # 29: ORD-10 on the leap day.
        assert (by_day[29]["orders"], by_day[29]["revenue"]) == (1, 80.0)


class TestOrdersByMonth(MetricValues):
    path = "/orders/by-month"
    keys = ("month_of_year",)

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.orders_by_month

    def test_months_of_year_in_local_time(self, api: MetricApi) -> None:
        by_month = {r["month_of_year"]: r for r in api.rows(self.path)}
        assert [by_month[m]["month_name"] for m in (1, 12)] == ["January", "December"]
        # January: the 10 orders of 2024-01 (645.00); 2025-01 has none locally.
        assert (by_month[1]["orders"], by_month[1]["revenue"]) == (10, 645.0)
        # December: ORD-36 (40), ORD-40 (500, 2025-01-01 in UTC), ORD-46 (60).
        assert (by_month[12]["orders"], by_month[12]["revenue"]) == (3, 600.0)
        # April: only ORD-41 (2025-04-30 23:30 local, 1000.00); April 2024 is empty.
        assert (by_month[4]["orders"], by_month[4]["revenue"]) == (1, 1000.0)
        # September: only a cancelled order.
        assert by_month[9] == {
            "month_of_year": 9,
            "month_name": "September",
            "orders": 0,
            "revenue": 0.0,
        }


class TestOrdersHeatmap(MetricValues):
    path = "/orders/heatmap"
    keys = ("day_of_week", "hour")

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.orders_heatmap

    def test_cells_across_midnight_and_dst(self, api: MetricApi) -> None:
        cells = {(r["day_of_week"], r["hour"]): r["orders"] for r in api.rows(self.path)}
        assert len(cells) == 168
        # Thursday 22: ORD-10 (leap day); Sunday 22: ORD-19 (2025-02-09 22:30 EST).
        assert (cells[(4, 22)], cells[(7, 22)]) == (1, 1)
        # Sunday 1: ORD-5 (2024-03-10), ORD-34 and ORD-35 (2024-11-03), ORD-37 (2025-03-09).
        assert cells[(7, 1)] == 4
        # Friday 0: ORD-4 (2024-01-12 00:00 EST); Thursday 23: ORD-43 (2024-01-11 23:59:59).
        assert (cells[(5, 0)], cells[(4, 23)]) == (1, 1)
