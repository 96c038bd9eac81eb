"""`c360 generate`: write the mock source-system exports."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from c360_contract.database import DatabaseUrl, is_database_url
from c360_mock_data.config import GeneratorConfig, GeneratorConfigError
from c360_mock_data.database import load_exports
from c360_mock_data.generator import generate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = GeneratorConfig(customers=1, seed=0, out=Path("."))
    parser.add_argument("--customers", type=int, required=True, help="Number of persons.")
    parser.add_argument("--seed", type=int, default=42, help="Random seed (same seed, same bytes).")
    parser.add_argument(
        "--out",
        required=True,
        help="Output directory, or a postgresql://user[:password]@host[:port]/db URL: the "
        "sources then go into that database's tables (existing ones replaced).",
    )
    parser.add_argument(
        "--dirty-rate",
        type=float,
        default=defaults.dirty_rate,
        help="Share of rows per source given a data-quality defect (0 = clean).",
    )
    parser.add_argument("--start", type=date.fromisoformat, default=defaults.start)
    parser.add_argument("--end", type=date.fromisoformat, default=defaults.end)
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=defaults.chunk_size,
        help="Persons generated per chunk (part of the determinism key; bounds memory).",
    )


def run(args: argparse.Namespace) -> int:
    if is_database_url(args.out):
        with tempfile.TemporaryDirectory(prefix="c360-generate-") as exports:
            code = _generate(args, Path(exports))
            if code == 0:
                started = time.perf_counter()
                url = DatabaseUrl.parse(args.out)
                rows = load_exports(Path(exports), url)
                seconds = time.perf_counter() - started
                print(f"loaded {sum(rows.values()):,} rows into {url.redacted} in {seconds:.1f}s")
            return code
    return _generate(args, Path(args.out))


def _generate(args: argparse.Namespace, out: Path) -> int:
    try:
        config = GeneratorConfig(
            customers=args.customers,
            seed=args.seed,
            out=out,
            dirty_rate=args.dirty_rate,
            start=args.start,
            end=args.end,
            chunk_size=args.chunk_size,
        )
    except GeneratorConfigError as error:
        print(f"c360 generate: {error}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    report = generate(config)
    seconds = time.perf_counter() - started
    print(f"wrote {report.customers} persons to {report.out} in {seconds:.1f}s")
    for source, rows in report.rows.items():
        injected = sum(report.defects.get(source, {}).values())
        print(f"  {source:<20} {rows:>12,} rows  {injected:>8,} defects")
    return 0
