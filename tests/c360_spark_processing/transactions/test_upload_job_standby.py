"""`c360 upload-job` started as a standby (`-` arguments): it waits for its order on stdin, takes
the job's arguments from it, and stops quietly when stdin closes without one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from c360_contract.progress import EXIT_OK, EXIT_USAGE, PIPELINE_FAILED
from c360_contract.uploads import STANDBY, JobOrder

STANDBY_ARGV = [
    sys.executable, "-c", "from c360_cli import main; raise SystemExit(main())", "upload-job",
    "--job-dir", STANDBY, "--warehouse", STANDBY, "--remote", STANDBY,
]  # fmt: skip


def standby(stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(STANDBY_ARGV, input=stdin, capture_output=True, text=True, timeout=120)


def test_stdin_closed_without_an_order_stops_without_a_job() -> None:
    done = standby("")
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stderr == ""


def test_the_order_gives_the_job_its_arguments(tmp_path: Path) -> None:
    job_dir = tmp_path / "job"
    job_dir.mkdir()
    done = standby(JobOrder(job_dir, tmp_path / "w", "sc://127.0.0.1:1").line())
    assert done.returncode == EXIT_USAGE
    event = json.loads(done.stderr.splitlines()[-1])
    assert event["event"] == PIPELINE_FAILED
    assert event["error"] == f"{job_dir} lacks upload.csv, upload.json"
