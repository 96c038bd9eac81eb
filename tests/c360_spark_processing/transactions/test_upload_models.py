"""The models stage of an upload: CDNOW uploaded through the transactions-only flow gives the same
BG/NBD fit as `c360 models clv` on the same file (issue 10), with the upload's clustering method
and k; and the small upload test file publishes every model."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from pyspark.sql import SparkSession

from c360_contract.uploads import UPLOAD_FILE, UploadSpec
from c360_spark_processing.models.cli import clv_report
from c360_spark_processing.models.transactions_file import inspect_source
from c360_spark_processing.settings import PipelineSettings
from c360_spark_processing.transactions.pipeline import run_upload
from tests.c360_spark_processing.models.cdnow import cdnow_pandas

pytestmark = pytest.mark.spark

COLUMNS = ["invoice", "customer", "date", "amount"]


def _cdnow_csv(path: Path) -> None:
    """CDNOW as a sales export: one invoice per line of the file, dates as yyyyMMdd."""
    frame = cdnow_pandas()
    frame.insert(0, "invoice", range(len(frame)))
    frame["purchase_date"] = [d.strftime("%Y%m%d") for d in frame["purchase_date"]]
    frame.columns = COLUMNS
    frame.to_csv(path, index=False)


@pytest.mark.slow
def test_cdnow_upload_fits_the_same_bgnbd_as_models_clv(
    spark: SparkSession, tmp_path: Path
) -> None:
    job = tmp_path / "job"
    job.mkdir()
    _cdnow_csv(job / UPLOAD_FILE)
    UploadSpec(
        columns=COLUMNS,
        delimiter=",",
        encoding="utf-8",
        decimal_separator=".",
        mapping={
            "invoice_id": "invoice",
            "customer_id": "customer",
            "invoice_date": "date",
            "amount": "amount",
        },
        date_format="%Y%m%d",
        clustering_method="gmm",
        k=3,  # one k: three fits, not 21
    ).write(job)
    warehouse = tmp_path / "workspace"
    manifest = run_upload(spark, job, warehouse, PipelineSettings()).manifest

    source = inspect_source(job / UPLOAD_FILE, "customer", "date", "amount", "yyyyMMdd")
    report = clv_report(spark, source, None, "day", 0.1)

    clv = manifest["models"]["clv"]
    assert manifest["as_of"] == report["as_of"] == "1998-06-30"
    assert clv["bgnbd"]["customers"] == report["bgnbd"]["customers"] == 2357
    for name in ("r", "alpha", "a", "b"):
        assert clv["bgnbd"][name] == pytest.approx(report["bgnbd"][name], rel=1e-6), name
    assert clv["bgnbd"]["converged"]

    clusters = manifest["models"]["clusters"]
    assert clusters["profile_method"] == "gmm"
    assert {m: c["k"] for m, c in clusters["chosen"].items()} == {
        "kmeans": 3,
        "gmm": 3,
        "hierarchical": 3,
    }
    snapshot = warehouse / "snapshots" / manifest["snapshot_id"]
    got = duckdb.execute(
        f"SELECT count(*), count(label), min(silhouette) FROM '{snapshot}/model_clusters/*.parquet' "
        "WHERE method = 'gmm'"
    ).fetchone()
    assert got is not None
    assert got[0] == got[1] == 3
    assert got[2] > 0  # every cluster has its silhouette (the method's, on the sample)
    labelled = duckdb.execute(
        f"SELECT count(cluster_label), count(predicted_clv_12m), count(*) "
        f"FROM '{snapshot}/customer_profile/*.parquet'"
    ).fetchone()
    assert labelled == (2357, 2357, 2357)


def test_the_small_upload_publishes_every_model(upload_warehouse) -> None:
    """300 buyers over two years: enough for CLV, churn and clusters (k chosen by silhouette)."""
    _, _warehouse, manifest = upload_warehouse
    models = manifest["models"]
    assert set(models) == {"clv", "churn", "clusters"}
    assert manifest["stages"]["models"]["rows_in"] == manifest["tables"]["fact_orders"]["rows"]
    assert models["clv"]["problem"] is None
    assert models["clv"]["bgnbd"]["converged"]
    assert "problem" not in models["churn"]
    assert "problem" not in models["clusters"]
    assert models["clusters"]["profile_method"] == "kmeans"
    for name in ("model_clusters", "customer_clusters", "model_churn_comparison"):
        assert name in manifest["tables"], name
