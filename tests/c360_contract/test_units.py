"""The units declaration in code is the table of docs/metrics.md, and names follow the suffixes."""

from __future__ import annotations

import pytest

from c360_contract.units import PCT_RANGE, RATE_RANGE, SCALES, unit_range
from tests.c360_contract.docs import markdown_table


def test_the_documented_scales_are_the_declared_ones() -> None:
    documented = {
        row[0]: (float(row[1]), float(row[2]))
        for row in markdown_table("metrics.md", "## Units and suffixes", 1)
    }
    assert documented == SCALES


def test_the_suffix_table_states_the_declared_ranges() -> None:
    suffixes = markdown_table("metrics.md", "## Units and suffixes")
    assert [row[1] for row in suffixes] == [
        f"{PCT_RANGE[0]:g}-{PCT_RANGE[1]:g}",
        f"{RATE_RANGE[0]:g}-{RATE_RANGE[1]:g}",
        f"{RATE_RANGE[0]:g}-{RATE_RANGE[1]:g} unless listed below on a rating scale",
    ]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("app_adoption_pct", PCT_RANGE),
        ("pct_of_buyers", PCT_RANGE),
        ("refund_rate_pct", PCT_RANGE),
        ("digital_conversion_rate", RATE_RANGE),
        ("churn_risk_score", RATE_RANGE),
        ("r_score", (1.0, 5.0)),
        ("support_score", (1.0, 5.0)),
        ("avg_churn_risk", RATE_RANGE),
        ("net_revenue", None),
        ("total_sessions", None),
    ],
)
def test_unit_range_by_name(column: str, expected: tuple[float, float] | None) -> None:
    assert unit_range(column) == expected
