"""Publish gates as pure functions over ingest counts: exact boundaries, no Spark."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from c360_contract.progress import GateFailure, ReasonCount
from c360_spark_processing.gates import (
    GATE_ORPHANS,
    GATE_QUARANTINED,
    GATE_REQUIRED,
    GATE_SHRINK,
    GateError,
    gates_manifest,
    source_gates,
)
from c360_spark_processing.settings import PipelineSettings

DEFAULTS = PipelineSettings()


def counts(read: int, reasons: dict[str, int] | None = None) -> dict[str, Any]:
    """A manifest `sources` entry: every row not quarantined for one of `reasons` loaded."""
    reasons = reasons or {}
    quarantined = sum(reasons.values())
    return {
        "rows_read": read,
        "rows_loaded": read - quarantined,
        "rows_quarantined": quarantined,
        "quarantine_reasons": reasons,
        "warnings": {},
    }


def gates(
    source: str,
    current: dict[str, Any],
    previous: dict[str, Any] | None = None,
    settings: PipelineSettings = DEFAULTS,
    accept_shrink: bool = False,
) -> list[tuple[str, str]]:
    return [
        (f.gate, f.source) for f in source_gates(source, current, previous, settings, accept_shrink)
    ]


class TestQuarantinedShare:
    @pytest.mark.parametrize(
        ("read", "quarantined", "passes"),
        [(100, 5, True), (100, 6, False), (1000, 50, True), (1000, 51, False), (20, 1, True)],
    )
    def test_at_most_five_percent_of_rows_read(
        self, read: int, quarantined: int, passes: bool
    ) -> None:
        found = gates("orders", counts(read, {"missing_buyer": quarantined}))
        assert found == ([] if passes else [(GATE_QUARANTINED, "orders")])

    def test_failure_carries_figures_and_top_reasons(self) -> None:
        [failure] = source_gates(
            "orders", counts(100, {"unknown_buyer": 2, "missing_buyer": 4}), None, DEFAULTS
        )
        assert failure == GateFailure(
            gate=GATE_QUARANTINED,
            source="orders",
            observed=0.06,
            threshold=0.05,
            rows=6,
            of_rows=100,
            message="orders: 6 of 100 rows quarantined (6.00%), ceiling 5.00%; "
            "top reasons: missing_buyer 4, unknown_buyer 2",
            top_reasons=(ReasonCount("missing_buyer", 4), ReasonCount("unknown_buyer", 2)),
        )

    def test_ceiling_is_compared_exactly_as_written(self) -> None:
        """7 of 100 is exactly 7%: it passes a 0.07 ceiling, whatever 0.07 * 100 is in floats."""
        settings = PipelineSettings(max_quarantined_share=0.07)
        assert gates("orders", counts(100, {"missing_buyer": 7}), settings=settings) == []
        assert gates("orders", counts(100, {"missing_buyer": 8}), settings=settings) == [
            (GATE_QUARANTINED, "orders")
        ]

    def test_per_source_ceiling_replaces_the_default_for_that_source_only(self) -> None:
        settings = PipelineSettings(max_quarantined_share_by_source={"app_events": 0.1})
        assert gates("app_events", counts(100, {"invalid_ts": 10}), settings=settings) == []
        assert gates("app_events", counts(100, {"invalid_ts": 11}), settings=settings) == [
            (GATE_QUARANTINED, "app_events")
        ]
        assert gates("orders", counts(100, {"missing_buyer": 6}), settings=settings) == [
            (GATE_QUARANTINED, "orders")
        ]

    def test_top_reasons_keep_the_five_largest_ties_by_name(self) -> None:
        reasons = {"a": 1, "b": 3, "c": 3, "d": 2, "e": 5, "f": 1, "g": 4}
        [failure] = source_gates("app_events", counts(100, reasons), None, DEFAULTS)
        assert [(r.reason, r.count) for r in failure.top_reasons] == [
            ("e", 5),
            ("g", 4),
            ("b", 3),
            ("c", 3),
            ("d", 2),
        ]

    def test_an_empty_optional_source_passes(self) -> None:
        settings = PipelineSettings(required_sources=["orders"])
        assert gates("products", counts(0), settings=settings) == []


class TestOrphanLines:
    def test_own_defects_and_orphans_are_two_shares(self) -> None:
        """5% own defects and 5% orphans pass although 10% of the lines are quarantined."""
        both = {"unknown_product": 5, "orphan_line": 5}
        assert gates("order_lines", counts(100, both)) == []

    def test_own_defects_over_the_ceiling_exclude_orphans_from_the_reasons(self) -> None:
        [failure] = source_gates(
            "order_lines", counts(100, {"unknown_product": 6, "orphan_line": 5}), None, DEFAULTS
        )
        assert (failure.gate, failure.rows, failure.of_rows) == (GATE_QUARANTINED, 6, 100)
        assert failure.top_reasons == (ReasonCount("unknown_product", 6),)

    def test_orphans_over_their_ceiling(self) -> None:
        [failure] = source_gates(
            "order_lines", counts(100, {"unknown_product": 5, "orphan_line": 6}), None, DEFAULTS
        )
        assert (failure.gate, failure.observed, failure.threshold) == (GATE_ORPHANS, 0.06, 0.05)
        assert failure.top_reasons == (ReasonCount("orphan_line", 6),)
        settings = PipelineSettings(max_orphan_line_share=0.06)
        assert gates("order_lines", counts(100, {"orphan_line": 6}), settings=settings) == []


class TestOrphanStatusEvents:
    """Status events of quarantined orders are orphans too: their own share, their own ceiling."""

    def test_at_just_under_and_just_over_the_ceiling(self) -> None:
        assert gates("order_status_events", counts(1000, {"orphan_event": 50})) == []
        assert gates("order_status_events", counts(1000, {"orphan_event": 49})) == []
        [failure] = source_gates(
            "order_status_events", counts(1000, {"orphan_event": 51}), None, DEFAULTS
        )
        assert (failure.gate, failure.rows, failure.of_rows) == (GATE_ORPHANS, 51, 1000)
        assert failure.top_reasons == (ReasonCount("orphan_event", 51),)

    def test_own_defects_and_orphans_are_two_shares(self) -> None:
        both = {"invalid_status": 30, "invalid_ts": 20, "orphan_event": 50}
        assert gates("order_status_events", counts(1000, both)) == []
        [failure] = source_gates(
            "order_status_events",
            counts(1000, {**both, "invalid_ts": 21}),
            None,
            DEFAULTS,
        )
        assert (failure.gate, failure.rows) == (GATE_QUARANTINED, 51)
        assert {r.reason for r in failure.top_reasons} == {"invalid_status", "invalid_ts"}


class TestRequiredSources:
    def test_a_required_source_must_load_a_row(self) -> None:
        [failure] = source_gates("products", counts(0), None, DEFAULTS)
        assert failure == GateFailure(
            gate=GATE_REQUIRED,
            source="products",
            observed=0,
            threshold=1,
            rows=0,
            of_rows=0,
            message="products: required source loaded no rows (0 read)",
        )
        assert gates("products", counts(1)) == []

    def test_all_rows_quarantined_fails_required_and_share(self) -> None:
        found = source_gates("products", counts(3, {"schema_mismatch": 3}), None, DEFAULTS)
        assert [(f.gate, f.rows, f.of_rows) for f in found] == [
            (GATE_REQUIRED, 0, 3),
            (GATE_QUARANTINED, 3, 3),
        ]
        assert found[0].message.endswith("top reasons: schema_mismatch 3")

    def test_default_is_every_source_and_unknown_names_are_refused(self) -> None:
        assert set(DEFAULTS.required_sources) == {
            "crm_customers",
            "ecommerce_accounts",
            "loyalty_members",
            "products",
            "orders",
            "order_lines",
            "app_events",
            "support_tickets",
            "postal_codes",
            "stores",
            "services",
            "providers",
            "order_status_events",
            "service_bookings",
        }
        with pytest.raises(ValidationError, match="unknown sources"):
            PipelineSettings(required_sources=["orders", "ordres"])
        with pytest.raises(ValidationError, match="unknown sources"):
            PipelineSettings(max_quarantined_share_by_source={"ordres": 0.1})
        with pytest.raises(ValidationError, match=r"within \[0, 1\]"):
            PipelineSettings(max_quarantined_share_by_source={"orders": 1.5})


class TestShrinkFloor:
    @pytest.mark.parametrize(("loaded", "passes"), [(50, True), (49, False), (150, True)])
    def test_at_least_half_of_the_current_snapshot(self, loaded: int, passes: bool) -> None:
        found = source_gates("crm_customers", counts(loaded), counts(100), DEFAULTS)
        assert [(f.gate, f.rows, f.of_rows) for f in found] == (
            [] if passes else [(GATE_SHRINK, loaded, 100)]
        )

    def test_failure_figures_and_message(self) -> None:
        [failure] = source_gates("crm_customers", counts(49), counts(100), DEFAULTS)
        assert (failure.observed, failure.threshold) == (0.49, 0.5)
        assert failure.message == (
            "crm_customers: 49 rows loaded, 49.00% of the 100 in the current snapshot; "
            "floor 50.00% (--accept-shrink publishes it anyway)"
        )

    def test_accept_shrink_waives_only_the_floor(self) -> None:
        assert gates("crm_customers", counts(1), counts(100), accept_shrink=True) == []
        assert gates("products", counts(0), counts(100), accept_shrink=True) == [
            (GATE_REQUIRED, "products")
        ]

    def test_no_floor_without_a_previous_load(self) -> None:
        assert gates("crm_customers", counts(1), None) == []
        assert gates("crm_customers", counts(1), counts(0)) == []


class TestReport:
    def test_error_message_lists_every_failure(self) -> None:
        failures = source_gates("products", counts(0), counts(10), DEFAULTS)
        error = GateError(failures)
        assert error.failures == failures
        assert str(error) == (
            "failed 2 publish gates: products: required source loaded no rows (0 read); "
            "products: 0 rows loaded, 0.00% of the 10 in the current snapshot; floor 50.00% "
            "(--accept-shrink publishes it anyway)"
        )

    def test_failure_round_trips_through_its_json_form(self) -> None:
        [failure] = source_gates("orders", counts(10, {"missing_buyer": 1}), None, DEFAULTS)
        assert GateFailure.from_dict(failure.to_dict()) == failure

    def test_manifest_entry_lists_thresholds_baseline_and_failures(self) -> None:
        failures = source_gates("products", counts(0), None, DEFAULTS)
        entry = gates_manifest(DEFAULTS, True, "S1", failures)
        assert entry == {
            "max_quarantined_share": 0.05,
            "max_quarantined_share_by_source": {},
            "max_orphan_line_share": 0.05,
            "min_rows_loaded_ratio": 0.5,
            "required_sources": list(DEFAULTS.required_sources),
            "accept_shrink": True,
            "previous_snapshot_id": "S1",
            "failures": [f.to_dict() for f in failures],
        }
