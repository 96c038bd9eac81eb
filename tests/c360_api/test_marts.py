"""The mart-backed endpoints: one test class per endpoint, sharing the checks every mart needs."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from tests.c360_api.conftest import Expect, headers
from tests.c360_api.helpers import assert_rows_equal, error, ok, read_csv


class MartEndpoint:
    path: ClassVar[str]
    role: ClassVar[str]
    table: ClassVar[str]
    keys: ClassVar[list[str]]
    data_key: ClassVar[str | None] = None  # combined endpoints: where the CSV table lives in data
    other: ClassVar[tuple[str, str, list[str]] | None] = (
        None  # (data key, table, keys) of the 2nd table
    )

    def _rows(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        return body["data"][self.data_key] if self.data_key else body["data"]

    def test_values_match_the_mart(self, client: TestClient, expect: Expect) -> None:
        body = ok(client.get(self.path, headers=headers(self.role)))
        want = expect.df(f"SELECT * FROM {self.table}")
        assert body["count"] == len(want) > 0
        assert body["snapshot_id"] == expect.snapshot_id
        assert body["as_of"] == expect.as_of
        assert_rows_equal(self._rows(body), want, self.keys)
        if self.other:
            key, table, keys = self.other
            assert_rows_equal(body["data"][key], expect.df(f"SELECT * FROM {table}"), keys)

    def test_csv_has_the_documented_columns(self, client: TestClient, expect: Expect) -> None:
        want = expect.df(f"SELECT * FROM {self.table}")
        for response in (
            client.get(self.path, params={"format": "csv"}, headers=headers(self.role)),
            client.get(self.path, headers={**headers(self.role), "Accept": "text/csv"}),
        ):
            frame = read_csv(response)
            assert list(frame.columns) == list(want.columns)
            assert sorted(frame[self.keys[0]]) == sorted(want[self.keys[0]].astype(str))

    def test_missing_or_unknown_key_is_401(self, client: TestClient) -> None:
        error(client.get(self.path), 401)
        error(client.get(self.path, headers={"X-API-Key": "nope"}), 401)

    def test_wrong_scope_is_403(self, client: TestClient) -> None:
        other = "finance" if self.role != "finance" else "marketing"
        body = error(client.get(self.path, headers=headers(other)), 403)
        assert body["error_details"]["required_scopes"] == [self.role]

    def test_bad_format_is_422_naming_it(self, client: TestClient) -> None:
        body = error(
            client.get(self.path, params={"format": "xml"}, headers=headers(self.role)), 422
        )
        assert body["error_details"]["errors"][0]["parameter"] == "format"


class TestCustomerHealthOverview(MartEndpoint):
    path, role, table, keys = (
        "/marketing/customer-health-overview",
        "marketing",
        "mart_health_overview",
        ["customer_status"],
    )


class TestLoyaltyProgramMetrics(MartEndpoint):
    path, role, table, keys = (
        "/marketing/loyalty-program-metrics",
        "marketing",
        "mart_loyalty_metrics",
        ["loyalty_tier"],
    )


class TestCustomerSegmentation(MartEndpoint):
    path, role, table, keys = (
        "/marketing/customer-segmentation",
        "marketing",
        "mart_segment_summary",
        ["customer_segment"],
    )
    data_key = "segments"
    other = ("rfm_segments", "mart_rfm_segments", ["rfm_segment"])


class TestDigitalEngagementAnalysis(MartEndpoint):
    path, role, table, keys = (
        "/product/digital-engagement-analysis",
        "product",
        "mart_digital_engagement",
        ["generation"],
    )


class TestCrossSellOpportunities(MartEndpoint):
    path, role, table = "/product/cross-sell-opportunities", "product", "mart_cross_sell"
    keys = ["opportunity_type", "target"]


class TestCategoryInsights(MartEndpoint):
    path, role, table, keys = (
        "/product/category-insights",
        "product",
        "mart_category_insights",
        ["category"],
    )


class TestCustomerLifetimeValue(MartEndpoint):
    path, role, table, keys = (
        "/finance/customer-lifetime-value",
        "finance",
        "mart_clv_by_segment",
        ["customer_segment"],
    )


class TestRevenueAnalysis(MartEndpoint):
    path, role, table = "/finance/revenue-analysis", "finance", "mart_revenue_by_segment"
    keys = ["customer_segment", "channel"]


class TestRfmSegmentation(MartEndpoint):
    path, role, table, keys = (
        "/finance/rfm-segmentation",
        "finance",
        "mart_rfm_segments",
        ["rfm_segment"],
    )
    data_key = "segments"
    other = ("matrix", "mart_rfm_matrix", ["r_score", "fm_score"])


class TestProfitabilityMetrics(MartEndpoint):
    path, role, table, keys = (
        "/finance/profitability-metrics",
        "finance",
        "mart_profitability",
        ["customer_segment"],
    )


class TestSupportInsights(MartEndpoint):
    path, role, table, keys = (
        "/customer-success/support-insights",
        "customer_success",
        "mart_support_insights",
        ["category"],
    )


class TestLifecycleAnalysis(MartEndpoint):
    path, role, table, keys = (
        "/customer-success/lifecycle-analysis",
        "customer_success",
        "mart_lifecycle",
        ["lifecycle_stage"],
    )


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_wrong_method_is_405_in_the_envelope(client: TestClient, method: str) -> None:
    error(
        client.request(method, "/marketing/customer-health-overview", headers=headers("marketing")),
        405,
    )
