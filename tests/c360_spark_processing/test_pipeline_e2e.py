"""End to end: generated exports with injected defects → pipeline → published snapshot.

Expectations are computed independently with DuckDB over the raw files, the truth file and the
published Parquet — never with the pipeline's own code.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import psutil
import pytest
from pyspark.sql import SparkSession

from c360_contract.database import DatabaseUrl
from c360_contract.progress import SOURCE_INGESTED, STAGES
from c360_contract.vocabulary import SOURCES
from c360_contract.warehouse import current_snapshot_id, snapshot_path, warehouse_lock
from c360_spark_processing import pipeline
from c360_spark_processing.pipeline import run_pipeline
from c360_spark_processing.publish import clear_staging
from c360_spark_processing.settings import PipelineSettings
from tests.c360_api.helpers import wait_for

TABLES = (
    "identity_crosswalk",
    "golden_record",
    "fact_orders",
    "fact_order_lines",
    "fact_support_tickets",
    "fact_sessions",
    "fact_order_events",
    "fact_order_fulfilment",
    "fact_service_bookings",
    "fact_product_views",
    "dim_products",
    "dim_stores",
    "dim_services",
    "dim_providers",
    "dim_postal_codes",
    "demand_forecast",
    "demand_forecast_backtest",
    "customer_profile",
)
MARTS = (
    "mart_health_overview",
    "mart_loyalty_metrics",
    "mart_segment_summary",
    "mart_digital_engagement",
    "mart_cross_sell",
    "mart_category_insights",
    "mart_clv_by_segment",
    "mart_revenue_by_segment",
    "mart_rfm_segments",
    "mart_rfm_matrix",
    "mart_profitability",
    "mart_support_insights",
    "mart_lifecycle",
)


@pytest.fixture(scope="module")
def snapshot(pipeline_warehouse: Path) -> Path:
    snapshot_id = current_snapshot_id(pipeline_warehouse)
    assert snapshot_id is not None
    return snapshot_path(pipeline_warehouse, snapshot_id)


@pytest.fixture(scope="module")
def manifest(snapshot: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((snapshot / "manifest.json").read_text())
    return loaded


@pytest.fixture(scope="module")
def db(snapshot: Path, raw_data: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    for table in (*TABLES, *MARTS):
        con.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{snapshot / table}/*.parquet')"
        )
    con.execute(
        f"CREATE VIEW truth AS SELECT * FROM read_csv('{raw_data}/_truth/identity.csv', all_varchar=true)"
    )
    yield con
    con.close()


def _quarantined(snapshot: Path, source: str) -> str:
    return f"read_parquet('{snapshot}/quarantine/{source}/*.parquet')"


def _buyer_rules(raw_data: Path, snapshot: Path) -> str:
    """The start of a reasons query over rows with a buyer: the loaded accounts and members, then
    the CASE's first two rules (no buyer; a buyer that did not load). The caller adds its own."""
    return f"""
            WITH accounts AS (
                SELECT account_id FROM read_json('{raw_data}/ecommerce_accounts.jsonl', format='newline_delimited', columns={{'account_id': 'VARCHAR'}})
                EXCEPT SELECT account_id FROM {_quarantined(snapshot, "ecommerce_accounts")}
            ),
            members AS (
                SELECT member_id FROM read_csv('{raw_data}/loyalty_members.csv', all_varchar=true)
                EXCEPT SELECT member_id FROM {_quarantined(snapshot, "loyalty_members")}
            )
            SELECT reason, count(*) FROM (
                SELECT CASE
                    WHEN account_id IS NULL AND member_id IS NULL THEN 'missing_buyer'
                    WHEN (account_id IS NOT NULL AND account_id NOT IN (SELECT * FROM accounts))
                      OR (member_id IS NOT NULL AND member_id NOT IN (SELECT * FROM members)) THEN 'unknown_buyer'"""


