"""Metric catalogue benchmark (`make bench-catalogue`): every catalogue metric's first (uncached)
JSON and PNG answer at its default parameters, and the cached representations under load.

Not a test: run by hand over a published warehouse (`python -m bench.catalogue WAREHOUSE`). The
metric list is the catalogue itself, so a new metric is benchmarked without touching this file.
"Uncached" is what the first caller after a start gets: each round starts a fresh `c360 serve`
with default settings, waits until the snapshot is in memory (`/health` says `loaded`), then asks
for every metric once as JSON and once as PNG (each representation is computed on its own; the
cache holds rendered bytes). Every request goes to 127.0.0.1 and the run is bounded by the rounds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.api_load import (
    Load,
    Server,
    _ensure_wrk,
    _wrk,
    bench_warehouse,
    default_path,
    http_get,
    wait_loaded,
)
from bench.report import WORK, machine, median, write_section
from c360_api.catalog.registry import CATALOG
from c360_contract.scopes import DATA_SCOPES

JSON_TARGET_MS = 100.0
PNG_TARGET_MS = 250.0
START_TARGET_S = 3.0


@dataclass
class MetricTimes:
    """Milliseconds of each round's first request, per representation, and the statuses seen."""

    json_ms: list[float] = field(default_factory=list)
    png_ms: list[float] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)


def _with_format(path: str, fmt: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}format={fmt}"


def _timed_get(port: int, path: str, key: str) -> tuple[int, float]:
    started = time.perf_counter()
    status, _ = http_get(port, path, key)
    return status, (time.perf_counter() - started) * 1000


def measure(source: Path, rounds: int, seconds: float, connections: int) -> dict[str, object]:
    work = WORK / "catalogue"
    warehouse = bench_warehouse(source, work)
    key = secrets.token_urlsafe(24)
    env = {
        "C360_API_KEYS": json.dumps(
            [
                {
                    "key_id": "bench-data",
                    "key_sha256": hashlib.sha256(key.encode()).hexdigest(),
                    "scopes": sorted(DATA_SCOPES),
                }
            ]
        ),
        # the limiter still runs on every request; it just never refuses the bench
        "C360_RATE_LIMIT_PER_MINUTE": "100000000",
    }
    times = {m.id: MetricTimes() for m in CATALOG}
    starts, loads = [], []
    cached: dict[str, Load] = {}
    for round_ in range(rounds):
        server = Server(warehouse, env, work / "server.log")
        try:
            starts.append(server.wait_healthy())
            loads.append(wait_loaded(server.port))
            for metric in CATALOG:
                path = default_path(metric)
                for fmt, into in (
                    ("json", times[metric.id].json_ms),
                    ("png", times[metric.id].png_ms),
                ):
                    status, ms = _timed_get(server.port, _with_format(path, fmt), key)
                    times[metric.id].statuses.add(status)
                    if status == 200:
                        into.append(ms)
            print(json.dumps({"round": round_ + 1, "start_s": starts[-1]}), flush=True)
            if round_ == rounds - 1:  # the cache now holds every answer: load it
                cached["bare"] = _wrk(server.port, ["/ping"], "", connections, seconds, 10**6)
                for fmt in ("json", "csv", "png", "html", "vega"):
                    paths = [_with_format(default_path(m), fmt) for m in CATALOG]
                    for p in paths:  # fill the representations not asked for yet
                        http_get(server.port, p, key)
                    cached[fmt] = _wrk(server.port, paths, key, connections, seconds, 10**6)
        finally:
            server.stop()
    os.sync()
    return {"times": times, "starts": starts, "loads": loads, "cached": cached}


