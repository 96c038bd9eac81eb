"""A stand-in for `c360 pipeline` used by the refresh-job tests, and the snapshot publisher they share.

Run as a script: `python fake_pipeline.py --warehouse WH --control control.json [--force]
[--accept-shrink]`. Like the real one it holds the warehouse lock while it runs (exit 3 when it is
taken) and logs the contract's events. control.json says {"mode": "succeed" | "fail" | "reject" |
"wait"}; "wait" blocks until control.json says otherwise (bounded), so a test can hold a job in the
running state without sleeping. While it waits, it runs a helper that, like Spark's JVM, lives
until its stdin closes; both pids go to `pids.json` beside control.json, and its argv to
`argv.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from c360_contract.progress import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_REJECTED,
    PIPELINE_FAILED,
    PIPELINE_FINISHED,
    PIPELINE_REJECTED,
    STAGE_FINISHED,
    STAGE_STARTED,
    GateFailure,
    ReasonCount,
)
from c360_contract.warehouse import WarehouseLockedError, warehouse_lock

STAGES = ("ingest", "identity", "profile", "marts", "publish")
GATE_FAILURE = GateFailure(
    gate="quarantined_share",
    source="app_events",
    observed=0.3334,
    threshold=0.05,
    rows=1667,
    of_rows=5000,
    message="app_events: 1,667 of 5,000 rows quarantined (33.34%), ceiling 5.00%; "
    "top reasons: schema_mismatch 1,660, invalid_ts 7",
    top_reasons=(ReasonCount("schema_mismatch", 1660), ReasonCount("invalid_ts", 7)),
)


def publish_copy(warehouse: Path) -> str:
    """Publish a copy of the current snapshot under a new id and switch CURRENT atomically."""
    current = (warehouse / "CURRENT").read_text().strip()
    new_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(4)
    staging = warehouse / ".staging" / new_id
    shutil.copytree(warehouse / "snapshots" / current, staging)
    manifest = json.loads((staging / "manifest.json").read_text())
    manifest.update(
        snapshot_id=new_id, finished_at=datetime.now(UTC).isoformat().replace("+00:00", "Z")
    )
    (staging / "manifest.json").write_text(json.dumps(manifest))
    os.rename(staging, warehouse / "snapshots" / new_id)
    tmp = warehouse / f".CURRENT.{new_id}"
    tmp.write_text(new_id + "\n")
    os.replace(tmp, warehouse / "CURRENT")
    return new_id


def _emit(**event: object) -> None:
    print(json.dumps(event), file=sys.stderr, flush=True)


def _mode(control: Path) -> str:
    return str(json.loads(control.read_text())["mode"])


def _wait(control: Path) -> None:
    """Hold the run (and a JVM-like helper) until control.json leaves "wait", at most 30 s."""
    helper = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    # Written whole then renamed: the test polls for the file and must never read it half written.
    tmp = control.parent / "pids.tmp"
    tmp.write_text(json.dumps({"pipeline": os.getpid(), "jvm": helper.pid}))
    tmp.replace(control.parent / "pids.json")
    deadline = time.monotonic() + 30
    while _mode(control) == "wait" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert helper.stdin is not None
    helper.stdin.close()
    helper.wait()


def _run(warehouse: Path, control: Path) -> int:
    if _mode(control) == "wait":
        _wait(control)
    mode = _mode(control)
    for i, stage in enumerate(STAGES):
        _emit(event=STAGE_STARTED, stage=stage, stage_index=i, stage_count=len(STAGES))
        if mode == "fail" and stage == "identity":
            _emit(event=PIPELINE_FAILED, error="identity resolution exploded")
            return EXIT_FAILED
        if mode == "reject":
            _emit(
                event=PIPELINE_REJECTED,
                error="failed 1 publish gate: " + GATE_FAILURE.message,
                gate_failures=[GATE_FAILURE.to_dict()],
                rejected_snapshot_id="20260101T000000000Z-deadbeef",
            )
            return EXIT_REJECTED
        _emit(
            event=STAGE_FINISHED,
            stage=stage,
            stage_index=i,
            stage_count=len(STAGES),
            rows_in=100,
            rows_out=90,
            seconds=0.01,
        )
    snapshot_id = publish_copy(warehouse)
    _emit(event=PIPELINE_FINISHED, outcome="published", snapshot_id=snapshot_id)
    return EXIT_OK


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--control", type=Path, required=True)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--accept-shrink", action="store_true")
    args = parser.parse_args()
    (args.control.parent / "argv.json").write_text(json.dumps(sys.argv[1:]))
    try:
        with warehouse_lock(args.warehouse):
            return _run(args.warehouse, args.control)
    except WarehouseLockedError as exc:
        _emit(event=PIPELINE_FAILED, error=str(exc))
        return EXIT_LOCKED


if __name__ == "__main__":
    sys.exit(main())