class TestReconciliation:
    def test_every_source_reconciles(self, manifest: dict[str, Any]) -> None:
        assert set(manifest["sources"]) == set(SOURCES)
        for source, counts in manifest["sources"].items():
            assert counts["rows_read"] == counts["rows_loaded"] + counts["rows_quarantined"], source
            assert sum(counts["quarantine_reasons"].values()) == counts["rows_quarantined"], source

    def test_rows_read_match_the_raw_files(self, manifest: dict[str, Any], raw_data: Path) -> None:
        con = duckdb.connect()
        raw_counts = {
            "crm_customers": f"read_csv('{raw_data}/crm_customers.csv', all_varchar=true)",
            "loyalty_members": f"read_csv('{raw_data}/loyalty_members.csv', all_varchar=true)",
            "products": f"read_csv('{raw_data}/products.csv', all_varchar=true)",
            "support_tickets": f"read_csv('{raw_data}/support_tickets.csv', all_varchar=true)",
            "orders": f"read_parquet('{raw_data}/orders.parquet')",
            "order_lines": f"read_parquet('{raw_data}/order_lines.parquet')",
            **{
                s: f"read_csv('{raw_data}/{s}.csv', all_varchar=true)"
                for s in ("postal_codes", "stores", "services", "providers")
            },
            **{
                s: f"read_parquet('{raw_data}/{s}.parquet')"
                for s in ("order_status_events", "service_bookings")
            },
        }
        for source, relation in raw_counts.items():
            expected = con.execute(f"SELECT count(*) FROM {relation}").fetchone()
            assert expected is not None
            assert manifest["sources"][source]["rows_read"] == expected[0], source
        lines = sum(1 for _ in (raw_data / "ecommerce_accounts.jsonl").open())
        assert manifest["sources"]["ecommerce_accounts"]["rows_read"] == lines
        events = sum(sum(1 for _ in p.open()) for p in (raw_data / "app_events").rglob("*.jsonl"))
        assert manifest["sources"]["app_events"]["rows_read"] == events

    def test_injected_defects_are_quarantined_with_their_reason(
        self, manifest: dict[str, Any], raw_data: Path
    ) -> None:
        """Each injected defect shows up under its own reason. Orders and bookings are checked
        separately below: an account quarantined for a bad date also takes its orders and
        bookings with it."""
        injected = json.loads((raw_data / "_truth" / "defects.json").read_text())["injected"]
        checked = 0
        for source, defects in injected.items():
            if source in ("orders", "service_bookings"):
                continue
            reasons = manifest["sources"][source]["quarantine_reasons"]
            warnings = manifest["sources"][source].get("warnings", {})
            for defect, count in defects.items():
                found = reasons.get(defect, 0) or warnings.get(defect, 0)
                assert found == count, (source, defect, count, reasons, warnings)
                checked += count
        assert checked > 0

    def test_order_reasons_match_an_independent_derivation(
        self, manifest: dict[str, Any], snapshot: Path, raw_data: Path
    ) -> None:
        """First failing rule wins: missing buyer, buyer not among the loaded accounts/members, no timestamp."""
        rows = (
            duckdb.connect()
            .execute(
                f"""
            {_buyer_rules(raw_data, snapshot)}
                    WHEN order_ts IS NULL THEN 'invalid_order_ts'
                END AS reason
                FROM read_parquet('{raw_data}/orders.parquet')
            ) WHERE reason IS NOT NULL GROUP BY reason
            """
            )
            .fetchall()
        )
        assert manifest["sources"]["orders"]["quarantine_reasons"] == dict(rows)

    def test_orphan_lines_are_exactly_the_lines_of_quarantined_orders(
        self, manifest: dict[str, Any], snapshot: Path, raw_data: Path
    ) -> None:
        """A line is an orphan when its order did not load and no earlier rule (duplicate copy,
        quantity, product) already rejected it."""
        expected = (
            duckdb.connect()
            .execute(
                f"""
                WITH lines AS (
                    SELECT *, row_number() OVER (PARTITION BY line_id) AS copy
                    FROM read_parquet('{raw_data}/order_lines.parquet')
                )
                SELECT count(*) FROM lines
                WHERE copy = 1 AND quantity > 0
                  AND product_id IN (SELECT product_id FROM read_csv('{raw_data}/products.csv', all_varchar=true))
                  AND (order_id IN (SELECT order_id FROM {_quarantined(snapshot, "orders")})
                       OR order_id NOT IN (SELECT order_id FROM read_parquet('{raw_data}/orders.parquet')))
                """
            )
            .fetchone()
        )
        assert expected is not None
        assert expected[0] > 0
        assert (
            manifest["sources"]["order_lines"]["quarantine_reasons"]["orphan_line"] == expected[0]
        )

    def test_booking_reasons_match_an_independent_derivation(
        self, manifest: dict[str, Any], snapshot: Path, raw_data: Path
    ) -> None:
        """As orders: missing buyer, buyer not loaded, no booked_at, then the rating."""
        rows = (
            duckdb.connect()
            .execute(
                f"""
            {_buyer_rules(raw_data, snapshot)}
                    WHEN booked_at IS NULL THEN 'invalid_booked_at'
                    WHEN rating NOT BETWEEN 1 AND 5 THEN 'invalid_rating'
                END AS reason
                FROM read_parquet('{raw_data}/service_bookings.parquet')
            ) WHERE reason IS NOT NULL GROUP BY reason
            """
            )
            .fetchall()
        )
        assert manifest["sources"]["service_bookings"]["quarantine_reasons"] == dict(rows)

    def test_orphan_events_are_exactly_the_events_of_quarantined_orders(
        self, manifest: dict[str, Any], snapshot: Path, raw_data: Path
    ) -> None:
        """An event is an orphan when its order did not load and no earlier rule (duplicate
        copy, missing ts, unknown status) rejected it: an order quarantined for its buyer's
        account can still carry event defects."""
        expected = (
            duckdb.connect()
            .execute(
                f"""
                SELECT count(DISTINCT (order_id, status))
                FROM read_parquet('{raw_data}/order_status_events.parquet')
                WHERE order_id IN (SELECT order_id FROM {_quarantined(snapshot, "orders")})
                  AND ts IS NOT NULL
                  AND status IN ('placed', 'paid', 'packed', 'shipped', 'delivered',
                                 'cancelled', 'payment_failed', 'refunded')
                """
            )
            .fetchone()
        )
        assert expected is not None
        assert expected[0] > 0
        reasons = manifest["sources"]["order_status_events"]["quarantine_reasons"]
        assert reasons["orphan_event"] == expected[0]


