"""The transactions-only source profile against pandas: row accounting by reason, every
customer's invoices, revenue (returns deducted), RFM scores and segment, the segment mart."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pyspark.sql import DataFrame, SparkSession

from c360_contract.uploads import TIMES_OF_DAY
from c360_spark_processing.facts import build_facts
from c360_spark_processing.settings import PipelineSettings
from c360_spark_processing.transactions.ingest import LOADED_COLUMNS, any_time_of_day
from c360_spark_processing.transactions.pipeline import FILE_FACTS, UPLOAD_MARTS
from c360_spark_processing.transactions.sources import crosswalk, loaded_sources
from tests.upload_data import reference_customers, reference_segments

pytestmark = pytest.mark.spark


def table(warehouse: Path, name: str) -> pd.DataFrame:
    snapshot = (warehouse / "CURRENT").read_text().strip()
    path = warehouse / "snapshots" / snapshot / name
    return duckdb.connect().execute(f"FROM read_parquet('{path}/*.parquet')").df()


@pytest.fixture(scope="module")
def published(upload_warehouse):
    return upload_warehouse


class TestRowAccounting:
    def test_every_row_is_loaded_or_quarantined_with_its_reason(self, published) -> None:
        sales, _, manifest = published
        upload = manifest["upload"]
        assert upload["rows_read"] == sales.rows
        assert upload["rows_read"] == upload["rows_loaded"] + upload["rows_quarantined"]
        assert upload["rows_loaded"] == len(sales.clean)
        assert upload["quarantine_reasons"] == dict(sales.reasons)
        assert upload["rows_after_as_of"] == 0
        # The file's dates have no time of day, so nothing may be charted by hour.
        dates = [line.split(";")[1] for line in sales.text.splitlines()[1:]]
        assert not any(":" in d for d in dates)
        assert upload[TIMES_OF_DAY] is False

    def test_the_quarantine_keeps_the_raw_text(self, published) -> None:
        sales, warehouse, _ = published
        quarantine = table(warehouse, "quarantine/transactions")
        assert quarantine["reason"].value_counts().to_dict() == dict(sales.reasons)
        amounts = set(quarantine.loc[quarantine["reason"] == "invalid_amount", "c3"])
        assert amounts == {"n/a", "12,5,0"}


class TestCustomers:
    def test_invoices_revenue_and_rfm_match_pandas(self, published) -> None:
        sales, warehouse, manifest = published
        as_of = pd.Timestamp(manifest["as_of"]).date()
        assert as_of == sales.clean["day"].max()
        want = reference_customers(sales.clean, as_of).set_index("customer_id")
        got = table(warehouse, "customer_profile").set_index("customer_id")
        assert set(got.index) == set(want.index)
        got = got.loc[want.index]
        assert (got["total_orders"] == want["orders"]).all()
        assert ((got["net_revenue"] - want["revenue"].round(2)).abs() < 0.005).all()
        assert (got["recency_days"] == want["recency_days"]).all()
        assert (got["r_score"] == want["r"]).all()
        assert (got["f_score"] == want["f"]).all()
        assert (got["m_score"] == want["m"]).all()
        assert (got["rfm_segment"] == want["segment"]).all()
        assert want["revenue"].min() < 250 < want["revenue"].max()  # several M scores met

    def test_returns_reduce_revenue(self, published) -> None:
        sales, warehouse, _ = published
        returns = sales.clean[sales.clean["amount"] < 0]
        assert len(returns) > 0
        orders = table(warehouse, "fact_orders")
        total = sales.clean["amount"].sum()
        assert abs(orders["net_amount"].sum() - total) < 0.01 * len(orders)
        assert total < sales.clean.loc[sales.clean["amount"] > 0, "amount"].sum()


class TestMarts:
    def test_rfm_segments_match_pandas(self, published) -> None:
        sales, warehouse, manifest = published
        as_of = pd.Timestamp(manifest["as_of"]).date()
        want = reference_segments(reference_customers(sales.clean, as_of))
        got = table(warehouse, "mart_rfm_segments")[list(want.columns)]
        pd.testing.assert_frame_equal(
            got.sort_values("rfm_segment").reset_index(drop=True),
            want.sort_values("rfm_segment").reset_index(drop=True),
            check_dtype=False,
            atol=0.011,
        )

    def test_only_what_an_upload_feeds_is_published(self, published) -> None:
        _, _warehouse, manifest = published
        assert set(UPLOAD_MARTS) <= set(manifest["tables"])
        for absent in ("fact_sessions", "fact_support_tickets", "mart_loyalty_metrics"):
            assert absent not in manifest["tables"]
        assert json.loads(json.dumps(manifest["upload"]["spec"]))["date_format"] == "%d/%m/%Y"

    def test_customer_tables_are_one_file_sorted_by_customer(self, published) -> None:
        """One sorted file per customer table (no range partitioning, whose sampling is a Spark
        job more per table): DuckDB's row-group statistics still narrow a customer lookup."""
        _, warehouse, _manifest = published
        snapshot = warehouse / "snapshots" / (warehouse / "CURRENT").read_text().strip()
        for name in ("identity_crosswalk", "fact_orders", "customer_profile"):
            (path,) = (snapshot / name).glob("*.parquet")
            ids = duckdb.connect().execute(f"SELECT customer_id FROM '{path}'").df()["customer_id"]
            assert ids.is_monotonic_increasing, name


@pytest.mark.parametrize(
    ("stamps", "found"),
    [
        (["2024-03-01 00:00:00", "2024-03-02 00:00:00"], False),
        (["2024-03-01 00:00:00", "2024-03-02 00:00:01"], True),
        (["2024-03-01 13:30:00"], True),
        ([], False),
    ],
)
def test_a_time_of_day_is_any_invoice_off_midnight(
    spark: SparkSession, stamps: list[str], found: bool
) -> None:
    rows = spark.createDataFrame([(s,) for s in stamps], "s string").selectExpr(
        "to_timestamp(s) AS order_ts"
    )
    (got,) = rows.agg(any_time_of_day().alias("t")).collect()
    assert got["t"] is found


def test_the_manifest_counts_every_published_table(published) -> None:
    """Rows and columns in the manifest (read from the Parquet footers) are what DuckDB reads."""
    _, warehouse, manifest = published
    for name, meta in manifest["tables"].items():
        got = table(warehouse, name)
        assert (len(got), list(got.columns)) == (meta["rows"], meta["columns"]), name


def test_only_the_facts_of_the_file_are_cached(spark: SparkSession) -> None:
    """FILE_FACTS name intermediates `build_facts` materialises, and the others read only sources
    an upload leaves empty (kept lazy so the optimiser can drop them)."""
    types = ["string", "string", "string", "timestamp", "date", "double", "int", "string", "string"]
    rows = spark.createDataFrame(
        [], ", ".join(f"{c} {t}" for c, t in zip(LOADED_COLUMNS, types, strict=True))
    )
    named: list[str] = []

    def record(name: str, frame: DataFrame) -> DataFrame:
        named.append(name)
        return frame

    build_facts(
        loaded_sources(spark, rows), crosswalk(rows), date(2024, 1, 1), PipelineSettings(), record
    )
    assert set(FILE_FACTS) < set(named)
    assert set(named) - set(FILE_FACTS) == {
        "ticket_facts",
        "event_sessions",
        "fact_order_events",
        "booking_facts",
    }
