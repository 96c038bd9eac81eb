"""The Spark Connect server's supervision: started on demand, restarted when it dies, reported in
/health, stopped with the API. A stand-in server (a Python process listening on the port) plays the
JVM here; the slow end-to-end test runs the real one."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from c360_api.uploads.spark_connect import (
    WATCH_SECONDS,
    ServerCommand,
    SparkConnectServer,
    SparkUnavailableError,
    listening,
)
from tests.c360_api.accounts import app_client
from tests.c360_api.helpers import wait_for

LISTEN = (
    "import socket, sys\n"
    "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n"
    "while True: s.accept()[0].close()\n"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stand_in(port: int, tmp_path: Path, argv: list[str] | None = None) -> SparkConnectServer:
    command = ServerCommand(argv or [sys.executable, "-c", LISTEN, str(port)], {}, tmp_path / "log")
    return SparkConnectServer(None, port, command, start_seconds=20)


class TestSupervision:
    def test_starts_on_demand_and_restarts_when_it_dies(self, tmp_path: Path) -> None:
        port = free_port()
        server = stand_in(port, tmp_path)
        try:
            assert server.status()["state"] == "stopped"
            assert not listening("127.0.0.1", port)
            assert server.ensure() == f"sc://127.0.0.1:{port}"
            first = server.status()
            assert (first["state"], first["restarts"]) == ("ready", 0)
            os.kill(first["pid"], signal.SIGKILL)
            # the watcher notices and starts it again, without any job asking
            wait_for(
                lambda: server.status()["restarts"] == 1 and server.status()["state"] == "ready", 30
            )
            assert server.status()["pid"] != first["pid"]
            assert listening("127.0.0.1", port)
        finally:
            server.shutdown()
        assert not listening("127.0.0.1", port)
        assert (
            not psutil.pid_exists(first["pid"])
            or psutil.Process(first["pid"]).status() == psutil.STATUS_ZOMBIE
        )

    def test_a_server_started_from_a_thread_outlives_that_thread(self, tmp_path: Path) -> None:
        # The death signal follows the starting thread: a job's thread must not take the server
        # with it when it ends.
        server = stand_in(free_port(), tmp_path)
        try:
            starter = threading.Thread(target=server.ensure)
            starter.start()
            starter.join()
            pid = server.status()["pid"]
            time.sleep(2 * WATCH_SECONDS)
            assert (server.status()["pid"], server.status()["restarts"]) == (pid, 0)
        finally:
            server.shutdown()

    def test_stopping_takes_the_processes_its_start_command_left(self, tmp_path: Path) -> None:
        # A start script whose JVM outlives it: stopping the server stops the whole group.
        port = free_port()
        script = f"{sys.executable} -c {shlex.quote(LISTEN)} {port} & wait"
        server = stand_in(port, tmp_path, ["bash", "-c", script])
        server.ensure()
        leader = server.status()["pid"]
        os.kill(leader, signal.SIGKILL)
        assert listening("127.0.0.1", port)
        server.shutdown()
        assert not listening("127.0.0.1", port)

    def test_a_server_that_exits_while_starting_is_reported(self, tmp_path: Path) -> None:
        server = stand_in(free_port(), tmp_path, [sys.executable, "-c", "raise SystemExit(3)"])
        with pytest.raises(SparkUnavailableError, match="exited with code 3"):
            server.ensure()
        server.shutdown()

    def test_a_port_another_process_holds_is_refused(self, tmp_path: Path) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            server = stand_in(taken.getsockname()[1], tmp_path)
            with pytest.raises(SparkUnavailableError, match="taken by another process"):
                server.ensure()
            assert server.status()["pid"] is None
            server.shutdown()

    def test_an_external_server_is_only_probed(self, tmp_path: Path) -> None:
        port = free_port()
        server = SparkConnectServer(f"sc://127.0.0.1:{port}", 0, None, start_seconds=1)
        assert server.status()["state"] == "unreachable"
        with pytest.raises(SparkUnavailableError, match="does not answer"):
            server.ensure()


class TestHealth:
    def test_reports_the_spark_connect_server(
        self, make_settings, sqlite_url: str, tmp_path: Path, warehouse: Path
    ) -> None:
        settings = make_settings(sqlite_url, warehouse=warehouse)
        with app_client(settings) as client:
            body = client.get("/health").json()["data"]["spark_connect"]
        assert body["mode"] == "external"
        assert body["state"] == "ready"
        assert body["url"] == settings.spark_connect_url