class TestTables:
    def test_every_table_and_mart_is_present_and_non_empty(
        self, db: duckdb.DuckDBPyConnection, manifest: dict[str, Any]
    ) -> None:
        for table in (*TABLES, *MARTS):
            row = db.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert row is not None
            assert row[0] > 0, table
            assert manifest["tables"][table]["rows"] == row[0], table

    def test_one_profile_row_per_customer(self, db: duckdb.DuckDBPyConnection) -> None:
        row = db.execute(
            "SELECT count(*), count(DISTINCT customer_id), "
            "(SELECT count(DISTINCT customer_id) FROM identity_crosswalk) FROM customer_profile"
        ).fetchone()
        assert row is not None
        assert row[0] == row[1] == row[2]

    def test_manifest_records_stages_and_settings(self, manifest: dict[str, Any]) -> None:
        assert set(manifest["stages"]) == set(STAGES)
        assert all(stage["seconds"] >= 0 for stage in manifest["stages"].values())
        assert manifest["settings"] == PipelineSettings().model_dump(mode="json")
        assert manifest["as_of"] <= "2025-12-31"


NEW_YORK = "'America/New_York'"


class TestBusinessTime:
    """Business days and hours of the snapshot, recomputed with DuckDB's own time-zone rules."""

    def test_the_manifest_names_the_business_timezone(self, manifest: dict[str, Any]) -> None:
        assert manifest["business_timezone"] == "America/New_York"
        assert manifest["settings"]["business_timezone"] == "America/New_York"

    def test_order_dates_and_local_times_are_new_york_ones(
        self, db: duckdb.DuckDBPyConnection
    ) -> None:
        row = db.execute(
            f"""
            SELECT count(*) FILTER (order_date <> timezone({NEW_YORK}, order_ts)::DATE),
                   count(*) FILTER (order_local_ts <> timezone({NEW_YORK}, order_ts)),
                   count(*) FILTER (order_date <> timezone('UTC', order_ts)::DATE),
                   any_value(typeof(order_local_ts)), any_value(typeof(order_ts)),
                   count(*)
            FROM fact_orders
            """
        ).fetchone()
        assert row is not None
        wrong_dates, wrong_times, not_utc_dates, local_type, ts_type, orders = row
        assert (wrong_dates, wrong_times) == (0, 0)
        assert 0 < not_utc_dates < orders  # evening orders: the UTC date is the next day
        assert (local_type, ts_type) == ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE")
        lines = db.execute(
            "SELECT count(*) FROM fact_order_lines l JOIN fact_orders o USING (order_id) "
            "WHERE l.order_date <> o.order_date"
        ).fetchone()
        assert lines == (0,)

    def test_as_of_is_the_latest_business_day_and_cuts_there(
        self,
        db: duckdb.DuckDBPyConnection,
        manifest: dict[str, Any],
        snapshot: Path,
        raw_data: Path,
    ) -> None:
        row = db.execute(
            f"""
            WITH loaded AS (
                SELECT timezone({NEW_YORK}, order_ts)::DATE AS day
                FROM read_parquet('{raw_data}/orders.parquet')
                WHERE order_id NOT IN (SELECT order_id FROM {_quarantined(snapshot, "orders")}
                                       WHERE order_id IS NOT NULL)
            )
            SELECT max(day)::VARCHAR, count(*) FILTER (day <= (SELECT max(day) FROM loaded))
            FROM loaded
            """
        ).fetchone()
        assert row is not None
        assert manifest["as_of"] == row[0]
        assert manifest["tables"]["fact_orders"]["rows"] == row[1]

    def test_shopping_peaks_fall_in_local_business_hours(
        self, db: duckdb.DuckDBPyConnection
    ) -> None:
        """Store orders are placed 08:00-21:59 on the buyer's clock (Eastern to Hawaii time, so
        08:00-03:59 in New York): never between 04:00 and 07:59 New York time, busiest in the
        day. Online orders peak in the evening."""
        by_hour = db.execute(
            """
            SELECT channel = 'store' AS store, hour(order_local_ts) AS hour, count(*) AS orders
            FROM fact_orders WHERE status = 'completed' GROUP BY ALL
            """
        ).df()
        store = by_hour[by_hour.store].set_index("hour").orders
        online = by_hour[~by_hour.store].set_index("hour").orders
        assert store.reindex(range(4, 8), fill_value=0).sum() == 0
        assert 11 <= store.idxmax() <= 19
        assert 19 <= online.idxmax() <= 23


