"""API load benchmark (`make bench-api`): `c360 serve` (one uvicorn worker) on loopback over each
warehouse, loaded by `wrk` from a second process, and the table written into docs/benchmarks.md.

Not a test: run by hand. `python -m bench.api_load --warehouses bench/.work/warehouse_100000 ...`.
Every scenario is bounded in time and in request count and talks only to 127.0.0.1. The source
warehouses are never written: each size gets its own warehouse whose snapshots are hard links of
the source's Parquet, so publishing copies for the switch scenario costs no disk.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from bench.report import ROOT, WORK, PeakTreeMemory, machine, median, write_section
from c360_api.catalog.registry import CATALOG
from c360_contract.catalog import Metric
from c360_contract.vocabulary import LOYALTY_TIERS, NO_LOYALTY_TIER


def default_path(metric: Metric) -> str:
    """The metric at its defaults; a required parameter gets its first allowed value."""
    required = [
        f"{p.name}={p.choices[0]}" for p in metric.params if p.required and p.choices is not None
    ]
    return metric.path + ("?" + "&".join(required) if required else "")


# Every catalogue metric at its defaults: a new metric is benchmarked without touching this file.
CACHED_PATHS: tuple[str, ...] = tuple(default_path(m) for m in CATALOG)
PROFILE_FILTERS: dict[str, tuple[str, ...]] = {
    "customer_status": ("Active", "At Risk", "Churned", "New", "Prospect"),
    "segment": ("Premium", "Standard", "Basic"),
    "loyalty_tier": (*LOYALTY_TIERS, NO_LOYALTY_TIER),
    "generation": ("Gen Z", "Millennials", "Gen X", "Baby Boomers"),
    "state": ("CA", "TX", "NY", "FL", "WA"),
}
PROFILE_SORTS = (
    "total_spent_desc",
    "customer_health_score_desc",
    "churn_risk_score",
    "customer_id",
    "last_order_date_desc",
    "recency_days",
    "predicted_clv_12m_desc",
    "signup_date_desc",  # the data key has no pii scope, which sorting by customer_name needs
)

# wrk script: cycles through a file of paths (one per line) with one API key; stops its thread
# after a request budget; prints the summary as one JSON line. Non-2xx answers count as errors.
WRK_SCRIPT = r"""
local paths, budget, seen, i = {}, 0, 0, 0
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  if args[2] ~= "" then wrk.headers["X-API-Key"] = args[2] end
  budget = tonumber(args[3])
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i - 1) % #paths + 1])
end
function response(status, headers, body)
  seen = seen + 1
  if seen >= budget then wrk.thread:stop() end
end
function done(s, latency, requests)
  local e = s.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%f,"p50_ms":%f,"p99_ms":%f,"non_2xx":%d,"socket_errors":%d}\n',
    s.requests, s.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Load:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    failed: int  # non-2xx answers plus socket errors


def median_load(runs: list[Load]) -> Load:
    """Rounds of one scenario as one figure: medians of the rates and percentiles, sums of the
    counts. The machine drifts between rounds; a median keeps one slow round from deciding."""
    return Load(
        sum(r.requests for r in runs),
        median([r.rps for r in runs]),
        median([r.p50_ms for r in runs]),
        median([r.p99_ms for r in runs]),
        sum(r.failed for r in runs),
    )


@dataclass
class Scenario:
    name: str
    loaded: Load  # at --connections
    alone: Load  # one connection: service latency without queueing
    # Cached routes: the median over rounds of req/s loaded / the bare route's req/s loaded just
    # before it. The machine's speed drifts by a quarter over minutes, so only a bare run taken
    # beside the route says what share of the bare route's throughput the route keeps.
    share_of_bare: float | None = None


@dataclass
class SizeResult:
    customers: int
    start_seconds: float
    open_seconds: list[float]
    peak_rss_mib: float
    scenarios: list[Scenario]
    switch: Load
    switches: int
    cache_hits_uncached: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _link_snapshot(source: Path, dest: Path, snapshot_id: str) -> None:
    """Hard-link a snapshot's tables (not quarantine) under a new id, with its own manifest."""
    shutil.copytree(
        source, dest, copy_function=os.link, ignore=shutil.ignore_patterns("quarantine")
    )
    manifest = json.loads((source / "manifest.json").read_text())
    manifest.update(
        snapshot_id=snapshot_id, finished_at=datetime.now(UTC).isoformat().replace("+00:00", "Z")
    )
    (dest / "manifest.json").unlink()  # a link to the source's file: replace, never write through
    (dest / "manifest.json").write_text(json.dumps(manifest))


