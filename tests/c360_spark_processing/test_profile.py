"""customer_profile on the tiny world: one row per customer, contract columns, hand values."""

from __future__ import annotations

import pytest

from tests.c360_spark_processing.analytics_world import built_world, contract_columns


@pytest.fixture(scope="module")
def profile_rows(spark):
    frames, _, profile = built_world(spark)
    return frames["golden"].columns, profile.columns, [r.asDict() for r in profile.collect()]


def test_one_row_per_customer_with_contract_columns(profile_rows):
    golden_columns, columns, rows = profile_rows
    assert columns == golden_columns + contract_columns("customer_profile")
    # C4 has two loyalty cards and C1 three linked sources, still one row each
    assert sorted(r["customer_id"] for r in rows) == ["C1", "C2", "C3", "C4"]


def _pick(rows, customer, keys):
    row = next(r for r in rows if r["customer_id"] == customer)
    return {k: row[k] for k in keys}


def test_scores_by_hand(profile_rows):
    _, _, rows = profile_rows
    keys = ["recency_days", "rfm_score", "rfm_segment", "engagement_score", "support_score",
            "customer_health_score", "churn_risk_score", "risk_status", "customer_status",
            "lifecycle_stage", "predicted_clv_12m", "tenure_days", "generation", "age"]  # fmt: skip
    assert _pick(rows, "C1", keys) == dict(
        zip(
            keys,
            [
                30,
                "521",
                "Potential Loyalists",
                1,
                4.0,
                2.85,
                0.2511,
                "Low",
                "Active",
                "Developing",
                108.51,
                199,
                "Gen Z",
                28,
            ],
            strict=True,
        )
    )
    # 1/max(16, 90) * 365 * 30 * (1 - 0.3326); risk 0.55*16/270 + 0.20 + 0 + 0.10
    assert _pick(rows, "C4", keys) == dict(
        zip(
            keys,
            [
                16,
                "511",
                "New Customers",
                0,
                5.0,
                2.65,
                0.3326,
                "Medium",
                "New",
                "Onboarding",
                81.2,
                16,
                "Gen Alpha",
                12,
            ],
            strict=True,
        )
    )
    assert _pick(rows, "C2", keys) == dict(
        zip(
            keys,
            [
                395,
                "111",
                "Lost",
                0,
                3.0,
                1.15,
                0.91,
                "Critical",
                "Churned",
                "Lapsed",
                7.07,
                395,
                "Millennials",
                29,
            ],
            strict=True,
        )
    )
    assert _pick(rows, "C3", keys) == dict(
        zip(
            keys,
            [
                None,
                None,
                None,
                0,
                5.0,
                0.75,
                None,
                None,
                "Prospect",
                "Prospect",
                0.0,
                None,
                "Unknown",
                None,
            ],
            strict=True,
        )
    )


def test_identities_loyalty_and_cross_sell(profile_rows):
    _, _, rows = profile_rows
    keys = ["member_ids", "linked_records", "loyalty_member_id", "loyalty_tier",
            "next_loyalty_tier", "spend_to_next_tier", "channels_not_used",
            "categories_not_bought", "recommended_category", "total_orders", "net_revenue"]  # fmt: skip
    assert _pick(rows, "C1", keys) == dict(
        zip(
            keys,
            [["LOY1"], 6, "LOY1", "Silver", "Gold", 1421.0, ["app"], ["Gamma"], "Gamma", 2, 79.0],
            strict=True,
        )
    )
    assert _pick(rows, "C4", keys) == dict(
        zip(
            keys,
            [
                ["LOY2", "LOY3"],
                3,
                "LOY2",
                "Platinum",
                None,
                0.0,
                ["app", "online"],
                ["Beta", "Gamma"],
                "Beta",
                1,
                30.0,
            ],
            strict=True,
        )
    )
    # Alpha and Beta both have two buyers: alphabetical first
    assert _pick(rows, "C3", keys) == dict(
        zip(
            keys,
            [
                [],
                1,
                None,
                "No Tier",
                "Bronze",
                0.0,
                ["app", "online", "store"],
                ["Alpha", "Beta", "Gamma"],
                "Alpha",
                0,
                0.0,
            ],
            strict=True,
        )
    )
