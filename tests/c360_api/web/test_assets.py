"""The chart bundle's background build: a child stopped by a signal (Ctrl-C reaching the whole
process group while the server stops) ends the thread quietly; any other failure still surfaces."""

from __future__ import annotations

import subprocess
import threading

import pytest
import structlog

from c360_api.web import assets


def _failing_child(returncode: int) -> None:
    raise subprocess.CalledProcessError(returncode, ["python", "-c", "bundle"])


def _run_build(monkeypatch: pytest.MonkeyPatch, returncode: int) -> list[BaseException]:
    """Run `build_in_background` with a bundling child exiting `returncode`; the exceptions the
    thread left unhandled."""
    unhandled: list[BaseException] = []
    monkeypatch.setattr(assets, "_bundle", [])
    monkeypatch.setattr(assets, "_bundle_text", lambda: _failing_child(returncode))
    monkeypatch.setattr(
        threading, "excepthook", lambda args: unhandled.append(args.exc_value or Exception())
    )
    assets.build_in_background().join(timeout=10)
    return unhandled


def test_a_child_stopped_by_ctrl_c_ends_the_build_quietly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with structlog.testing.capture_logs() as logs:
        unhandled = _run_build(monkeypatch, -2)
    assert unhandled == []
    # Threads other tests left behind may log meanwhile: only this module's events count.
    ours = [e for e in logs if e["event"].startswith("vega_bundle")]
    assert [(e["event"], e["signal"]) for e in ours] == [("vega_bundle_interrupted", 2)]
    assert assets._bundle == []  # a later page builds it again


def test_a_child_that_fails_on_its_own_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    [error] = _run_build(monkeypatch, 1)
    assert isinstance(error, subprocess.CalledProcessError)
