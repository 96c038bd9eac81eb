"""The terminal display renders the pipeline's progress events; JSON stays JSON off a terminal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO

import pytest
import structlog
from rich.console import Console

from c360_contract.logs import configure_json_logging
from c360_contract.progress import (
    PIPELINE_FAILED,
    PIPELINE_FINISHED,
    PIPELINE_REJECTED,
    PIPELINE_STARTED,
    SOURCE_INGESTED,
    STAGE_FINISHED,
    STAGE_STARTED,
    STAGES,
)
from c360_spark_processing.cli import configure_output
from c360_spark_processing.console import ConsoleProgress, configure_console_logging
from tests.c360_api.fake_pipeline import GATE_FAILURE

log = structlog.get_logger("c360.pipeline")


@pytest.fixture(autouse=True)
def json_logging_afterwards() -> Iterator[None]:
    yield
    configure_json_logging()


def terminal() -> tuple[Console, StringIO]:
    out = StringIO()
    return Console(file=out, force_terminal=True, width=140, color_system=None), out


def log_a_run() -> None:
    """The events a published run logs, in order, with the fields the pipeline gives them."""
    log.info(PIPELINE_STARTED, snapshot_id="S2", stage_count=len(STAGES), shuffle_partitions=2)
    for index, stage in enumerate(STAGES, start=1):
        log.info(STAGE_STARTED, stage=stage, stage_index=index, stage_count=len(STAGES))
        if stage == "ingest":
            for source, read in (("crm_customers", 1_000_000), ("products", 234_567)):
                log.info(SOURCE_INGESTED, source=source, rows_read=read, rows_loaded=read - 1)
        log.info(
            STAGE_FINISHED,
            stage=stage,
            stage_index=index,
            stage_count=len(STAGES),
            seconds=1.25 * index,
            rows_in=1_234_567 * index,
            rows_out=1_000_000 * index,
        )
    log.info(PIPELINE_FINISHED, outcome="published", snapshot_id="S2", pruned=[], seconds=26.25)


class TestConsoleProgress:
    def test_logged_events_drive_the_stage_display(self) -> None:
        console, out = terminal()
        renderer = configure_console_logging("INFO", console)
        log_a_run()
        text = out.getvalue()
        assert renderer.state.stages_done == len(STAGES)
        assert (renderer.state.outcome, renderer.state.snapshot_id) == ("published", "S2")
        assert "building snapshot S2" in text
        assert "✓ ingest       1,234,567 →    1,000,000 rows       1.2 s" in text
        last = len(STAGES)  # publish: the last stage's figures are its index times the first's
        assert (
            f"✓ publish      {1_234_567 * last:,} →    {1_000_000 * last:,} rows       "
            f"{1.25 * last:.1f} s"
        ) in text
        assert f"{last}/{last}" in text
        assert "1,000,000 rows read" in text  # after the first source, during ingest
        assert "1,234,567 rows read" in text
        assert renderer.state.rows_read == 1_234_567
        assert "source_ingested" not in text
        assert "published S2" in text
        assert "{" not in text  # nothing of the JSON form

    def test_refusal_lists_every_gate(self) -> None:
        console, out = terminal()
        renderer = ConsoleProgress(console)
        renderer.show(
            {
                "event": PIPELINE_REJECTED,
                "error": "failed 1 publish gate: " + GATE_FAILURE.message,
                "gate_failures": [GATE_FAILURE.to_dict()],
                "rejected_snapshot_id": "S3",
            }
        )
        text = out.getvalue()
        assert f"✗ quarantined_share: {GATE_FAILURE.message}" in text
        assert "rejected run S3" in text
        assert renderer.state.gate_failures == [GATE_FAILURE]

    def test_failure_and_other_events_are_one_line_each(self) -> None:
        console, out = terminal()
        renderer = ConsoleProgress(console)
        renderer.show({"event": "staging_cleared", "level": "info", "snapshots": ["x"]})
        renderer.show({"event": PIPELINE_FAILED, "level": "error", "error": "RuntimeError: boom"})
        assert out.getvalue().splitlines() == [
            "info staging_cleared snapshots=['x']",
            "failed: RuntimeError: boom",
        ]


class TestOutputChoice:
    def test_json_lines_when_not_a_terminal(self, capsys: pytest.CaptureFixture[str]) -> None:
        configure_output("auto", "INFO")
        log_a_run()
        lines = capsys.readouterr().err.strip().splitlines()
        events = [json.loads(line) for line in lines]
        assert [e["event"] for e in events] == [
            PIPELINE_STARTED,
            STAGE_STARTED,
            SOURCE_INGESTED,
            SOURCE_INGESTED,
            STAGE_FINISHED,
            *[kind for _ in STAGES[1:] for kind in (STAGE_STARTED, STAGE_FINISHED)],
            PIPELINE_FINISHED,
        ]
        assert events[2] == {
            "event": SOURCE_INGESTED,
            "source": "crm_customers",
            "rows_read": 1_000_000,
            "rows_loaded": 999_999,
            "level": "info",
            "timestamp": events[2]["timestamp"],
        }
        assert events[4] == {
            "event": STAGE_FINISHED,
            "stage": "ingest",
            "stage_index": 1,
            "stage_count": len(STAGES),
            "seconds": 1.25,
            "rows_in": 1_234_567,
            "rows_out": 1_000_000,
            "level": "info",
            "timestamp": events[4]["timestamp"],
        }

    def test_console_when_asked(self, capsys: pytest.CaptureFixture[str]) -> None:
        configure_output("console", "INFO")
        log_a_run()
        err = capsys.readouterr().err
        assert "published S2" in err
        assert not err.lstrip().startswith("{")