class TestSessions:
    def test_fact_sessions_match_the_loaded_events(
        self,
        db: duckdb.DuckDBPyConnection,
        manifest: dict[str, Any],
        snapshot: Path,
        raw_data: Path,
    ) -> None:
        """Sessions of the loaded events up to as-of (New York days), recomputed from the raw
        events: those with a session_start are fact_sessions row for row; the others are
        the manifest's without_session_start."""
        db.execute(
            f"""
            CREATE TEMP TABLE expected_sessions AS
            WITH events AS (
                SELECT account_id, session_id, event_type, platform, traffic_source,
                       timezone('UTC', try_strptime(ts, '%Y-%m-%dT%H:%M:%SZ')) AS ts
                FROM read_json('{raw_data}/app_events/*/*.jsonl', format='newline_delimited',
                               columns={{event_id: 'VARCHAR', account_id: 'VARCHAR',
                                         session_id: 'VARCHAR', ts: 'VARCHAR',
                                         platform: 'VARCHAR', event_type: 'VARCHAR',
                                         traffic_source: 'VARCHAR'}})
                WHERE event_id NOT IN (SELECT event_id FROM {_quarantined(snapshot, "app_events")}
                                       WHERE event_id IS NOT NULL)
            )
            SELECT session_id, any_value(account_id) AS account_id,
                   min(ts) FILTER (event_type = 'session_start') AS started_at,
                   arg_min(platform, ts) FILTER (event_type = 'session_start') AS platform,
                   arg_min(traffic_source, ts) FILTER (event_type = 'session_start')
                       AS traffic_source,
                   count(*) AS events,
                   count(*) FILTER (event_type = 'product_view') AS product_views,
                   count(*) FILTER (event_type = 'add_to_cart') AS add_to_carts,
                   count(*) FILTER (event_type = 'checkout_start') AS checkout_starts,
                   bool_or(event_type = 'purchase') AS converted
            FROM events
            WHERE timezone({NEW_YORK}, ts)::DATE <= DATE '{manifest["as_of"]}'
            GROUP BY session_id
            """
        )
        expected = f"""
            SELECT s.session_id, x.customer_id, s.started_at,
                   timezone({NEW_YORK}, s.started_at)::DATE AS session_date, s.platform,
                   s.traffic_source, s.events, s.product_views, s.add_to_carts,
                   s.checkout_starts, s.converted
            FROM expected_sessions s LEFT JOIN identity_crosswalk x
                 ON x.source = 'ecommerce' AND x.source_record_id = s.account_id
            WHERE s.started_at IS NOT NULL
        """
        for query in (f"{expected} EXCEPT ALL FROM fact_sessions",
                      f"FROM fact_sessions EXCEPT ALL {expected}"):  # fmt: skip
            assert db.execute(f"SELECT count(*) FROM ({query})").fetchone() == (0,)
        counts = db.execute(
            "SELECT count(*), count(*) FILTER (started_at IS NULL) FROM expected_sessions"
        ).fetchone()
        assert counts is not None
        assert manifest["sessions"] == {
            "sessions": counts[0],
            "fact_sessions": counts[0] - counts[1],
            "without_session_start": counts[1],
        }
        assert manifest["tables"]["fact_sessions"]["rows"] == counts[0] - counts[1] > 0

    def test_dim_products_are_the_loaded_products(
        self, db: duckdb.DuckDBPyConnection, snapshot: Path, raw_data: Path
    ) -> None:
        expected = f"""
            SELECT product_id, name, category, subcategory, brand, list_price::DOUBLE,
                   unit_cost::DOUBLE, stock_on_hand::INTEGER, reorder_point::INTEGER
            FROM read_csv('{raw_data}/products.csv', all_varchar=true)
            WHERE product_id NOT IN (SELECT product_id FROM {_quarantined(snapshot, "products")}
                                     WHERE product_id IS NOT NULL)
        """
        for query in (f"{expected} EXCEPT ALL FROM dim_products",
                      f"FROM dim_products EXCEPT ALL {expected}"):  # fmt: skip
            assert db.execute(f"SELECT count(*) FROM ({query})").fetchone() == (0,)
        products = db.execute("SELECT count(*) FROM dim_products").fetchone()
        assert products is not None
        assert products[0] > 300