def _publish_copy(warehouse: Path) -> str:
    """What the pipeline's publish does: stage a snapshot, rename it in, switch CURRENT atomically."""
    current = (warehouse / "CURRENT").read_text().strip()
    new_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(4)
    staging = warehouse / ".staging" / new_id
    _link_snapshot(warehouse / "snapshots" / current, staging, new_id)
    os.rename(staging, warehouse / "snapshots" / new_id)
    tmp = warehouse / f".CURRENT.{new_id}"
    tmp.write_text(new_id + "\n")
    os.replace(tmp, warehouse / "CURRENT")
    return new_id


def bench_warehouse(source: Path, work: Path) -> Path:
    shutil.rmtree(work, ignore_errors=True)
    snapshot_id = (source / "CURRENT").read_text().strip()
    warehouse = work / "warehouse"
    _link_snapshot(
        source / "snapshots" / snapshot_id, warehouse / "snapshots" / snapshot_id, snapshot_id
    )
    (warehouse / "CURRENT").write_text(snapshot_id + "\n")
    return warehouse


def http_get(port: int, path: str, key: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"X-API-Key": key} if key else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Server:
    """`c360 serve` in its own process, stopped (SIGTERM, then SIGKILL) when the block ends."""

    def __init__(self, warehouse: Path, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self._log = log.open("ab")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "c360_cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--warehouse",
                str(warehouse),
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )

    def wait_healthy(self, timeout: float = 120.0) -> float:
        """Seconds from spawn to the first 200 on /health."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}; see {self._log.name}")
            try:
                if http_get(self.port, "/health")[0] == 200:
                    return time.perf_counter() - self.started
            except OSError:
                pass
            time.sleep(0.005)
        raise SystemExit("server did not become healthy in time")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def wait_loaded(port: int, timeout: float = 600.0) -> float:
    """Seconds until `/health` says the snapshot is in memory: measure nothing before, as users
    are told to (README)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if json.loads(http_get(port, "/health")[1])["data"]["loaded"]:
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit("the snapshot was not loaded into memory in time")


def _wrk(
    port: int, paths: list[str], key: str, connections: int, seconds: float, budget: int
) -> Load:
    """Load from a second process: `wrk` with one thread, `connections` keep-alive connections."""
    script = WORK / "api_load.lua"
    script.write_text(WRK_SCRIPT)
    paths_file = WORK / "api_paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
            "--",
            str(paths_file),
            key,
            str(budget),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith('{"requests"'))
    r = json.loads(line)
    return Load(
        r["requests"],
        r["requests"] / r["seconds"],
        r["p50_ms"],
        r["p99_ms"],
        r["non_2xx"] + r["socket_errors"],
    )


def _ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
        return
    raise SystemExit("wrk is needed: apt-get install wrk")


def _profile_paths(count: int, rng: random.Random) -> list[str]:
    """Distinct profile queries: 0-2 filters, a sort, a page size and an offset each."""
    seen: set[str] = set()
    while len(seen) < count:
        params = [
            f"{name}={value.replace(' ', '%20')}"
            for name in rng.sample(sorted(PROFILE_FILTERS), rng.randint(0, 2))
            for value in rng.sample(PROFILE_FILTERS[name], rng.randint(1, 2))
        ]
        params += [
            f"sort={rng.choice(PROFILE_SORTS)}",
            f"limit={rng.choice((20, 50, 100))}",
            f"offset={rng.randrange(0, 5001)}",
        ]
        seen.add("/analytics/customer-profiles?" + "&".join(params))
    paths = sorted(seen)
    rng.shuffle(paths)
    return paths


def _customer_paths(snapshot: Path, count: int) -> list[str]:
    ids = (
        duckdb.connect()
        .execute(
            f"SELECT customer_id FROM read_parquet('{snapshot}/customer_profile/*.parquet') "
            f"USING SAMPLE reservoir({count} ROWS) REPEATABLE (7)"
        )
        .fetchall()
    )
    return [f"/customers/{row[0]}" for row in ids]


def _cache_hits(port: int, admin_key: str) -> int:
    status, body = http_get(port, "/admin/metrics", admin_key)
    assert status == 200, body
    hits: int = json.loads(body)["data"]["cache_hits"]
    return hits


def _switch_under_load(
    server: Server, warehouse: Path, paths: list[str], key: str, args: argparse.Namespace
) -> tuple[Load, int]:
    """Load a mix of routes while snapshots are published; every answer must still be 2xx."""
    result: list[Load] = []
    seconds = args.switch_seconds
    loader = threading.Thread(
        target=lambda: result.append(
            _wrk(server.port, paths, key, args.connections, seconds, args.max_requests)
        )
    )
    loader.start()
    switched = 0
    for _ in range(args.switches):
        time.sleep(seconds / (args.switches + 1))
        new_id = _publish_copy(warehouse)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if json.loads(http_get(server.port, "/health")[1])["snapshot_id"] == new_id:
                switched += 1
                break
            time.sleep(0.05)
    loader.join()
    return result[0], switched


