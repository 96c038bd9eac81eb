"""The Makefile as a newcomer meets it: `make help` shows the variables' values, and `make run`
prints the admin key before anything else of C360's and stops cleanly (Ctrl-C, `kill`), while it
serves and while it builds."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil
import pytest

from tests.c360_api.conftest import build_test_warehouse
from tests.c360_api.helpers import SERVE_START_SECONDS, free_port, wait_for, wait_until_up

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


# How a user stops make: Ctrl-C reaches the terminal's whole foreground process group; `kill`
# reaches make alone, which passes SIGTERM on to the recipe it runs.
STOPS = pytest.mark.parametrize(
    ("stop", "signum"), [("ctrl-c", signal.SIGINT), ("kill", signal.SIGTERM)]
)


@contextmanager
def make_in_background(argv: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`make *argv` in a session of its own (as a terminal's foreground group), its output to
    `log`; whatever of the group still runs on exit is killed (a failing test leaves no orphan)."""
    with log.open("wb") as out:
        make = subprocess.Popen(
            ["make", *argv],
            cwd=REPO,
            env=MAKE_ENV,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield make
    finally:
        with suppress(ProcessLookupError):
            os.killpg(make.pid, signal.SIGKILL)
        make.wait()


def stopped(
    make: subprocess.Popen[bytes], stop: str, signum: signal.Signals, log: Path
) -> list[str]:
    """Stop make as a user would; return its output once it has ended by that signal (as an
    interrupted program does: the shell says nothing for Ctrl-C) without blaming the recipe."""
    if stop == "ctrl-c":
        os.killpg(make.pid, signum)
    else:
        make.send_signal(signum)
    code = make.wait(timeout=60)
    lines = log.read_text().splitlines()
    assert code == -signum, lines[-10:]
    assert not [line for line in lines if line.startswith("make")], lines
    assert not [line for line in lines if "Traceback" in line], lines
    return lines


@pytest.mark.slow
@STOPS
def test_run_prints_the_key_first_and_stops_cleanly(
    pipeline_warehouse: Path, tmp_path: Path, stop: str, signum: signal.Signals
) -> None:
    """The server shuts down gracefully and make reports no error (`make: *** [run] Error 143`
    was the complaint)."""
    data = tmp_path / "data"
    (data / "_truth").mkdir(parents=True)
    (data / "_truth" / "defects.json").write_text("{}")  # what `make data` looks for
    warehouse = build_test_warehouse(pipeline_warehouse, tmp_path)
    key_file, port, log = tmp_path / "key" / "admin-key", free_port(), tmp_path / "make.log"
    argv = ["run", f"DATA_DIR={data}", f"WAREHOUSE={warehouse}", f"KEY_FILE={key_file}"]
    with make_in_background([*argv, f"PORT={port}"], log) as make:
        wait_until_up(f"http://127.0.0.1:{port}", make, log)
        lines = stopped(make, stop, signum, log)
    assert lines[-1].startswith("Finished server process ["), lines[-5:]
    key = key_file.read_text().strip()
    first = next(i for i, line in enumerate(lines) if key in line)
    assert lines[first].startswith("Local admin API key")
    assert f"KEY=$(cat {key_file})" in lines[first + 1]
    assert first < lines.index(
        f"snapshot: {warehouse.joinpath('CURRENT').read_text().strip()} is current"
    )


@STOPS
def test_a_build_step_stops_cleanly(tmp_path: Path, stop: str, signum: signal.Signals) -> None:
    """Stopped while it generates data (the snapshot step is run the same way): the step ends, no
    traceback, no make error."""
    data, log = tmp_path / "data", tmp_path / "make.log"
    with make_in_background(["data", f"DATA_DIR={data}", "CUSTOMERS=2000000"], log) as make:

        def generating() -> list[psutil.Process]:
            """The generator process once it runs (uv's set-up processes come and go first)."""
            found = []
            for process in psutil.Process(make.pid).children(recursive=True):
                with suppress(psutil.NoSuchProcess):
                    if "generate" in process.cmdline():
                        found.append(process)
            return found

        [step] = wait_for(generating, timeout=SERVE_START_SECONDS)
        # Under way: the first exports are written (two million persons take minutes).
        wait_for(lambda: any(p.is_file() for p in data.rglob("*")), SERVE_START_SECONDS)
        lines = stopped(make, stop, signum, log)
    assert lines[-1] == "data: stopped", lines[-5:]
    assert not step.is_running() or step.status() == psutil.STATUS_ZOMBIE
    assert not (data / "_truth" / "defects.json").exists()