class TestOperations:
    """Fulfilment and bookings recomputed with DuckDB from the raw exports."""

    def test_fulfilment_follows_the_raw_histories(
        self, db: duckdb.DuckDBPyConnection, manifest: dict[str, Any], raw_data: Path
    ) -> None:
        as_of = manifest["as_of"]
        row = db.execute(
            f"""
            WITH ev AS (
                SELECT DISTINCT order_id, status, ts
                FROM read_parquet('{raw_data}/order_status_events.parquet')
                WHERE ts IS NOT NULL AND timezone({NEW_YORK}, ts)::DATE <= DATE '{as_of}'
            ),
            want AS (
                SELECT order_id, min(ts) FILTER (status = 'delivered') AS delivered_at,
                       min(ts) FILTER (status = 'refunded') AS refunded_at
                FROM ev GROUP BY order_id
            )
            SELECT count(*), (SELECT count(*) FROM fact_orders),
                   count(*) FILTER (f.delivered_at IS DISTINCT FROM w.delivered_at
                                    OR f.refunded_at IS DISTINCT FROM w.refunded_at),
                   count(*) FILTER (f.delivered_at IS NOT NULL AND f.channel <> 'store'),
                   -- Within one rounding step: Spark and DuckDB may round a half apart.
                   count(*) FILTER ((f.delivery_hours IS NULL) <> (w.delivered_at IS NULL)
                       OR abs(f.delivery_hours
                              - (epoch(w.delivered_at) - epoch(f.order_ts)) / 3600) > 0.0051)
            FROM fact_order_fulfilment f LEFT JOIN want w USING (order_id)
            """
        ).fetchone()
        assert row is not None
        rows, orders, wrong, shipped_delivered, wrong_hours = row
        assert (rows, wrong, wrong_hours) == (orders, 0, 0)
        assert shipped_delivered > 0

    def test_distances_and_bands_are_haversine_from_the_store(
        self, db: duckdb.DuckDBPyConnection, raw_data: Path
    ) -> None:
        row = db.execute(
            f"""
            WITH st AS (SELECT store_id, lat::DOUBLE AS lat, lon::DOUBLE AS lon
                        FROM read_csv('{raw_data}/stores.csv', all_varchar=true)),
            pc AS (SELECT DISTINCT postal_code, lat::DOUBLE AS lat, lon::DOUBLE AS lon
                   FROM read_csv('{raw_data}/postal_codes.csv', all_varchar=true)),
            o AS (SELECT order_id, store_id, ship_postal_code
                  FROM read_parquet('{raw_data}/orders.parquet')),
            d AS (
                SELECT f.distance_km, f.distance_band,
                       round(2 * 6371 * asin(sqrt(
                           pow(sin(radians(pc.lat - st.lat) / 2), 2)
                           + cos(radians(st.lat)) * cos(radians(pc.lat))
                             * pow(sin(radians(pc.lon - st.lon) / 2), 2))), 3) AS km
                FROM fact_order_fulfilment f JOIN o USING (order_id)
                JOIN st ON st.store_id = o.store_id
                JOIN pc ON pc.postal_code = o.ship_postal_code
                WHERE f.channel <> 'store'
            )
            SELECT count(*), max(abs(distance_km - km)),
                   count(*) FILTER (distance_band <> CASE WHEN km < 5 THEN '0-5'
                       WHEN km < 15 THEN '5-15' WHEN km < 30 THEN '15-30' ELSE '30+' END),
                   count(DISTINCT distance_band),
                   (SELECT count(*) FROM fact_order_fulfilment
                    WHERE channel = 'store' AND distance_band <> 'in_store')
            FROM d
            """
        ).fetchone()
        assert row is not None
        rows, worst, wrong_bands, bands, store_not_in_store = row
        assert rows > 0
        assert worst < 1e-9
        assert (wrong_bands, bands, store_not_in_store) == (0, 4, 0)

    def test_bookings_up_to_as_of(
        self,
        db: duckdb.DuckDBPyConnection,
        manifest: dict[str, Any],
        snapshot: Path,
        raw_data: Path,
    ) -> None:
        as_of = manifest["as_of"]
        row = db.execute(
            f"""
            SELECT count(*) FILTER (timezone({NEW_YORK}, booked_at)::DATE <= DATE '{as_of}'),
                   sum(price) FILTER (status = 'completed'
                                      AND timezone({NEW_YORK}, booked_at)::DATE <= DATE '{as_of}')
            FROM read_parquet('{raw_data}/service_bookings.parquet')
            WHERE booking_id NOT IN (SELECT booking_id
                                     FROM {_quarantined(snapshot, "service_bookings")})
            """
        ).fetchone()
        got = db.execute(
            "SELECT count(*), sum(revenue), (SELECT sum(service_spend) FROM customer_profile) "
            "FROM fact_service_bookings"
        ).fetchone()
        assert row is not None
        assert got is not None
        assert got[0] == row[0]
        assert abs(got[1] - row[1]) < 0.01
        # Bookings whose customer did not resolve are not in any profile.
        assert got[2] <= got[1] + 0.01