def _measure(source: Path, args: argparse.Namespace) -> SizeResult:
    snapshot_dir = source / "snapshots" / (source / "CURRENT").read_text().strip()
    manifest = json.loads((snapshot_dir / "manifest.json").read_text())
    customers = int(manifest["tables"]["customer_profile"]["rows"])
    work = WORK / f"api_{customers}"
    warehouse = bench_warehouse(source, work)
    data_key, admin_key = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    keys = [
        {
            "key_id": "bench-data",
            "key_sha256": hashlib.sha256(data_key.encode()).hexdigest(),
            "scopes": ["marketing", "product", "finance", "customer_success"],
        },
        {
            "key_id": "bench-admin",
            "key_sha256": hashlib.sha256(admin_key.encode()).hexdigest(),
            "scopes": ["admin"],
        },
    ]
    env = {
        "C360_API_KEYS": json.dumps(keys),
        "C360_RATE_LIMIT_PER_MINUTE": "100000000",  # the limiter still runs; it just never refuses
        "C360_LOG_LEVEL": "INFO",
        **dict(kv.split("=", 1) for kv in args.env),
    }
    log = work / "server.log"
    starts = []
    for _ in range(args.starts):
        server = Server(warehouse, env, work / "starts.log")
        starts.append(server.wait_healthy())
        server.stop()
    rng = random.Random(7)
    profiles = _profile_paths(args.max_requests // 10, rng)
    lookups = _customer_paths(snapshot_dir, min(args.max_requests // 10, customers))
    scenarios_paths: list[tuple[str, list[str], str]] = [
        ("GET /ping (bare route)", ["/ping"], ""),
        *((f"GET {p}", [p], data_key) for p in CACHED_PATHS),
        ("GET /analytics/customer-profiles (uncached, distinct)", profiles, data_key),
        ("GET /customers/{id} (distinct ids)", lookups, data_key),
    ]
    server = Server(warehouse, env, log)
    server.wait_healthy()
    wait_loaded(server.port)
    opened = [
        float(json.loads(x)["seconds"])
        for x in log.read_text().splitlines()
        if '"snapshot_opened"' in x or '"snapshot_loaded"' in x
    ]
    try:
        with PeakTreeMemory(server.proc.pid) as mem:
            for path in CACHED_PATHS:  # fill the cache once, so the cached scenarios only hit
                assert http_get(server.port, path, data_key)[0] == 200
            runs: dict[str, list[tuple[Load, Load]]] = {name: [] for name, _, _ in scenarios_paths}
            shares: dict[str, list[float]] = {name: [] for name, _, _ in scenarios_paths}
            uncached_hits = 0
            for round_ in range(args.rounds):
                for name, paths, key in scenarios_paths:
                    distinct = len(paths) > 1
                    # A round of its own share of the distinct paths; alone and loaded walk it
                    # from opposite ends, so no URL repeats and the cache never hits.
                    share = paths[round_ :: args.rounds] if distinct else paths
                    hits = _cache_hits(server.port, admin_key)
                    alone = _wrk(server.port, share, key, 1, args.duration / 2, args.max_requests)
                    bare = None
                    if paths[0] in CACHED_PATHS:  # right before the route's own loaded run
                        bare = _wrk(
                            server.port,
                            ["/ping"],
                            "",
                            args.connections,
                            args.duration,
                            args.max_requests,
                        )
                    loaded = _wrk(
                        server.port,
                        share[::-1],
                        key,
                        args.connections,
                        args.duration,
                        args.max_requests,
                    )
                    if distinct:
                        uncached_hits += _cache_hits(server.port, admin_key) - hits
                    runs[name].append((loaded, alone))
                    if bare is not None:
                        shares[name].append(loaded.rps / bare.rps)
                    print(
                        json.dumps(
                            {
                                "customers": customers,
                                "round": round_ + 1,
                                "scenario": name,
                                "loaded": vars(loaded),
                                "alone": vars(alone),
                                "bare_rps": bare.rps if bare else None,
                            }
                        ),
                        flush=True,
                    )
            scenarios = [
                Scenario(
                    name,
                    median_load([loaded for loaded, _ in pairs]),
                    median_load([alone for _, alone in pairs]),
                    median(shares[name]) if shares[name] else None,
                )
                for name, pairs in runs.items()
            ]
            mix = [*CACHED_PATHS, *profiles[-2000:], *lookups[-2000:]]
            random.Random(11).shuffle(mix)
            switch, switched = _switch_under_load(server, warehouse, mix, data_key, args)
    finally:
        server.stop()
    shutil.rmtree(warehouse, ignore_errors=True)
    return SizeResult(
        customers,
        median(starts),
        opened,
        mem.peak_bytes / 2**20,
        scenarios,
        switch,
        switched,
        uncached_hits,
    )


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def _share(s: Scenario, bare: Load) -> float:
    """The paired share of bare; results saved before pairing divide by the one bare run."""
    return s.share_of_bare if s.share_of_bare is not None else s.loaded.rps / bare.rps


def _targets(r: SizeResult, is_largest: bool) -> list[str]:
    cached = [s for s in r.scenarios if s.name.split()[1] in CACHED_PATHS]
    worst_ratio = min(_share(s, r.scenarios[0].loaded) for s in cached)
    worst_p99 = max(s.loaded.p99_ms for s in cached)
    profiles, lookups = r.scenarios[-2], r.scenarios[-1]
    lines = [
        f"- cached endpoints >= 70% of the bare route's req/s with p99 < 10 ms: slowest keeps "
        f"{worst_ratio:.0%} of bare (paired), worst p99 {worst_p99:.1f} ms — "
        f"{_verdict(worst_ratio >= 0.7 and worst_p99 < 10)}",
        f"- customer lookup p50 < 10 ms: {lookups.alone.p50_ms:.1f} ms alone, "
        f"{lookups.loaded.p50_ms:.1f} ms under load — {_verdict(lookups.alone.p50_ms < 10)}",
        f"- API start < 3 s: {r.start_seconds:.2f} s — {_verdict(r.start_seconds < 3)}",
        f"- zero failed requests during {r.switches} snapshot switches: {r.switch.failed} failed of "
        f"{r.switch.requests:,} — {_verdict(r.switch.failed == 0 and r.switches > 0)}",
    ]
    if is_largest:
        lines.insert(
            1,
            f"- uncached profile queries p50 < 25 ms: {profiles.alone.p50_ms:.1f} ms "
            f"alone, {profiles.loaded.p50_ms:.1f} ms under load — "
            f"{_verdict(profiles.alone.p50_ms < 25)}",
        )
    return lines


def _cell(value: float, before: float | None, digits: int) -> str:
    now = f"{value:,.{digits}f}"
    return now if before is None else f"{before:,.{digits}f} → {now}"


def _render(
    results: list[SizeResult],
    baseline: dict[int, SizeResult],
    args: argparse.Namespace,
    load_tool: str,
) -> str:
    lines = [
        "## API load (`make bench-api`)",
        "",
        f"Machine: {machine()}. `c360 serve` (uvicorn, one worker) on 127.0.0.1; load from a second "
        f"process with {load_tool}: one thread, {args.connections} keep-alive connections for "
        f'{args.duration:g} s ("loaded": throughput and latency under queueing) and one connection '
        f'for {args.duration / 2:g} s ("alone": service latency), each capped at '
        f"{args.max_requests:,} requests, in {args.rounds} rounds over every scenario in turn; "
        "each cell is the median of the rounds (requests and failures are their sums). Each "
        "cached route's loaded run follows a loaded run of the bare route: its share of bare is "
        "the median over rounds of the two req/s' ratio, because the machine's speed drifts by "
        "up to a quarter within minutes, more than any route differs from another. One data key "
        "(all four data scopes, rate limit raised so it never refuses but still runs), access log "
        "at INFO. Cached scenarios repeat one URL "
        "(the cache was filled first); the profile scenario cycles through distinct filter / sort / "
        "page-size / offset combinations (0-2 filters, offsets 0-5000) and the customer scenario "
        "through distinct sampled ids, so the cache never hits (hits counted from /admin/metrics). "
        "Start = spawn to first 200 on /health, median of "
        f"{args.starts}. Switch = the same load for {args.switch_seconds:g} s over a mix of all "
        f"routes while {args.switches} snapshots (hard-linked copies) are published and CURRENT "
        "renamed atomically.",
    ]
    if baseline:
        lines += [
            "",
            f"Cells read `before → after` (before: {args.baseline_label}).",
        ]
    for r in results:
        b = baseline.get(r.customers)
        by_name = {s.name: s for s in b.scenarios} if b else {}
        lines += [
            "",
            f"### {r.customers:,} customers",
            "",
            f"Start {_cell(r.start_seconds, b.start_seconds if b else None, 2)} s; snapshot "
            f"open/load seconds logged: {', '.join(f'{x:.2f}' for x in r.open_seconds)}; peak "
            f"server RSS {r.peak_rss_mib:,.0f} MiB; cache hits in the uncached scenarios: "
            f"{r.cache_hits_uncached}.",
            "",
            "| scenario | req/s loaded | share of bare | p50 ms loaded | p99 ms loaded | "
            "p50 ms alone | p99 ms alone | failed |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for s in r.scenarios:
            o = by_name.get(s.name)
            share = f"{s.share_of_bare:.0%}" if s.share_of_bare is not None else ""
            lines.append(
                f"| {s.name} | {_cell(s.loaded.rps, o.loaded.rps if o else None, 0)} | {share} | "
                f"{_cell(s.loaded.p50_ms, o.loaded.p50_ms if o else None, 1)} | "
                f"{_cell(s.loaded.p99_ms, o.loaded.p99_ms if o else None, 1)} | "
                f"{_cell(s.alone.p50_ms, o.alone.p50_ms if o else None, 1)} | "
                f"{_cell(s.alone.p99_ms, o.alone.p99_ms if o else None, 1)} | "
                f"{s.loaded.failed + s.alone.failed} |"
            )
        sw = r.switch
        lines += [
            "",
            f"Switch under load: {r.switches} switches, {sw.requests:,} requests, {sw.rps:,.0f} "
            f"req/s, p50 {sw.p50_ms:.1f} ms, p99 {sw.p99_ms:.1f} ms, failed (non-2xx + socket "
            f"errors) {sw.failed}.",
            "",
            "Targets:",
            "",
            *_targets(r, r is results[-1]),
        ]
    return "\n".join(lines)


def _load_results(path: Path) -> dict[int, SizeResult]:
    out = {}
    for raw in json.loads(path.read_text()):
        raw["scenarios"] = [
            Scenario(s["name"], Load(**s["loaded"]), Load(**s["alone"]), s.get("share_of_bare"))
            for s in raw["scenarios"]
        ]
        raw["switch"] = Load(**raw["switch"])
        out[raw["customers"]] = SizeResult(**raw)
    return out


def _ready(warehouses: list[Path]) -> list[Path]:
    _ensure_wrk()
    ready = [w for w in warehouses if (w / "CURRENT").exists()]
    if not ready:
        raise SystemExit("no warehouse with a CURRENT file among --warehouses")
    WORK.mkdir(parents=True, exist_ok=True)
    return ready


def _wrk_version() -> str:
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    return " ".join(out.split()[:2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--warehouses",
        type=Path,
        nargs="+",
        default=[WORK / "warehouse_100000", WORK / "warehouse_1000000"],
        help="Warehouses to serve; those without a CURRENT file are skipped.",
    )
    parser.add_argument(
        "--duration", type=float, default=2.0, help="Seconds per loaded scenario and round."
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="Rounds over all scenarios; cells are medians."
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--switches", type=int, default=3)
    parser.add_argument(
        "--switch-seconds", type=float, default=15.0, help="Seconds of load across the switches."
    )
    parser.add_argument("--env", nargs="*", default=[], help="Extra NAME=VALUE for the server.")
    parser.add_argument("--save", type=Path, help="Write the raw results as JSON here.")
    parser.add_argument("--baseline", type=Path, help="Raw results of an earlier run to compare.")
    parser.add_argument(
        "--baseline-label", default="an earlier run", help="What the baseline measured."
    )
    parser.add_argument(
        "--results", type=Path, help="Render these saved raw results instead of measuring."
    )
    parser.add_argument("--no-doc", action="store_true", help="Do not write docs/benchmarks.md.")
    parser.add_argument("--notes", default="", help="Free text appended under the tables.")
    args = parser.parse_args()
    if args.results:
        results = list(_load_results(args.results).values())
    else:
        results = [_measure(w, args) for w in _ready(args.warehouses)]
    if args.save:
        args.save.write_text(
            json.dumps(
                [
                    {
                        **vars(r),
                        "scenarios": [
                            {
                                "name": s.name,
                                "loaded": vars(s.loaded),
                                "alone": vars(s.alone),
                                "share_of_bare": s.share_of_bare,
                            }
                            for s in r.scenarios
                        ],
                        "switch": vars(r.switch),
                    }
                    for r in results
                ],
                indent=1,
            )
        )
    baseline = _load_results(args.baseline) if args.baseline else {}
    body = _render(results, baseline, args, f"`{_wrk_version()}`")
    if args.notes:
        body += "\n\n" + args.notes
    print(body)
    if not args.no_doc:
        write_section("api", body)


if __name__ == "__main__":
    main()
