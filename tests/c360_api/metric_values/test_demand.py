"""demand/growth, demand/top-products and demand/by-category against the reference."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.c360_api.metric_values.api import MetricApi, Row, assert_matches
from tests.c360_api.metric_values.cases import MetricValues, window
from tests.c360_api.metric_values.reference import Reference, Window


class TestDemandGrowth(MetricValues):
    path = "/demand/growth"
    keys = ("month",)

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.demand_growth

    def test_month_without_revenue(self, api: MetricApi) -> None:
        by_month = {r["month"]: r for r in api.rows(self.path)}
        # The first month has nothing to grow on.
        assert by_month["2024-01"] == {
            "month": "2024-01",
            "revenue": 645.0,
            "prev_revenue": None,
            "growth_pct": None,
        }
        # April 2024 has no order: -100 % on March (129.99); May grows on nothing: empty.
        assert (by_month["2024-04"]["revenue"], by_month["2024-04"]["growth_pct"]) == (0.0, -100.0)
        assert (by_month["2024-05"]["prev_revenue"], by_month["2024-05"]["growth_pct"]) == (
            0.0,
            None,
        )
        # September 2024 has only a cancelled order: no revenue either.
        assert by_month["2024-09"]["revenue"] == 0.0
        assert by_month["2024-10"]["growth_pct"] is None

    def test_first_month_of_a_window_starting_mid_month(
        self, api: MetricApi, ref: Reference
    ) -> None:
        # February from the 15th: ORD-15 (10), ORD-23 (60), ORD-10 (80, 02-29 local) = 150.00,
        # and no growth; March 129.99 on 150.00 is -13.34 %.
        rows = {r["month"]: r for r in self.check(api, ref, window("2024-02-15", "2024-03-31"))}
        assert (rows["2024-02"]["revenue"], rows["2024-02"]["growth_pct"]) == (150.0, None)
        assert (rows["2024-03"]["prev_revenue"], rows["2024-03"]["growth_pct"]) == (150.0, -13.34)


class TestDemandTopProducts(MetricValues):
    path = "/demand/top-products"
    keys = ("product_id",)
    ordered = True

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.demand_top_products

    def test_tie_on_units_goes_by_product_id(self, api: MetricApi) -> None:
        rows = api.rows(self.path, limit=2)
        # Mug and Racket both sold 16 units in completed orders; Mug is P-00001. Mug's two lines in
        # ORD-2 are one order: 9 orders. Racket's refunded ORD-17 does not count.
        assert rows == [
            {
                "product_id": "P-00001",
                "name": "Mug",
                "category": "home",
                "units": 16,
                "orders": 9,
                "revenue": 394.99,
            },
            {
                "product_id": "P-00004",
                "name": "Racket",
                "category": "sports",
                "units": 16,
                "orders": 5,
                "revenue": 1975.0,
            },
        ]

    @pytest.mark.parametrize("limit", [1, 3, 100])
    def test_limit(self, api: MetricApi, ref: Reference, limit: int) -> None:
        # Six products were ever sold (the Tent never): a limit above that gives six rows.
        rows = api.rows(self.path, limit=limit)
        assert_matches(rows, ref.demand_top_products(ref.window(), limit), self.keys, ordered=True)
        assert len(rows) == min(limit, 6)


class TestDemandByCategory(MetricValues):
    path = "/demand/by-category"
    keys = ("month", "category")

    def reference(self, ref: Reference) -> Callable[[Window], list[Row]]:
        return ref.demand_by_category

    def test_only_pairs_with_sales_in_local_months(self, api: MetricApi) -> None:
        rows = {(r["month"], r["category"]): r for r in api.rows(self.path)}
        assert not [k for k in rows if k[0] in ("2024-04", "2024-09", "2025-01")]
        assert not [k for k in rows if k[1] == "outdoor"]
        # December 2024 sports: ORD-36 (1 ball, 40) and ORD-40 (4 rackets, 500; 01-01 in UTC).
        assert (rows[("2024-12", "sports")]["units"], rows[("2024-12", "sports")]["revenue"]) == (
            5,
            540.0,
        )