class TestIdentityResolution:
    def test_pairwise_precision_and_recall_against_truth(
        self, db: duckdb.DuckDBPyConnection
    ) -> None:
        db.execute(
            "CREATE TEMP TABLE scored AS SELECT c.customer_id, t.person_id FROM identity_crosswalk c "
            "JOIN truth t ON t.source = c.source AND t.source_record_id = c.source_record_id"
        )
        linked = db.execute("SELECT count(*) FROM identity_crosswalk").fetchone()
        scored = db.execute("SELECT count(*) FROM scored").fetchone()
        assert linked is not None
        assert scored is not None
        assert scored[0] == linked[0], "every crosswalk record is in the truth file"

        def pairs(group_by: str) -> int:
            row = db.execute(
                f"SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM "
                f"(SELECT count(*) AS n FROM scored GROUP BY {group_by})"
            ).fetchone()
            assert row is not None
            return int(row[0])

        true_positive = pairs("customer_id, person_id")
        precision = true_positive / pairs("customer_id")
        recall = true_positive / pairs("person_id")
        assert precision >= 0.99, precision
        assert recall >= 0.99, recall


class TestRevenue:
    def test_profile_net_revenue_equals_the_loaded_completed_lines(
        self, db: duckdb.DuckDBPyConnection, snapshot: Path, raw_data: Path
    ) -> None:
        """Loaded lines = raw lines, first copy of each line_id, minus every line id quarantined for
        anything but being a duplicate; revenue counts completed orders only."""
        expected = db.execute(
            f"""
            WITH lines AS (
                SELECT * FROM read_parquet('{raw_data}/order_lines.parquet')
                QUALIFY row_number() OVER (PARTITION BY line_id) = 1
            ),
            rejected AS (
                SELECT line_id FROM {_quarantined(snapshot, "order_lines")} WHERE reason <> 'duplicate_line'
            )
            SELECT round(sum(l.quantity * l.unit_price - l.discount), 2)
            FROM lines l JOIN read_parquet('{raw_data}/orders.parquet') o USING (order_id)
            WHERE l.line_id NOT IN (SELECT line_id FROM rejected) AND o.status = 'completed'
            """
        ).fetchone()
        actual = db.execute("SELECT round(sum(net_revenue), 2) FROM customer_profile").fetchone()
        assert expected is not None
        assert actual is not None
        assert expected[0] > 0
        assert actual[0] == pytest.approx(expected[0], abs=0.01)


