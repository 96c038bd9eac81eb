"""A finished job's results, read from its workspace snapshot: the row accounting of the manifest
with samples from the quarantine, the KPI summary and the RFM segments as the catalogue computes
them, the clusters and CLV summary when the snapshot has them, and links."""

from __future__ import annotations

from typing import Any

import duckdb

from c360_api.catalog.execute import bind, needed_relations, run_metric
from c360_api.catalog.registry import BY_ID
from c360_api.snapshots import Snapshot
from c360_contract.uploads import UPLOAD_SECTION, UploadSpec
from c360_contract.warehouse import QUARANTINE_DIR

SAMPLES = 5
TRANSACTIONS = "transactions"


def metric_rows(snapshot: Snapshot, metric_id: str, table: int = 0) -> list[dict[str, Any]]:
    """The rows of a catalogue metric over the whole snapshot (its default parameters)."""
    metric = BY_ID[metric_id]
    if not needed_relations(metric) <= snapshot.relations:
        return []
    values = bind(metric, {}, snapshot.first_date, snapshot.as_of)
    return run_metric(metric, snapshot, {**values, "pii": False}).tables[table].rows


def quarantine_samples(snapshot: Snapshot, spec: UploadSpec) -> dict[str, list[dict[str, Any]]]:
    """Up to SAMPLES rows per reason, with the file's own column names."""
    path = snapshot.root / QUARANTINE_DIR / TRANSACTIONS
    if not any(path.glob("*.parquet")):
        return {}
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"SELECT * FROM read_parquet('{path.as_posix()}/*.parquet') "
            "QUALIFY row_number() OVER (PARTITION BY reason) <= ?",
            [SAMPLES],
        ).fetchall()
        names = [d[0] for d in con.description or []]
    finally:
        con.close()
    labels = {f"c{i}": name for i, name in enumerate(spec.columns)}
    samples: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        record = dict(zip(names, row, strict=True))
        reason = record.pop("reason")
        sample = {labels.get(k, k): v for k, v in record.items() if k in labels}
        if record.get("_corrupt_record"):
            sample["line"] = record["_corrupt_record"]
        samples.setdefault(reason, []).append(sample)
    return samples


def row_accounting(snapshot: Snapshot) -> dict[str, Any]:
    upload = snapshot.manifest[UPLOAD_SECTION]
    spec = UploadSpec.from_dict(upload["spec"])
    samples = quarantine_samples(snapshot, spec)
    reasons = sorted(upload["quarantine_reasons"].items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "rows_read": upload["rows_read"],
        "rows_loaded": upload["rows_loaded"],
        "rows_quarantined": upload["rows_quarantined"],
        "rows_after_as_of": upload["rows_after_as_of"],
        "quarantined_by_reason": [
            {"reason": r, "rows": n, "samples": samples.get(r, [])} for r, n in reasons
        ],
    }


def clusters(snapshot: Snapshot) -> list[dict[str, Any]] | None:
    """The chosen method's clusters, when the models stage published them."""
    if "model_clusters" not in snapshot.relations:
        return None
    method = snapshot.manifest.get("models", {}).get("clusters", {}).get("profile_method")
    return snapshot.rows(
        "SELECT cluster, label, customers, pct_of_buyers, silhouette, action FROM model_clusters "
        "WHERE method = $method ORDER BY cluster",
        {"method": method},
    )


def clv_summary(snapshot: Snapshot) -> dict[str, Any] | None:
    clv: dict[str, Any] | None = snapshot.manifest.get("models", {}).get("clv")
    return clv


def results(snapshot: Snapshot, job_id: str, workspace_id: str) -> dict[str, Any]:
    base = f"/workspaces/{workspace_id}"
    kpis = metric_rows(snapshot, "kpi_summary")
    return {
        "job_id": job_id,
        "workspace_id": workspace_id,
        "snapshot_id": snapshot.snapshot_id,
        "as_of": snapshot.as_of,
        "rows": row_accounting(snapshot),
        "kpis": kpis[0],
        "segments": metric_rows(snapshot, "rfm_segmentation"),
        "clusters": clusters(snapshot),
        "clv": clv_summary(snapshot),
        "links": {
            "status": f"/api/jobs/status/{job_id}",
            "report": f"/api/jobs/report/{job_id}",
            "catalog": f"{base}/catalog",
            "kpi_summary": f"{base}/kpi/summary",
            "rfm_segmentation": f"{base}/finance/rfm-segmentation",
            "revenue_by_month": f"{base}/kpi/revenue",
        },
    }