def render(result: dict[str, object], source: Path, rounds: int, seconds: float) -> str:
    times: dict[str, MetricTimes] = result["times"]  # type: ignore[assignment]
    starts: list[float] = result["starts"]  # type: ignore[assignment]
    loads: list[float] = result["loads"]  # type: ignore[assignment]
    cached: dict[str, Load] = result["cached"]  # type: ignore[assignment]
    manifest = json.loads(
        (
            source / "snapshots" / (source / "CURRENT").read_text().strip() / "manifest.json"
        ).read_text()
    )
    customers = int(manifest["tables"]["customer_profile"]["rows"])
    load = os.getloadavg()
    lines = [
        "## Metric catalogue (`make bench-catalogue`)",
        "",
        f"Machine: {machine()}; load average at the end {load[0]:.2f} / {load[1]:.2f} / "
        f"{load[2]:.2f} (1 / 5 / 15 min). Snapshot of {customers:,} customers, `c360 serve` with "
        f"default settings. {rounds} rounds: a fresh server each, waited until `/health` said "
        "`loaded`, then each metric's first JSON and first PNG request at its default parameters "
        "(the whole snapshot for windowed metrics), timed by the client on loopback. Medians over "
        "the rounds.",
        "",
        f"Start (spawn to first 200 on /health): median {median(starts):.2f} s "
        f"(target < {START_TARGET_S:g} s); snapshot in memory {median(loads):.1f} s later.",
        "",
        f"| metric | path | JSON uncached p50 ms (≤ {JSON_TARGET_MS:g}) | "
        f"PNG uncached p50 ms (≤ {PNG_TARGET_MS:g}) |",
        "|---|---|---:|---:|",
    ]
    missed = []
    for metric in CATALOG:
        t = times[metric.id]
        if not t.json_ms or not t.png_ms:
            lines.append(
                f"| {metric.id} | `{metric.path}` | status {sorted(t.statuses)} | "
                f"status {sorted(t.statuses)} |"
            )
            missed.append(metric.id)
            continue
        j, p = median(t.json_ms), median(t.png_ms)
        if j > JSON_TARGET_MS or p > PNG_TARGET_MS:
            missed.append(metric.id)
        lines.append(
            f"| {metric.id} | `{metric.path}` | {j:,.1f}{'' if j <= JSON_TARGET_MS else ' ✗'} | "
            f"{p:,.1f}{'' if p <= PNG_TARGET_MS else ' ✗'} |"
        )
    bare = cached["bare"]
    lines += [
        "",
        f"Cached, under load (wrk, one thread, keep-alive, {seconds:g} s each; every metric's "
        "path in turn, all already in the cache):",
        "",
        "| representation | req/s | share of bare /ping | p50 ms | p99 ms | failed |",
        "|---|---:|---:|---:|---:|---:|",
        f"| bare `/ping` | {bare.rps:,.0f} | 100% | {bare.p50_ms:.1f} | {bare.p99_ms:.1f} | "
        f"{bare.failed} |",
    ]
    for fmt in ("json", "csv", "png", "html", "vega"):
        c = cached[fmt]
        lines.append(
            f"| {fmt} | {c.rps:,.0f} | {c.rps / bare.rps:.0%} | {c.p50_ms:.1f} | {c.p99_ms:.1f} | "
            f"{c.failed} |"
        )
    worst = min(cached[f].rps for f in cached if f != "bare") / bare.rps
    worst_p99 = max(cached[f].p99_ms for f in cached if f != "bare")
    lines += [
        "",
        "Targets:",
        "",
        f"- every metric uncached JSON p50 ≤ {JSON_TARGET_MS:g} ms and PNG ≤ {PNG_TARGET_MS:g} ms: "
        + ("**met**" if not missed else f"**missed** by {', '.join(missed)}"),
        f"- cached representations ≥ 70% of the bare route's req/s with p99 < 10 ms: worst "
        f"{worst:.0%}, p99 {worst_p99:.1f} ms — "
        + ("**met**" if worst >= 0.7 and worst_p99 < 10 else "**missed**"),
        f"- API start < {START_TARGET_S:g} s: {median(starts):.2f} s — "
        + ("**met**" if median(starts) < START_TARGET_S else "**missed**"),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("warehouse", type=Path, help="A published warehouse (holds CURRENT).")
    parser.add_argument("--rounds", type=int, default=5, help="Fresh server starts.")
    parser.add_argument("--seconds", type=float, default=5.0, help="Seconds per cached load.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--no-doc", action="store_true", help="Do not write docs/benchmarks.md.")
    args = parser.parse_args()
    _ensure_wrk()
    result = measure(args.warehouse, args.rounds, args.seconds, args.connections)
    body = render(result, args.warehouse, args.rounds, args.seconds)
    print(body)
    if not args.no_doc:
        write_section("catalogue", body)


if __name__ == "__main__":
    main()
