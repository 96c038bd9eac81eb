"""Pipeline benchmark (`make bench-pipeline`): generate N customers, run `c360 pipeline` as a user
would (a separate process, no flags: default master and the driver memory it sizes from the machine,
`c360_spark_processing.resources.driver_memory`) into a fresh warehouse, record wall seconds per
stage, rows per second and peak memory of the whole process tree (Python driver + JVM), and write
the table into docs/benchmarks.md.

Not a test: run by hand. `python -m bench.pipeline --sizes 10000 100000 1000000 --repeat 1`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.report import WORK, PeakTreeMemory, machine, median, write_section
from c360_contract.progress import STAGES


@dataclass
class Run:
    customers: int
    generate_seconds: float
    wall_seconds: float
    peak_gib: float
    peak_gib_by_role: dict[str, float]
    rows_read: int
    stages: dict[str, float]


def generate(customers: int, seed: int) -> tuple[Path, float]:
    out = WORK / f"data_{customers}"
    if (out / "_truth" / "bench.json").exists():
        return out, float(json.loads((out / "_truth" / "bench.json").read_text())["seconds"])
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "c360_cli",
            "generate",
            "--customers",
            str(customers),
            "--seed",
            str(seed),
            "--out",
            str(out),
        ],
        check=True,
    )
    seconds = time.perf_counter() - started
    (out / "_truth" / "bench.json").write_text(json.dumps({"seconds": seconds}))
    return out, seconds


def _run_pipeline(data: Path, customers: int) -> tuple[float, PeakTreeMemory, dict[str, object]]:
    warehouse = WORK / f"warehouse_{customers}"
    shutil.rmtree(warehouse, ignore_errors=True)  # a first run, so no --force is needed
    cmd = [
        sys.executable,
        "-m",
        "c360_cli",
        "pipeline",
        "--input",
        str(data),
        "--warehouse",
        str(warehouse),
    ]
    started = time.perf_counter()
    with (
        subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True) as proc,
        PeakTreeMemory(proc.pid) as mem,
    ):
        _, stderr = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(stderr[-5000:])
        raise SystemExit(f"pipeline failed for {customers} customers")
    snapshot = (warehouse / "CURRENT").read_text().strip()
    manifest: dict[str, object] = json.loads(
        (warehouse / "snapshots" / snapshot / "manifest.json").read_text()
    )
    return wall, mem, manifest


def _render(runs: list[Run], repeat: int, manifest: dict[str, object]) -> str:
    lines = [
        "## Pipeline (`make bench-pipeline`)",
        "",
        f"Machine: {machine()}. `c360 pipeline --input DIR --warehouse DIR` without flags, as a "
        f"user runs it: master `{manifest['master']}`, driver memory {manifest['driver_memory']} "
        "(sized from this machine's RAM by default), into a fresh warehouse; "
        f"median of {repeat} run(s) per size. Wall time is the whole `c360 pipeline` process "
        "(JVM start included); stage seconds come from the manifest; peak memory is the summed RSS "
        "of the process tree (Python + JVM), each address space counted once, sampled every "
        "0.2 s.",
        "",
        "| customers | rows read | generate s | pipeline wall s | rows/s | peak GiB | "
        + " | ".join(f"{s} s" for s in STAGES)
        + " |",
        "|---:|---:|---:|---:|---:|---:|" + "---:|" * len(STAGES),
    ]
    for r in runs:
        stage_cells = " | ".join(f"{r.stages.get(s, 0.0):.1f}" for s in STAGES)
        lines.append(
            f"| {r.customers:,} | {r.rows_read:,} | {r.generate_seconds:.1f} | {r.wall_seconds:.1f} | "
            f"{r.rows_read / r.wall_seconds:,.0f} | {r.peak_gib:.2f} | {stage_cells} |"
        )
    lines += ["", "Peak RSS of each process role, each its own maximum (GiB):", ""]
    for r in runs:
        roles = ", ".join(f"{role} {gib:.2f}" for role, gib in sorted(r.peak_gib_by_role.items()))
        lines.append(f"- {r.customers:,} customers: {roles}")
    if len(runs) > 1:
        base = runs[0]
        lines += ["", "Scaling against the smallest size (1.0 = linear in rows read):", ""]
        for r in runs[1:]:
            ratio = (r.wall_seconds / base.wall_seconds) / (r.rows_read / base.rows_read)
            lines.append(f"- {r.customers:,} customers: time grew {ratio:.2f}x as fast as rows")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--notes", default="", help="Free text appended under the table.")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    runs = []
    manifest: dict[str, object] = {}
    for customers in args.sizes:
        data, gen_seconds = generate(customers, args.seed)
        results = [_run_pipeline(data, customers) for _ in range(args.repeat)]
        manifest = results[-1][2]
        sources = manifest["sources"]
        assert isinstance(sources, dict)
        stage_runs = [r[2]["stages"] for r in results]
        runs.append(
            Run(
                customers=customers,
                generate_seconds=gen_seconds,
                wall_seconds=median([r[0] for r in results]),
                peak_gib=max(r[1].peak_bytes for r in results) / 2**30,
                peak_gib_by_role={
                    role: max(r[1].peak_by_role.get(role, 0) for r in results) / 2**30
                    for role in {role for r in results for role in r[1].peak_by_role}
                },
                rows_read=sum(int(s["rows_read"]) for s in sources.values()),
                stages={s: median([float(st[s]["seconds"]) for st in stage_runs]) for s in STAGES},  # type: ignore[index]
            )
        )
        print(json.dumps(runs[-1].__dict__), flush=True)
    body = _render(runs, args.repeat, manifest)
    if args.notes:
        body += "\n\n" + args.notes
    write_section("pipeline", body)


if __name__ == "__main__":
    main()
