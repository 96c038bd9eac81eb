"""Exports generated once per session: a clean one (contract and behaviour) and a dirty one."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from c360_mock_data.config import GeneratorConfig
from c360_mock_data.generator import GenerationReport, generate

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@pytest.fixture(scope="session")
def clean_export(tmp_path_factory: pytest.TempPathFactory) -> GenerationReport:
    out = tmp_path_factory.mktemp("clean")
    return generate(
        GeneratorConfig(customers=3000, seed=11, out=out, dirty_rate=0.0, chunk_size=1000)
    )


@pytest.fixture(scope="session")
def dirty_export(tmp_path_factory: pytest.TempPathFactory) -> GenerationReport:
    out = tmp_path_factory.mktemp("dirty")
    return generate(
        GeneratorConfig(customers=2000, seed=5, out=out, dirty_rate=0.02, chunk_size=700)
    )


def read_csv(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / name, dtype=str, keep_default_na=False, na_values=[""])


ACCOUNT_FIELDS = ("account_id", "email", "phone", "created_at", "platform")
EVENT_FIELDS = (
    "event_id", "account_id", "session_id", "ts", "platform", "event_type", "product_id",
    "traffic_source",
)  # fmt: skip


def read_jsonl(pattern: str, fields: tuple[str, ...]) -> pd.DataFrame:
    """JSON lines with every field read as text (plus the file each row came from)."""
    columns = ", ".join(f"{name}: 'VARCHAR'" for name in fields)
    return duckdb.execute(
        f"select * from read_json('{pattern}', format='newline_delimited', filename=true,"
        f" columns={{{columns}}})"
    ).df()


def read_accounts(out: Path) -> pd.DataFrame:
    return read_jsonl(str(out / "ecommerce_accounts.jsonl"), ACCOUNT_FIELDS)


def read_events(out: Path) -> pd.DataFrame:
    return read_jsonl(f"{out}/app_events/*/*.jsonl", EVENT_FIELDS)


def normal_email(value: object) -> str | None:
    """Trimmed, lower-cased email, or None when missing or malformed."""
    if not isinstance(value, str):
        return None
    email = value.strip().lower()
    return email if EMAIL_RE.match(email) else None


def normal_phone(value: object) -> str | None:
    """E.164 for a 10-digit NANP number (after dropping formatting and a leading 1), else None."""
    if not isinstance(value, str):
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return None
    return "+1" + digits
