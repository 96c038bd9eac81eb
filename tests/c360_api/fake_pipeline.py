"""A stand-in for `c360 pipeline` used by the refresh-job tests, and the snapshot publisher they share.

Run as a script: `python fake_pipeline.py --warehouse WH --control control.json [--force]`.
control.json says {"mode": "succeed" | "fail" | "wait"}; "wait" blocks until control.json says
otherwise (bounded), so a test can hold a job in the running state without sleeping.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

STAGES = ("ingest", "identity", "profile", "marts", "publish")


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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--control", type=Path, required=True)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    deadline = time.monotonic() + 30
    while _mode(args.control) == "wait" and time.monotonic() < deadline:
        time.sleep(0.01)
    mode = _mode(args.control)
    for i, stage in enumerate(STAGES):
        _emit(event="stage_started", stage=stage, stage_index=i, stage_count=len(STAGES))
        if mode == "fail" and stage == "identity":
            _emit(event="pipeline_failed", error="identity resolution exploded")
            return 1
        _emit(
            event="stage_finished",
            stage=stage,
            stage_index=i,
            stage_count=len(STAGES),
            rows_in=100,
            rows_out=90,
            seconds=0.01,
        )
    snapshot_id = publish_copy(args.warehouse)
    _emit(event="pipeline_finished", outcome="published", snapshot_id=snapshot_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
