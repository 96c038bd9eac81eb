"""Uploads ("bring your own data", docs/uploads.md): what the API hands an upload job and what the
job publishes, shared by the API (which previews and accepts the file) and the pipeline (which
processes it). Plain Python: neither Spark nor FastAPI.

A job directory holds the file exactly as uploaded (`UPLOAD_FILE`) and the `UploadSpec` the API
settled (`SPEC_FILE`): the file's layout, which column is which, the date format and the as-of
date. File names inside it are fixed; nothing comes from the client's file name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

UPLOAD_FILE = "upload.csv"
SPEC_FILE = "upload.json"

REQUIRED_TARGETS: tuple[str, ...] = ("customer_id", "invoice_date", "invoice_id", "amount")
OPTIONAL_TARGETS: tuple[str, ...] = ("product", "category", "quantity")
TARGETS: tuple[str, ...] = (*REQUIRED_TARGETS, *OPTIONAL_TARGETS)

DECIMAL_SEPARATORS: tuple[str, ...] = (".", ",")
ENCODINGS: dict[str, str] = {"utf-8": "UTF-8", "utf-16": "UTF-16", "latin-1": "ISO-8859-1"}
"""The encodings a preview detects, and each one's Java name (what Spark's CSV reader takes)."""
STANDBY = "-"
"""The upload job command's `{job_dir}`, `{warehouse}` and `{remote}` when the API starts the
process ahead of its job (a standby: imports done while no upload waits); the job then comes as
one `JobOrder` line on the process's stdin."""
UPLOAD_STAGES: tuple[str, ...] = ("ingest", "facts", "models", "profile", "marts", "publish")
"""The stages of an upload job (no identity resolution: the file's customer ids are given)."""
UPLOAD_CHANNEL = "online"
"""The sales channel every uploaded invoice is counted under (a sales export names none)."""
UNCATEGORISED = "Uncategorised"
"""The category of a row whose category is empty, or of every row when none is mapped."""
BUSINESS_TIMEZONE = "UTC"
"""An upload's dates are the business's own clock: read as UTC, converted by nothing."""

# Quarantine reasons of an upload, in the order rows are judged (the first failed rule wins).
SCHEMA_MISMATCH = "schema_mismatch"
DUPLICATE_ROW = "duplicate_row"
MISSING_CUSTOMER_ID = "missing_customer_id"
MISSING_INVOICE_ID = "missing_invoice_id"
INVALID_DATE = "invalid_invoice_date"
INVALID_AMOUNT = "invalid_amount"
INVALID_QUANTITY = "invalid_quantity"
INVOICE_OF_ANOTHER_CUSTOMER = "invoice_of_another_customer"
QUARANTINE_REASONS: tuple[str, ...] = (
    SCHEMA_MISMATCH,
    DUPLICATE_ROW,
    MISSING_CUSTOMER_ID,
    MISSING_INVOICE_ID,
    INVALID_DATE,
    INVALID_AMOUNT,
    INVALID_QUANTITY,
    INVOICE_OF_ANOTHER_CUSTOMER,
)


@dataclass(frozen=True)
class DateFormat:
    """A date layout as the preview tries it (DuckDB strptime) and the pipeline parses it (Spark
    datetime pattern); `day_first` is None when the layout has no day/month ambiguity."""

    strftime: str
    spark: str
    day_first: bool | None = None

    @property
    def has_time(self) -> bool:
        return "%H" in self.strftime


def _with_times(day: str, spark_day: str, day_first: bool | None) -> list[DateFormat]:
    return [
        DateFormat(day, spark_day, day_first),
        DateFormat(f"{day} %H:%M", f"{spark_day} H:mm", day_first),
        DateFormat(f"{day} %H:%M:%S", f"{spark_day} H:mm:ss", day_first),
    ]


DATE_FORMATS: tuple[DateFormat, ...] = (
    *_with_times("%Y-%m-%d", "yyyy-M-d", None),
    DateFormat("%Y-%m-%dT%H:%M:%S", "yyyy-M-d'T'H:mm:ss", None),
    DateFormat("%Y%m%d", "yyyyMMdd", None),
    *_with_times("%Y/%m/%d", "yyyy/M/d", None),
    *_with_times("%d/%m/%Y", "d/M/yyyy", True),
    *_with_times("%m/%d/%Y", "M/d/yyyy", False),
    *_with_times("%d-%m-%Y", "d-M-yyyy", True),
    *_with_times("%m-%d-%Y", "M-d-yyyy", False),
    *_with_times("%d.%m.%Y", "d.M.yyyy", True),
    DateFormat("%d/%m/%y", "d/M/yy", True),
    DateFormat("%m/%d/%y", "M/d/yy", False),
)
BY_STRFTIME: dict[str, DateFormat] = {f.strftime: f for f in DATE_FORMATS}

UPLOAD_SECTION = "upload"
"""The manifest section an upload's run adds: row accounting, the spec and TIMES_OF_DAY."""
TIMES_OF_DAY = "times_of_day"
"""Whether any loaded invoice has a time other than 00:00. A file of dates alone (or of dates
written with a zero time, as spreadsheets export them) has none: every order would fall at
hour 0."""


def has_times_of_day(manifest: Mapping[str, Any]) -> bool:
    """Whether a snapshot's orders carry the time of day they were placed. The retailer's exports
    always do; an upload does when its run found one (a manifest published before the flag: when
    its date format has a time)."""
    upload = manifest.get(UPLOAD_SECTION)
    if upload is None:
        return True
    if TIMES_OF_DAY in upload:
        return bool(upload[TIMES_OF_DAY])
    return BY_STRFTIME[upload["spec"]["date_format"]].has_time


@dataclass(frozen=True)
class UploadSpec:
    """Everything an upload job needs to read and judge the file."""

    columns: list[str]
    delimiter: str
    encoding: str
    decimal_separator: str
    mapping: dict[str, str]  # target -> column of the file
    date_format: str  # a key of BY_STRFTIME
    clustering_method: str = "kmeans"
    k: int | None = None
    as_of: date | None = None
    has_header: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def spark_date_pattern(self) -> str:
        return BY_STRFTIME[self.date_format].spark

    def to_json(self) -> str:
        data = asdict(self)
        data["as_of"] = None if self.as_of is None else self.as_of.isoformat()
        return json.dumps(data, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> UploadSpec:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UploadSpec:
        values = dict(data)
        as_of = values.pop("as_of", None)
        return cls(**values, as_of=None if as_of is None else date.fromisoformat(as_of))

    def write(self, job_dir: Path) -> None:
        (job_dir / SPEC_FILE).write_text(self.to_json())

    @classmethod
    def read(cls, job_dir: Path) -> UploadSpec:
        return cls.from_json((job_dir / SPEC_FILE).read_text())


@dataclass(frozen=True)
class JobOrder:
    """What a standby upload job process is told on its stdin: the arguments it was started
    without (`STANDBY`)."""

    job_dir: Path
    warehouse: Path
    remote: str

    def line(self) -> str:
        return json.dumps({k: str(v) for k, v in vars(self).items()}) + "\n"

    @classmethod
    def parse(cls, line: str) -> JobOrder | None:
        """The order on `line`; None for an empty line (stdin closed: stop without a job)."""
        if not line.strip():
            return None
        data = json.loads(line)
        return cls(Path(data["job_dir"]), Path(data["warehouse"]), str(data["remote"]))
