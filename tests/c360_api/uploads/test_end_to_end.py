"""The whole flow on the real thing: `c360 upload-job` as a Spark Connect client of the server the
API starts and supervises; the results checked against pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.c360_api.accounts import app_client, sign_up, user_settings
from tests.c360_api.helpers import wait_for
from tests.c360_api.uploads.conftest import upload
from tests.c360_api.uploads.test_spark_connect import free_port
from tests.upload_data import make_sales, reference_customers, reference_kpis, reference_segments

pytestmark = [pytest.mark.slow, pytest.mark.spark]


class TestEndToEnd:
    def test_an_upload_through_spark_connect_matches_pandas(self, tmp_path: Path) -> None:
        sales = make_sales(customers=120, seed=4)
        settings = user_settings(
            tmp_path,
            f"sqlite:///{tmp_path / 'c360.db'}",
            spark_connect_port=free_port(),
            spark_connect_driver_memory="1g",
            spark_connect_start_seconds=300,
        )
        with app_client(settings) as client:
            header = sign_up(client, "owner@shop.example")
            job_id = upload(client, header, sales.text).json()["job_id"]

            def done():
                status = client.get(f"/api/jobs/status/{job_id}", headers=header).json()
                return status if status["state"] in ("succeeded", "failed") else None

            status = wait_for(done, timeout=600)
            assert status["state"] == "succeeded", status["error"]
            server = client.app.state.spark_connect  # type: ignore[attr-defined]
            assert (server.status()["mode"], server.status()["state"]) == ("managed", "ready")
            body = client.get(f"/api/jobs/results/{job_id}", headers=header).json()
        as_of = sales.clean["day"].max()
        assert body["rows"]["rows_read"] == sales.rows
        assert {r["reason"]: r["rows"] for r in body["rows"]["quarantined_by_reason"]} == dict(
            sales.reasons
        )
        for name, value in reference_kpis(sales.clean, as_of).items():
            assert body["kpis"][name] == pytest.approx(value, abs=0.011), name
        want = reference_segments(reference_customers(sales.clean, as_of))
        got = pd.DataFrame(body["segments"])[list(want.columns)]
        pd.testing.assert_frame_equal(
            got.sort_values("rfm_segment").reset_index(drop=True),
            want.sort_values("rfm_segment").reset_index(drop=True),
            check_dtype=False,
            atol=0.011,
        )
