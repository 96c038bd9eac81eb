"""The input directory without Spark: where each source's export lives, and whether it can be read.

A missing export or a truncated Parquet file is a broken input like any other: `check_inputs` refuses
it before a JVM starts (Spark would only find out in the middle of ingest, with a Java stack
trace), naming the file, so `c360 pipeline` exits 4 within about a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from c360_contract.progress import GateFailure
from c360_contract.vocabulary import SOURCES

SOURCE_PATHS: dict[str, str] = {
    "crm_customers": "crm_customers.csv",
    "ecommerce_accounts": "ecommerce_accounts.jsonl",
    "loyalty_members": "loyalty_members.csv",
    "products": "products.csv",
    "orders": "orders.parquet",
    "order_lines": "order_lines.parquet",
    "app_events": "app_events",
    "support_tickets": "support_tickets.csv",
    "postal_codes": "postal_codes.csv",
    "stores": "stores.csv",
    "services": "services.csv",
    "providers": "providers.csv",
    "order_status_events": "order_status_events.parquet",
    "service_bookings": "service_bookings.parquet",
}


class InputRejectedError(RuntimeError):
    """The input was refused before anything was published; `failures` lists the failed gates
    and `rejected_snapshot_id` the refused run kept under WH/.rejected (if any)."""

    def __init__(self, message: str, failures: Sequence[GateFailure] = ()) -> None:
        super().__init__(message)
        self.failures = list(failures)
        self.rejected_snapshot_id: str | None = None


class MissingSourceError(InputRejectedError):
    """An expected export is absent from the input directory."""


class UnreadableSourceError(InputRejectedError):
    """A source file cannot be read at all (a truncated or corrupt Parquet file)."""


def _data_files(directory: Path) -> list[Path]:
    """The files Spark reads from a directory: not `_SUCCESS`, `_metadata` or hidden ones."""
    return sorted(
        p for p in directory.rglob("*") if p.is_file() and not p.name.startswith(("_", "."))
    )


def _check_parquet(input_dir: Path, path: Path) -> None:
    """Read the footer of every Parquet file of a source (one file or a directory of parts); a
    truncated file has lost it. Milliseconds per file, whatever its size. pyarrow is imported
    here, not with the module: an unchanged input's skip never needs it (0.5 s of start-up)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for file in [path] if path.is_file() else _data_files(path):
        try:
            pq.read_metadata(file)
        except (OSError, pa.ArrowException) as exc:
            name = file.relative_to(input_dir).as_posix()
            raise UnreadableSourceError(
                f"{name} is not readable Parquet (truncated or corrupt?): {exc}"
            ) from exc


def check_inputs(input_dir: Path) -> None:
    """Every source's export is there and every Parquet file has a readable footer."""
    for source in SOURCES:
        path = input_dir / SOURCE_PATHS[source]
        if not path.exists():
            raise MissingSourceError(f"{source}: {SOURCE_PATHS[source]} not found in {input_dir}")
        if path.suffix == ".parquet":
            _check_parquet(input_dir, path)
