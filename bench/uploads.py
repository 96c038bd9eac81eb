"""Upload benchmark (`make bench-uploads`): `c360 serve` on loopback with its supervised Spark
Connect server, driven over HTTP as the README's curl flow does: register, preview, upload, poll
the status, fetch the results. Writes the "uploads" section of docs/benchmarks.md.

- cold: the first upload of a fresh API, the Spark Connect server not yet started (its start is
  in the figure);
- warm: later uploads to the same API (the server and its JVM are up);
- preview: POST /api/jobs/upload/preview of a large file.

Files are sales exports written by a vectorised generator (day-first dates, decimal commas,
returns and a share of duplicates, as `tests/upload_data.py` but at any size). Not a test: run by
hand, `python -m bench.uploads --rows 10000 1000000 --preview-mb 100`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench.report import WORK, machine, write_section
from tests.upload_data import MAPPING

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

    def __init__(self, work: Path) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "C360_STATE_DIR": str(work / "state"),
            "C360_WAREHOUSE": str(work / "warehouse"),
            "C360_SPARK_CONNECT_PORT": str(_free_port()),
            "C360_LOG_LEVEL": "WARNING",
            "SPARK_LOCAL_IP": "127.0.0.1",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "c360_cli", "serve", "--port", str(self.port)],
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

    def close(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(60)


def _parse(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--warm-repeat", type=int, default=2)
    parser.add_argument("--preview-mb", type=int, default=100)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    work = WORK / f"uploads-{int(time.time())}"
    files = {n: sales_file(n, WORK / f"sales_{n}.csv") for n in args.rows}
    preview_rows = args.preview_mb * 1024 * 1024 // 48
    preview_file = sales_file(preview_rows, WORK / f"sales_{preview_rows}.csv")
    lines = [f"Machine: {machine()}.", ""]
    api = Api(work)
    try:
        smallest = min(args.rows)
        cold = api.upload_to_results(files[smallest])
        lines.append(
            f"- cold ({smallest:,} rows, Spark Connect server not started yet): "
            f"**{cold['seconds']:.1f} s** upload to results (job {cold['job_seconds']:.1f} s); "
            f"load {load()}"
        )
        for rows in args.rows:
            for _ in range(args.warm_repeat if rows == smallest else 1):
                warm = api.upload_to_results(files[rows])
                lines.append(
                    f"- warm, {warm['rows_read']:,} rows ({files[rows].stat().st_size / 2**20:.1f} "
                    f"MiB): **{warm['seconds']:.1f} s** upload to results (upload "
                    f"{warm['upload_seconds']:.1f} s, job {warm['job_seconds']:.1f} s); "
                    f"load {load()}"
                )
        seconds, preview = api.preview(preview_file)
        lines.append(
            f"- preview of {preview_file.stat().st_size / 2**20:.0f} MiB ({preview['row_count']:,} "
            f"rows): **{seconds:.2f} s**; load {load()}"
        )
    finally:
        api.close()
    section = "## Uploads (`make bench-uploads`)\n\n" + "\n".join(lines) + "\n"
    print(section)
    write_section("uploads", section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
