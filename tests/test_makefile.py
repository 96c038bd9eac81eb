"""The Makefile as a newcomer meets it: `make help` shows the variables' values, and `make run`
prints the admin key before anything else of C360's and stops cleanly (Ctrl-C, `kill`)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.c360_api.conftest import build_test_warehouse
from tests.c360_api.helpers import free_port, wait_until_up

REPO = Path(__file__).resolve().parents[1]
# A make started by `make test` must not join its parent's jobserver or report itself as make[1].
MAKE_ENV = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}


def test_help_shows_each_variable_with_its_value() -> None:
    given = {
        "CUSTOMERS": "123",
        "SEED": "7",
        "HOST": "0.0.0.0",
        "PORT": "8123",
        "DATA_DIR": "/tmp/exports",
        "WAREHOUSE": "/tmp/wh",
        "KEY_FILE": "/tmp/k/admin-key",
    }
    out = subprocess.run(
        ["make", "help", *(f"{name}={value}" for name, value in given.items())],
        cwd=REPO,
        env=MAKE_ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    _, variables = out.split("\nVariables", 1)
    shown = {line.split()[0]: line.split()[1] for line in variables.splitlines()[1:] if line}
    assert shown == given
    assert "make run CUSTOMERS=" in variables  # how to change one
    # Targets' descriptions name the values, never an unexpanded `$(PORT)`.
    assert "serve on 0.0.0.0:8123" in out
    assert "over /tmp/wh" in out
    assert not re.findall(r"\$\([A-Z_]+\)", out)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stop", "signum"),
    [("ctrl-c", signal.SIGINT), ("kill", signal.SIGTERM)],
)
def test_run_prints_the_key_first_and_stops_cleanly(
    pipeline_warehouse: Path, tmp_path: Path, stop: str, signum: signal.Signals
) -> None:
    """Ctrl-C reaches the terminal's whole foreground group; `kill` reaches make alone, which
    passes SIGTERM on to the server. Either way the server shuts down gracefully and make reports
    no error (`make: *** [run] Error 143` was the complaint)."""
    data = tmp_path / "data"
    (data / "_truth").mkdir(parents=True)
    (data / "_truth" / "defects.json").write_text("{}")  # what `make data` looks for
    warehouse = build_test_warehouse(pipeline_warehouse, tmp_path)
    key_file, port, log = tmp_path / "key" / "admin-key", free_port(), tmp_path / "make.log"
    argv = [
        "make",
        "run",
        f"DATA_DIR={data}",
        f"WAREHOUSE={warehouse}",
        f"KEY_FILE={key_file}",
        f"PORT={port}",
    ]
    with log.open("wb") as out:
        make = subprocess.Popen(
            argv,
            cwd=REPO,
            env=MAKE_ENV,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", make, log)
        if stop == "ctrl-c":
            os.killpg(make.pid, signum)
        else:
            make.send_signal(signum)
        code = make.wait(timeout=60)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
    lines = log.read_text().splitlines()
    # make ends by the signal it was sent, as an interrupted program does (the shell says nothing
    # for Ctrl-C); what it must not do is blame the recipe.
    assert code == -signum, lines[-10:]
    assert not [line for line in lines if line.startswith("make")], lines
    assert lines[-1].startswith("Finished server process ["), lines[-5:]
    key = key_file.read_text().strip()
    first = next(i for i, line in enumerate(lines) if key in line)
    assert lines[first].startswith("Local admin API key")
    assert f"KEY=$(cat {key_file})" in lines[first + 1]
    assert first < lines.index(
        f"snapshot: {warehouse.joinpath('CURRENT').read_text().strip()} is current"
    )
