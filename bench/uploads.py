"""Upload benchmark (`make bench-uploads`): `c360 serve` on loopback with its supervised Spark
Connect server, driven over HTTP as the README's curl flow does: register, preview, upload, poll
the status, fetch the results. Writes the "uploads" section of docs/benchmarks.md.

- cold: the first upload of a fresh API, the Spark Connect server not yet started (its start is
  in the figure);
- warm: later uploads to the same API, once its server is warm (`/health`'s
  `spark_connect.warm`: the API has run its built-in warm-up upload on it while none waited);
- preview: POST /api/jobs/upload/preview of a large file;
- refresh: the retailer's `c360 pipeline` and POST /admin/refresh-data on an input unchanged since
  the current snapshot (a small generated one), with a watch for any JVM among their processes.

Figures are medians of the repeats (`--warm-repeat` for the smallest file and the preview).

Files are sales exports written by a vectorised generator (day-first dates, decimal commas,
returns and a share of duplicates, as `tests/upload_data.py` but at any size). Not a test: run by
hand, `python -m bench.uploads --rows 10000 1000000 --preview-mb 100 --warm-repeat 3`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil

from bench.report import WORK, machine, median, write_section
from tests.upload_data import MAPPING

WARM_WAIT_SECONDS = 600
POLL_SECONDS = 0.25


def sales_file(rows: int, path: Path, seed: int = 5) -> Path:
    """A `;`-separated export of about `rows` rows (day-first dates, decimal commas)."""
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    customers = max(rows // 9, 1)
    customer = rng.integers(0, customers, rows)
    invoice = customer * 1000 + rng.integers(0, 8, rows)
    start = date(2023, 1, 1)
    day_of = rng.integers(0, 730, customers * 8 + 8)
    days = np.array([(start + timedelta(days=int(d))).strftime("%d/%m/%Y") for d in range(730)])
    when = days[day_of[(customer * 8 + invoice % 1000) % len(day_of)]]
    amount = np.round(rng.uniform(-40, 400, rows), 2)
    product = rng.integers(1, 400, rows)
    with path.open("w") as out:
        out.write(";".join(MAPPING.values()) + "\n")
        for i in range(rows):
            out.write(
                f"K{customer[i]:07d};{when[i]};R{invoice[i]:010d};"
                f"{f'{amount[i]:.2f}'.replace('.', ',')};P{product[i]:04d};G{product[i] % 12}\n"
            )
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Api:
    """`c360 serve` in a fresh state directory, with its own Spark Connect port."""

    def __init__(self, work: Path, retail: Path) -> None:
        self.port = _free_port()
        self.admin_key_file = work / "admin-key"
        env = {
            **os.environ,
            "C360_STATE_DIR": str(work / "state"),
            "C360_WAREHOUSE": str(retail / "warehouse"),
            "C360_DATA_DIR": str(retail / "data"),
            "C360_SPARK_CONNECT_PORT": str(_free_port()),
            "C360_LOG_LEVEL": "WARNING",
            "SPARK_LOCAL_IP": "127.0.0.1",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "c360_cli",
                "serve",
                "--port",
                str(self.port),
                "--admin-key-file",
                str(self.admin_key_file),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=600)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.client.get("/ping").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(POLL_SECONDS)
        email = "bench@shop.example"
        self.client.post("/api/auth/register", json={"email": email, "password": "bench-pass-1"})
        token = self.client.post(
            "/api/auth/login", data={"username": email, "password": "bench-pass-1"}
        ).json()["access_token"]
        self.client.headers["Authorization"] = f"Bearer {token}"

    def preview(self, path: Path) -> tuple[float, dict[str, Any]]:
        started = time.perf_counter()
        with path.open("rb") as handle:
            answer = self.client.post(
                "/api/jobs/upload/preview", files={"file": (path.name, handle, "text/csv")}
            )
        answer.raise_for_status()
        return time.perf_counter() - started, answer.json()

    def upload_to_results(self, path: Path) -> dict[str, Any]:
        """Seconds from the start of the upload to the results answer, and the job's stages."""
        started = time.perf_counter()
        with path.open("rb") as handle:
            accepted = self.client.post(
                "/api/jobs/upload",
                files={"file": (path.name, handle, "text/csv")},
                data={"mapping": json.dumps(MAPPING)},
            )
        accepted.raise_for_status()
        job_id = accepted.json()["job_id"]
        uploaded = time.perf_counter() - started
        while True:
            status = self.client.get(f"/api/jobs/status/{job_id}").json()
            if status["state"] in ("succeeded", "failed"):
                break
            time.sleep(POLL_SECONDS)
        if status["state"] != "succeeded":
            raise RuntimeError(status["error"])
        results = self.client.get(f"/api/jobs/results/{job_id}")
        results.raise_for_status()
        total = time.perf_counter() - started
        job_seconds = _parse(status["finished_at"]) - _parse(status["started_at"])
        return {
            "seconds": total,
            "upload_seconds": uploaded,
            "job_seconds": job_seconds,
            "rows_read": results.json()["rows"]["rows_read"],
        }

    def wait_warm(self) -> float:
        """Seconds until `/health` says the Spark Connect server is warm (bounded)."""
        started = time.perf_counter()
        deadline = time.monotonic() + WARM_WAIT_SECONDS
        while time.monotonic() < deadline:
            if self.client.get("/health").json()["data"]["spark_connect"]["warm"]:
                return time.perf_counter() - started
            time.sleep(POLL_SECONDS)
        raise RuntimeError(f"the server was not warm within {WARM_WAIT_SECONDS} s")

    def refresh_unchanged(self) -> dict[str, Any]:
        """POST /admin/refresh-data (no force) until its job ends: seconds, outcome, any JVM."""
        key = self.admin_key_file.read_text().strip()
        headers = {"X-API-Key": key}
        with JvmWatch(self.process.pid) as watch:
            started = time.perf_counter()
            answer = self.client.post("/admin/refresh-data", headers=headers)
            answer.raise_for_status()
            job_id = answer.json()["data"]["job_id"]
            while True:
                job = self.client.get(f"/admin/jobs/{job_id}", headers=headers).json()["data"]
                if job["state"] not in ("queued", "running"):
                    break
                time.sleep(0.05)
            seconds = time.perf_counter() - started
        return {"seconds": seconds, "state": job["state"], "jvm": watch.seen}

    def close(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(60)


class JvmWatch:
    """Notes any `java` process that starts under `pid` while it is open (polled every 10 ms; a
    JVM lives for seconds, so one that starts is seen). JVMs already running (the API's Spark
    Connect server) are not counted."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.seen = False
        self._before = self._jvms()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _jvms(self) -> set[int]:
        with contextlib.suppress(psutil.Error):
            children = psutil.Process(self.pid).children(recursive=True)
            return {c.pid for c in children if _is_java(c)}
        return set()

    def _poll(self) -> None:
        while not self._stop.wait(0.01):
            self.seen |= bool(self._jvms() - self._before)

    def __enter__(self) -> JvmWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _is_java(process: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        return process.name() == "java"
    return False


def retail_snapshot(work: Path) -> Path:
    """A small generated retailer input and its snapshot, for the unchanged-input refresh."""
    retail = work / "retail"
    c360 = [sys.executable, "-m", "c360_cli"]
    subprocess.run([*c360, "generate", "--customers", "1000", "--seed", "7", "--out",
                    str(retail / "data")], check=True, capture_output=True)  # fmt: skip
    subprocess.run([*c360, "pipeline", "--input", str(retail / "data"), "--warehouse",
                    str(retail / "warehouse")], check=True, capture_output=True)  # fmt: skip
    return retail


def pipeline_unchanged(retail: Path) -> dict[str, Any]:
    """`c360 pipeline` on its unchanged input, as a terminal runs it: seconds and any JVM."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "c360_cli",
            "pipeline",
            "--input",
            str(retail / "data"),
            "--warehouse",
            str(retail / "warehouse"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with JvmWatch(process.pid) as watch:
        code = process.wait()
    return {"seconds": time.perf_counter() - started, "code": code, "jvm": watch.seen}


def _parse(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return median([run[key] for run in runs])


def _runs(runs: list[dict[str, Any]], digits: int) -> str:
    return ", ".join(f"{run['seconds']:.{digits}f}" for run in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--warm-repeat", type=int, default=3)
    parser.add_argument("--preview-mb", type=int, default=100)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    work = WORK / f"uploads-{int(time.time())}"
    files = {n: sales_file(n, WORK / f"sales_{n}.csv") for n in args.rows}
    preview_rows = args.preview_mb * 1024 * 1024 // 48
    preview_file = sales_file(preview_rows, WORK / f"sales_{preview_rows}.csv")
    retail = retail_snapshot(work)
    lines = [
        f"Machine: {machine()}. Load average (1 / 5 / 15 min) after each figure; on 2 cores, a "
        "load above 2 means other work was running beside the benchmark. Medians of the runs "
        "listed.",
        "",
    ]
    refresh = [pipeline_unchanged(retail) for _ in range(args.warm_repeat)]
    lines.append(
        f"- `c360 pipeline` on an unchanged input (skipped): **{_median(refresh, 'seconds'):.2f} s** "
        f"(runs {_runs(refresh, 2)}; exit codes "
        f"{sorted({r['code'] for r in refresh})}; JVM started: {any(r['jvm'] for r in refresh)}); "
        f"load {load()}"
    )
    api = Api(work, retail)
    try:
        smallest = min(args.rows)
        cold = api.upload_to_results(files[smallest])
        lines.append(
            f"- cold ({smallest:,} rows, Spark Connect server not started yet): "
            f"**{cold['seconds']:.1f} s** upload to results (job {cold['job_seconds']:.1f} s); "
            f"load {load()}"
        )
        warming = api.wait_warm()
        lines.append(
            f"- the server warm (the API's warm-ups after the cold upload): {warming:.1f} s later"
        )
        for rows in args.rows:
            runs = [
                api.upload_to_results(files[rows])
                for _ in range(args.warm_repeat if rows == smallest else 1)
            ]
            lines.append(
                f"- warm, {runs[0]['rows_read']:,} rows ({files[rows].stat().st_size / 2**20:.1f} "
                f"MiB): **{_median(runs, 'seconds'):.1f} s** upload to results (upload "
                f"{_median(runs, 'upload_seconds'):.1f} s, job {_median(runs, 'job_seconds'):.1f} "
                f"s; runs {_runs(runs, 1)}); load {load()}"
            )
        previews = []
        for _ in range(args.warm_repeat):
            seconds, preview = api.preview(preview_file)
            previews.append({"seconds": seconds})
        lines.append(
            f"- preview of {preview_file.stat().st_size / 2**20:.0f} MiB ({preview['row_count']:,} "
            f"rows): **{_median(previews, 'seconds'):.2f} s** (runs "
            f"{_runs(previews, 2)}); load {load()}"
        )
        api_refresh = [api.refresh_unchanged() for _ in range(args.warm_repeat)]
        lines.append(
            f"- POST /admin/refresh-data on the unchanged input, to its job's end: "
            f"**{_median(api_refresh, 'seconds'):.2f} s** (states "
            f"{sorted({r['state'] for r in api_refresh})}; JVM started: "
            f"{any(r['jvm'] for r in api_refresh)}); load {load()}"
        )
    finally:
        api.close()
    section = "## Uploads (`make bench-uploads`)\n\n" + "\n".join(lines) + "\n"
    print(section)
    write_section("uploads", section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