class TestRunControl:
    def test_unchanged_input_is_skipped(
        self, spark: SparkSession, pipeline_source: Path | DatabaseUrl, pipeline_warehouse: Path
    ) -> None:
        before = current_snapshot_id(pipeline_warehouse)
        result = run_pipeline(spark, pipeline_source, pipeline_warehouse, PipelineSettings())
        assert result.outcome == "skipped"
        assert result.snapshot_id == before == current_snapshot_id(pipeline_warehouse)

    def test_failed_run_leaves_current_and_no_snapshot(
        self,
        spark: SparkSession,
        raw_data: Path,
        pipeline_warehouse: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        before = current_snapshot_id(pipeline_warehouse)
        snapshots = sorted(p.name for p in (pipeline_warehouse / "snapshots").iterdir())

        def broken_gates(*_: object, **__: object) -> None:
            assert any((pipeline_warehouse / ".staging").rglob("*.parquet"))
            raise RuntimeError("gates exploded")

        # Right after the first source is validated: staging holds its Parquet and quarantine by
        # then, which is what must not survive (a later failure would only cost more time).
        monkeypatch.setattr(pipeline, "source_gates", broken_gates)
        with pytest.raises(RuntimeError, match="gates exploded"):
            run_pipeline(spark, raw_data, pipeline_warehouse, PipelineSettings(), force=True)
        assert current_snapshot_id(pipeline_warehouse) == before
        assert sorted(p.name for p in (pipeline_warehouse / "snapshots").iterdir()) == snapshots
        assert list((pipeline_warehouse / ".staging").iterdir()) == []

    def test_killed_run_leaves_current_and_next_run_cleans_up(
        self, raw_data: Path, pipeline_warehouse: Path, tmp_path: Path
    ) -> None:
        """SIGKILL a real `c360 pipeline` process mid-run: nothing it half-wrote is ever read, and
        its Spark JVM exits with it (so a killed refresh child leaves no JVM behind)."""
        warehouse = tmp_path / "wh"
        snapshot_id = current_snapshot_id(pipeline_warehouse)
        assert snapshot_id is not None
        (warehouse / "snapshots").mkdir(parents=True)
        os.symlink(
            snapshot_path(pipeline_warehouse, snapshot_id), warehouse / "snapshots" / snapshot_id
        )
        (warehouse / "CURRENT").write_text(snapshot_id + "\n")
        cmd = [
            sys.executable,
            "-m",
            "c360_cli",
            "pipeline",
            "--input",
            str(raw_data),
            "--warehouse",
            str(warehouse),
            "--master",
            "local[1]",
            "--force",
        ]
        deadline = datetime.now(UTC).timestamp() + 300
        with subprocess.Popen(
            cmd, stderr=subprocess.PIPE, text=True, start_new_session=True
        ) as proc:
            assert proc.stderr is not None
            for line in proc.stderr:
                if f'"{SOURCE_INGESTED}"' in line:  # staging holds a validated source
                    break
                assert datetime.now(UTC).timestamp() < deadline, "pipeline never ingested a source"
            jvms = [p for p in psutil.Process(proc.pid).children() if p.name() == "java"]
            assert len(jvms) == 1
            try:
                os.kill(proc.pid, signal.SIGKILL)  # the Python driver only
                proc.wait(timeout=60)
                wait_for(lambda: not jvms[0].is_running() or jvms[0].status() == "zombie", 30)
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of its group
        assert proc.returncode == -signal.SIGKILL
        assert (warehouse / "CURRENT").read_text().strip() == snapshot_id
        assert [p.name for p in (warehouse / "snapshots").iterdir()] == [snapshot_id]
        leftovers = list((warehouse / ".staging").iterdir())
        assert len(leftovers) == 1, "the killed run's work stays in staging, which nothing reads"
        with warehouse_lock(warehouse):
            assert clear_staging(warehouse) == [leftovers[0].name]
