"""Upload requests and responses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from c360_api.catalog.finance import RfmSegmentRow
from c360_api.catalog.kpi import KpiSummaryRow


class ColumnType(BaseModel):
    name: str = Field(description="Header name.")
    type: str = Field(
        description="DuckDB's type of the column (DATE/TIMESTAMP when a format fits)."
    )


class FormatFitOut(BaseModel):
    format: str = Field(description="strftime layout, e.g. %d/%m/%Y.")
    day_first: bool | None = Field(description="Day before month (null: no such ambiguity).")
    parsed: int = Field(description="Values this format reads.")
    unparsed: int = Field(description="Non-empty values it cannot read.")


class DateColumnOut(BaseModel):
    column: str = Field(description="Header name.")
    fitting: list[FormatFitOut] = Field(
        description="The formats reading the most values (every value, unless some are broken)."
    )
    ambiguous: bool = Field(
        description="Every value fits both day-first and month-first: the upload needs date_format."
    )
    suggested: str | None = Field(description="The format the upload uses when none is given.")


class Preview(BaseModel):
    encoding: str = Field(description="utf-8, utf-16 or latin-1.")
    delimiter: str = Field(description="Field delimiter.")
    decimal_separator: str = Field(description=". or , (amounts like 10,50).")
    has_header: bool = Field(description="Whether the first line names the columns.")
    row_count: int = Field(description="Rows read (lines that do not fit are not counted here).")
    columns: list[ColumnType] = Field(description="Columns with their types.")
    rows: list[dict[str, Any]] = Field(description="The first 20 rows, as text.")
    date_columns: list[DateColumnOut] = Field(description="Columns holding dates, with formats.")
    suggested_mapping: dict[str, str | None] = Field(
        description="Target -> column: customer_id, invoice_date, invoice_id, amount (required), "
        "product, category, quantity (optional); null when no column looks like it."
    )


class JobAccepted(BaseModel):
    job_id: str = Field(description="Poll GET /api/jobs/status/{job_id}.")
    workspace_id: str = Field(description="Its metrics: /workspaces/{workspace_id}/<metric path>.")
    state: str = Field(description="queued.")
    links: dict[str, str] = Field(description="status, results, report, catalog.")


class JobStatusOut(BaseModel):
    job_id: str = Field(description="Job id.")
    workspace_id: str = Field(description="Its workspace.")
    file_name: str = Field(description="The uploaded file's name, as sent.")
    file_bytes: int = Field(description="Its size.")
    state: str = Field(description="queued, running, succeeded or failed.")
    stage: str | None = Field(
        description="The stage running (ingest, facts, profile, marts, publish)."
    )
    percentage: int = Field(description="Finished stages, 0-100.")
    error: str | None = Field(description="Why it failed.")
    snapshot_id: str | None = Field(description="The snapshot it published.")
    as_of: date | None = Field(description="Its as-of date.")
    attempts: int = Field(description="Runs started (a resubmitted job counts again).")
    created_at: datetime = Field(description="Upload time (UTC).")
    started_at: datetime | None = Field(description="Start of the latest run.")
    finished_at: datetime | None = Field(description="End of the latest run.")


class QuarantineReason(BaseModel):
    reason: str = Field(description="Why the rows did not load.")
    rows: int = Field(description="Rows quarantined for it.")
    samples: list[dict[str, Any]] = Field(description="Up to 5 of them, as in the file.")


class RowAccounting(BaseModel):
    rows_read: int = Field(description="Data rows of the file (rows_loaded + rows_quarantined).")
    rows_loaded: int = Field(description="Rows that loaded.")
    rows_quarantined: int = Field(description="Rows that did not, by reason below.")
    rows_after_as_of: int = Field(
        description="Loaded rows dated after as-of: kept out of the analysis."
    )
    quarantined_by_reason: list[QuarantineReason] = Field(description="Each reason with samples.")


class ClusterOut(BaseModel):
    cluster: int = Field(description="Cluster number.")
    label: str | None = Field(description="The RFM segment of its centroid.")
    customers: int = Field(description="Buyers in it.")
    pct_of_buyers: float = Field(description="Share of buyers, 0-100.")
    silhouette: float = Field(description="Silhouette of the chosen clustering.")
    action: str | None = Field(description="What to do with them.")


class Results(BaseModel):
    job_id: str = Field(description="Job id.")
    workspace_id: str = Field(description="Workspace id.")
    snapshot_id: str = Field(description="The snapshot these numbers come from.")
    as_of: date = Field(description="End of the analysed window.")
    rows: RowAccounting = Field(description="Where every row of the file went.")
    kpis: KpiSummaryRow = Field(description="The KPI summary of the whole window.")
    segments: list[RfmSegmentRow] = Field(
        description="RFM segments: customers, share of buyers, revenue and the plain-English action."
    )
    clusters: list[ClusterOut] | None = Field(
        description="Customer clusters (null when this snapshot has no clustering)."
    )
    clv: dict[str, Any] | None = Field(
        description="The CLV models' summary (null when this snapshot has none)."
    )
    links: dict[str, str] = Field(description="report, catalog and a few metrics of the workspace.")
