"""Stands in for `c360 upload-job` in the API's upload tests: publishes a copy of a template
workspace snapshot (one the real upload pipeline built) into the job's warehouse, logging the same
progress events, in a fraction of a second. `--fail` makes it fail as a broken run would. Started
as a standby (`-` arguments), it reads its order from stdin as the real job does."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import uuid
from pathlib import Path

from c360_contract.uploads import STANDBY, UPLOAD_STAGES, JobOrder


def event(name: str, **fields: object) -> None:
    print(json.dumps({"event": name, **fields}), file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--job-dir", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--remote", required=True)
    parser.add_argument("--template", type=Path, required=True)
    parser.add_argument("--fail", action="store_true")
    parser.add_argument("--seconds", type=float, default=0.0, help="How long its stages take.")
    args = parser.parse_args()
    if str(args.job_dir) == STANDBY:
        order = JobOrder.parse(sys.stdin.readline())
        if order is None:
            return 0
        args.job_dir, args.warehouse = order.job_dir, order.warehouse
    assert (args.job_dir / "upload.csv").is_file()
    assert (args.job_dir / "upload.json").is_file()
    stages = UPLOAD_STAGES
    event("pipeline_started", stage_count=len(stages))
    for index, stage in enumerate(stages, 1):
        event("stage_started", stage=stage, stage_index=index, stage_count=len(stages))
        time.sleep(args.seconds / len(stages))
        if args.fail and stage == "facts":
            event("pipeline_failed", error="EmptyInputError: no row of the file loaded")
            return 1
        event("stage_finished", stage=stage, stage_index=index, stage_count=len(stages))
    source_id = (args.template / "CURRENT").read_text().strip()
    snapshot_id = f"{source_id.split('-')[0]}-{uuid.uuid4().hex[:8]}"
    target = args.warehouse / "snapshots" / snapshot_id
    shutil.copytree(args.template / "snapshots" / source_id, target)
    manifest = json.loads((target / "manifest.json").read_text())
    (target / "manifest.json").write_text(json.dumps({**manifest, "snapshot_id": snapshot_id}))
    (args.warehouse / "CURRENT").write_text(snapshot_id + "\n")
    event("pipeline_finished", outcome="published", snapshot_id=snapshot_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
