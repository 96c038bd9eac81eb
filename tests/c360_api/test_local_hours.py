"""The hour-of-day metric over generated data shows shopping peaks in local business hours.

The generator draws order times on the buyer's (or the store's) local clock and writes true UTC
instants; the catalogue buckets them in the business timezone. Recomputed here with DuckDB from the
raw `orders.parquet` (less the orders the pipeline quarantined), not from the snapshot.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from fastapi.testclient import TestClient

from tests.c360_api.conftest import Expect, headers
from tests.c360_api.helpers import ok


def completed_by_hour(raw_data: Path, quarantine: Path, as_of: str, zone: str) -> list[int]:
    """Completed orders per hour 0..23 of their time in `zone`, up to the as-of day (New York)."""
    rows = duckdb.execute(f"""
        WITH loaded AS (
            SELECT status, order_ts FROM read_parquet('{raw_data}/orders.parquet')
            WHERE order_id NOT IN (SELECT order_id FROM read_parquet('{quarantine}/*.parquet')
                                   WHERE order_id IS NOT NULL)
              AND timezone('America/New_York', order_ts)::DATE <= DATE '{as_of}'
        )
        SELECT h.hour, count(loaded.status) AS orders
        FROM range(24) h(hour)
        LEFT JOIN loaded ON hour(timezone('{zone}', loaded.order_ts)) = h.hour
                        AND loaded.status = 'completed'
        GROUP BY h.hour ORDER BY h.hour
    """).fetchall()
    return [int(n) for _, n in rows]


def test_orders_by_hour_peak_in_local_business_hours(
    client: TestClient, expect: Expect, raw_data: Path, pipeline_warehouse: Path
) -> None:
    quarantine = pipeline_warehouse / "snapshots" / expect.snapshot_id / "quarantine" / "orders"
    body = ok(client.get("/orders/by-hour", headers=headers("marketing")))
    served = [row["orders"] for row in body["data"]]
    local = completed_by_hour(raw_data, quarantine, expect.as_of, "America/New_York")
    assert served == local
    assert served != completed_by_hour(raw_data, quarantine, expect.as_of, "UTC")
    # Busiest in the afternoon or evening; the small hours (03:00-06:59) are quieter than any
    # hour from 10:00 to 21:59.
    assert 12 <= served.index(max(served)) <= 21
    assert max(served[3:7]) < min(served[10:22])
