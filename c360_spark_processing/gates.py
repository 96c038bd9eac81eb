"""Publish gates: refuse an input whose ingest counts say it is broken, before later stages run.

Pure functions over one source's counts as ingest reports them (the manifest's `sources` entry) and
the same source's counts in the current snapshot, so the pipeline decides a source's gates the
moment that source is counted, and a test checks each boundary without Spark.

Every ceiling means "at most" and every floor "at least", compared exactly (the setting is read
as the decimal it is written as, never rounded through a float product): with a 5% ceiling, 5 of
100 rows quarantined pass and 6 fail; with a 50% floor, 50 of a previous 100 pass and 49 fail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from c360_contract.progress import GateFailure, ReasonCount
from c360_spark_processing.inputs import InputRejectedError
from c360_spark_processing.settings import PipelineSettings

GATE_REQUIRED = "required_source"
GATE_QUARANTINED = "quarantined_share"
GATE_ORPHANS = "orphan_line_share"
GATE_SHRINK = "rows_loaded_floor"
# Children of quarantined or missing orders: order lines and status events.
ORPHAN_REASONS: frozenset[str] = frozenset({"orphan_line", "orphan_event"})
TOP_REASONS = 5
GATE_SETTINGS: tuple[str, ...] = (
    "max_quarantined_share",
    "max_quarantined_share_by_source",
    "max_orphan_line_share",
    "min_rows_loaded_ratio",
    "required_sources",
)


class GateError(InputRejectedError):
    """One or more publish gates failed."""

    def __init__(self, failures: Sequence[GateFailure]) -> None:
        count = f"{len(failures)} publish gate" + ("s" if len(failures) > 1 else "")
        super().__init__(f"failed {count}: " + "; ".join(f.message for f in failures), failures)


def _exact(value: float) -> Fraction:
    return Fraction(str(value))


def _top(reasons: Mapping[str, int], keep: set[str] | None = None) -> tuple[ReasonCount, ...]:
    """The most frequent reasons (ties by name), all of them or only those in `keep`."""
    ranked = sorted(
        ((r, n) for r, n in reasons.items() if n and (keep is None or r in keep)),
        key=lambda item: (-item[1], item[0]),
    )
    return tuple(ReasonCount(r, n) for r, n in ranked[:TOP_REASONS])


def _listed(reasons: Sequence[ReasonCount]) -> str:
    return ", ".join(f"{r.reason} {r.count:,}" for r in reasons)


def _share_failure(
    gate: str,
    source: str,
    part: int,
    read: int,
    ceiling: float,
    what: str,
    top: tuple[ReasonCount, ...],
) -> GateFailure | None:
    """A failure when more than `ceiling` of the rows read are `part`; none for an empty source."""
    if read == 0 or Fraction(part, read) <= _exact(ceiling):
        return None
    return GateFailure(
        gate=gate,
        source=source,
        observed=part / read,
        threshold=ceiling,
        rows=part,
        of_rows=read,
        message=f"{source}: {part:,} of {read:,} rows {what} ({part / read:.2%}), "
        f"ceiling {ceiling:.2%}; top reasons: {_listed(top)}",
        top_reasons=top,
    )


def source_gates(
    source: str,
    counts: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    settings: PipelineSettings,
    accept_shrink: bool = False,
) -> list[GateFailure]:
    """Every gate `source` fails, given its counts and its counts in the current snapshot (if any).

    - required: a source in `required_sources` must load at least one row;
    - quarantined share: rows quarantined / rows read at most the source's ceiling, where a
      child's own defects and its orphans (`orphan_line`, `orphan_event`: lines and status events
      whose order was quarantined) are two shares with two ceilings, so a bad orders file is not
      blamed on its children;
    - shrink: rows loaded at least `min_rows_loaded_ratio` of the current snapshot's, unless
      `accept_shrink`; a source the current snapshot did not load has no floor.
    """
    read, loaded = int(counts["rows_read"]), int(counts["rows_loaded"])
    reasons: dict[str, int] = dict(counts["quarantine_reasons"])
    orphans = sum(n for r, n in reasons.items() if r in ORPHAN_REASONS)
    own = int(counts["rows_quarantined"]) - orphans
    failures: list[GateFailure] = []
    if source in settings.required_sources and loaded == 0:
        top = _top(reasons)
        failures.append(
            GateFailure(
                gate=GATE_REQUIRED,
                source=source,
                observed=0,
                threshold=1,
                rows=loaded,
                of_rows=read,
                message=f"{source}: required source loaded no rows ({read:,} read)"
                + (f"; top reasons: {_listed(top)}" if top else ""),
                top_reasons=top,
            )
        )
    ceiling = settings.max_quarantined_share_by_source.get(source, settings.max_quarantined_share)
    for failure in (
        _share_failure(
            GATE_QUARANTINED,
            source,
            own,
            read,
            ceiling,
            "quarantined",
            _top(reasons, set(reasons) - ORPHAN_REASONS),
        ),
        _share_failure(
            GATE_ORPHANS,
            source,
            orphans,
            read,
            settings.max_orphan_line_share,
            "orphaned by quarantined or missing orders",
            _top(reasons, set(ORPHAN_REASONS)),
        ),
    ):
        if failure is not None:
            failures.append(failure)
    before = 0 if previous is None else int(previous["rows_loaded"])
    floor = settings.min_rows_loaded_ratio
    if not accept_shrink and before > 0 and Fraction(loaded, before) < _exact(floor):
        failures.append(
            GateFailure(
                gate=GATE_SHRINK,
                source=source,
                observed=loaded / before,
                threshold=floor,
                rows=loaded,
                of_rows=before,
                message=f"{source}: {loaded:,} rows loaded, {loaded / before:.2%} of the "
                f"{before:,} in the current snapshot; floor {floor:.2%} "
                "(--accept-shrink publishes it anyway)",
            )
        )
    return failures


def gates_manifest(
    settings: PipelineSettings,
    accept_shrink: bool,
    previous_snapshot_id: str | None,
    failures: Sequence[GateFailure],
) -> dict[str, Any]:
    """The manifest's `gates` entry: the thresholds applied, against what, and what failed."""
    return {
        **{name: getattr(settings, name) for name in GATE_SETTINGS},
        "accept_shrink": accept_shrink,
        "previous_snapshot_id": previous_snapshot_id,
        "failures": [f.to_dict() for f in failures],
    }
