"""`c360 serve` as a user runs it: a real uvicorn process on loopback, stopped by signals, and the
local admin key file `make run` prints first."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from c360_api.local_key import load_or_mint
from c360_cli import main as c360
from tests.c360_api.helpers import c360_serve


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    key_file = tmp_path / "keys" / "admin-key"
    env = {**os.environ, "C360_ENVIRONMENT": "local", "C360_API_KEYS": "[]"}
    args = ("--warehouse", str(tmp_path), "--admin-key-file", str(key_file))
    with c360_serve(*args, env=env, log=tmp_path / "serve.log") as (proc, base):
        yield proc, base, key_file


class TestServeStops:
    @pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
    def test_a_signal_is_a_clean_exit(self, server, signum: signal.Signals, tmp_path: Path) -> None:
        proc, _, _ = server
        proc.send_signal(signum)
        assert proc.wait(timeout=20) == 0
        # The graceful shutdown is the last thing said: no traceback, no "leaked instance" lines.
        lines = (tmp_path / "serve.log").read_text().splitlines()
        assert lines[-1] == f"Finished server process [{proc.pid}]", lines[-5:]


class TestAdminKeyFile:
    def test_serve_accepts_the_key_in_the_file_with_every_scope(self, server) -> None:
        _, base, key_file = server
        raw = key_file.read_text().strip()
        assert httpx.get(f"{base}/admin/metrics", headers={"X-API-Key": raw}).status_code == 200
        assert (
            httpx.get(f"{base}/admin/metrics", headers={"X-API-Key": "x" + raw}).status_code == 401
        )

    def test_minted_once_owner_only_then_reused(self, tmp_path: Path) -> None:
        path = tmp_path / "sub" / "admin-key"
        raw, minted = load_or_mint(path)
        assert minted
        assert len(raw) >= 40
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert load_or_mint(path) == (raw, False)
        rotated, minted = load_or_mint(path, rotate=True)
        assert minted
        assert rotated != raw
        assert path.read_text().strip() == rotated

    def test_cli_prints_the_key_plainly(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "admin-key"
        assert c360(["admin-key", "--file", str(path)]) == 0
        out = capsys.readouterr().out
        raw = path.read_text().strip()
        assert out.splitlines()[0].endswith(f": {raw}")
        assert f"KEY=$(cat {path})" in out
