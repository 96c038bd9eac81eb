"""The pipeline's progress on a terminal: a bar over the stages with the stage's name, the rows
read so far (source by source during ingest) and the elapsed time, and one line per finished stage.

It is a structlog renderer, so it is fed the very events the JSON lines carry
(`c360_contract.progress`) and folds them with the same `RunProgress` the API's refresh job uses:
the display and the job can never disagree about what the pipeline said.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any, NoReturn

import structlog
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from c360_contract.logs import configure_structlog
from c360_contract.progress import (
    PIPELINE_FAILED,
    PIPELINE_FINISHED,
    PIPELINE_REJECTED,
    PIPELINE_STARTED,
    SOURCE_INGESTED,
    STAGE_FINISHED,
    STAGE_STARTED,
    STAGES,
    RunProgress,
)

_QUIET = frozenset({"event", "level", "timestamp"})


def _rows(value: Any) -> str:
    return "?" if value is None else f"{int(value):,}"


class ConsoleProgress:
    """Renders pipeline events on a rich Console; other events become one plain line each."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.state = RunProgress()
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("stages · {task.fields[rows]} rows read"),
            TimeElapsedColumn(),
            console=console,
        )
        self._task: TaskID | None = None

    def __call__(self, _logger: Any, _method: str, event: MutableMapping[str, Any]) -> NoReturn:
        """structlog's last processor: show the event, and write nothing else."""
        self.show(event)
        raise structlog.DropEvent

    def show(self, event: Mapping[str, Any]) -> None:
        self.state.apply(event)
        kind = event.get("event")
        if kind == PIPELINE_STARTED:
            self._bar.start()
            total = int(event.get("stage_count") or len(STAGES))
            self._task = self._bar.add_task("starting", total=total, rows="?")
            self.console.print(f"[bold]c360 pipeline[/] building snapshot {event['snapshot_id']}")
        elif kind == STAGE_STARTED and self._task is not None:
            position = f"{event.get('stage_index')}/{event.get('stage_count')}"
            self._bar.update(self._task, description=f"{event['stage']} ({position})")
        elif kind == SOURCE_INGESTED and self._task is not None:
            self._bar.update(self._task, rows=_rows(self.state.rows_read), refresh=True)
        elif kind == STAGE_FINISHED:
            self._stage_finished(event)
        elif kind in (PIPELINE_FINISHED, PIPELINE_REJECTED, PIPELINE_FAILED):
            self._bar.stop()
            self._outcome(event)
        else:
            details = " ".join(f"{k}={v}" for k, v in event.items() if k not in _QUIET)
            self.console.print(f"[dim]{event.get('level', 'info')}[/] {kind} {details}".rstrip())

    def _stage_finished(self, event: Mapping[str, Any]) -> None:
        if self._task is not None:
            self._bar.advance(self._task)
        self.console.print(
            f"[green]✓[/] {event['stage']:<9} {_rows(event.get('rows_in')):>12} → "
            f"{_rows(event.get('rows_out')):>12} rows  {float(event.get('seconds') or 0):8.1f} s",
            highlight=False,
        )

    def _outcome(self, event: Mapping[str, Any]) -> None:
        state = self.state
        if state.outcome == "published":
            self.console.print(f"[bold green]published[/] {state.snapshot_id}")
        elif state.outcome == "skipped":
            self.console.print(
                f"[bold]skipped[/]: the input is unchanged since snapshot {state.snapshot_id}"
            )
        elif state.outcome == "rejected":
            self.console.print(f"[bold red]input refused[/]: {state.error}", highlight=False)
            for failure in state.gate_failures:
                self.console.print(
                    f"  [red]✗[/] {failure.gate}: {failure.message}", highlight=False
                )
            if state.rejected_snapshot_id:
                self.console.print(
                    f"staged result kept as rejected run {state.rejected_snapshot_id}"
                )
        else:
            self.console.print(f"[bold red]failed[/]: {state.error}")
            if event.get("exception"):
                self.console.print(str(event["exception"]), markup=False, highlight=False)


def configure_console_logging(level: str, console: Console | None = None) -> ConsoleProgress:
    """Route every log event to a `ConsoleProgress` on stderr (or `console`)."""
    renderer = ConsoleProgress(console or Console(stderr=True))
    configure_structlog(level, renderer)
    return renderer
