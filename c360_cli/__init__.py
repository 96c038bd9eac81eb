"""The `c360` console script: one entry point, one subcommand per package.

Each package exposes `add_arguments(parser)` and `run(args) -> int` in its `cli` module. Only the
chosen subcommand's module is imported, so `c360 serve` never loads PySpark and `c360 generate`
never loads FastAPI.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("c360_mock_data.cli", "Generate the source systems' exports (mock data)."),
    "pipeline": ("c360_spark_processing.cli", "Run the Spark pipeline and publish a snapshot."),
    "models": (
        "c360_spark_processing.models.cli",
        "Fit the predictive models on a transaction file (c360 models clv ...).",
    ),
    "upload-job": (
        "c360_spark_processing.transactions.cli",
        "Process one uploaded transaction file into its workspace (run by the API).",
    ),
    "serve": ("c360_api.cli", "Serve the Customer 360 API over the current snapshot."),
    "admin-key": ("c360_api.local_key", "Print the local admin API key (minted on first use)."),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="c360", description="Customer 360 toolkit")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="{" + ",".join(COMMANDS) + "}"
    )
    for name, (module, help_text) in COMMANDS.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        if args[:1] == [name]:
            importlib.import_module(module).add_arguments(cmd)
    parsed = parser.parse_args(args)
    code: int = importlib.import_module(COMMANDS[parsed.command][0]).run(parsed)
    return code


if __name__ == "__main__":
    sys.exit(main())
