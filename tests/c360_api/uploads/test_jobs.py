"""Upload jobs through the API on SQLite and on PostgreSQL: accepted uploads, refusals, status,
results checked against pandas, the PDF report, workspace metrics, delete, a restart."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pypdfium2
import pytest
from pypdf import PdfReader
from structlog.testing import capture_logs

from c360_api.db.engine import Database
from c360_api.db.models import UploadJob
from c360_api.uploads.runner import WARM_UP
from c360_api.uploads.spark_connect import WARM_AFTER_JOBS, ServerCommand
from tests.c360_api.accounts import app_client, finished, sign_up, upload, upload_job_command
from tests.c360_api.helpers import error, wait_for
from tests.c360_api.uploads.test_spark_connect import LISTEN, free_port
from tests.upload_data import (
    MAPPING,
    make_sales,
    reference_customers,
    reference_kpis,
    reference_segments,
)


@pytest.fixture(scope="module")
def sales():
    return make_sales()


class TestUpload:
    def test_accepted_upload_runs_to_success(self, make_settings, database_url: str, sales) -> None:
        settings = make_settings(database_url)
        with app_client(settings) as client:
            header = sign_up(client, "a@b.example")
            accepted = upload(client, header, sales.text, name="../../etc/passwd")
            assert accepted.status_code == 202, accepted.text
            body = accepted.json()
            assert body["state"] == "queued"
            status = finished(client, header, body["job_id"])
        assert status["state"] == "succeeded", status
        assert status["percentage"] == 100
        assert status["file_name"] == "../../etc/passwd"  # shown back, never used as a path
        assert status["file_bytes"] == len(sales.text.encode())
        owner = next((settings.state_dir / "uploads").iterdir())
        stored = owner / body["job_id"]
        assert sorted(p.name for p in stored.iterdir()) == ["upload.csv", "upload.json"]
        assert (stored / "upload.csv").read_text() == sales.text
        spec = json.loads((stored / "upload.json").read_text())
        assert (spec["delimiter"], spec["decimal_separator"], spec["date_format"]) == (
            ";",
            ",",
            "%d/%m/%Y",
        )
        workspace = settings.state_dir / "workspaces" / owner.name / body["workspace_id"]
        assert (workspace / "CURRENT").read_text().strip() == status["snapshot_id"]

    @pytest.mark.parametrize(
        ("mapping", "message"),
        [
            (
                {k: v for k, v in MAPPING.items() if k != "amount"},
                "mapping lacks the required target(s): amount",
            ),
            (
                {**MAPPING, "amount": "Preis"},
                "mapping names column(s) the file does not have: Preis",
            ),
            ({**MAPPING, "colour": "Artikel"}, "mapping names unknown targets: colour"),
        ],
    )
    def test_mapping_problems_are_422_saying_which(
        self, make_settings, sqlite_url: str, sales, mapping, message
    ) -> None:
        with app_client(make_settings(sqlite_url)) as client:
            body = error(upload(client, sign_up(client, "a@b.example"), sales.text, mapping), 422)
        assert body["error_message"] == message

    def test_an_ambiguous_date_needs_date_format(self, make_settings, sqlite_url: str) -> None:
        text = "c;d;i;a\nC1;01/02/2024;I1;3\nC2;03/04/2024;I2;4\n"
        mapping = {"customer_id": "c", "invoice_date": "d", "invoice_id": "i", "amount": "a"}
        with app_client(make_settings(sqlite_url)) as client:
            header = sign_up(client, "a@b.example")
            body = error(upload(client, header, text, mapping), 422)
            assert body["error_details"]["fitting"] == ["%d/%m/%Y", "%m/%d/%Y"]
            assert upload(client, header, text, mapping, date_format="%m/%d/%Y").status_code == 202
            error(upload(client, header, text, mapping, date_format="%d.%d"), 422)

    @pytest.mark.parametrize(
        ("fields", "parameter"),
        [
            ({"clustering_method": "dbscan"}, "clustering_method"),
            ({"k": "1"}, "k"),
            ({"as_of": "31/12/2024"}, "as_of"),
        ],
    )
    def test_bad_options_are_422(self, make_settings, sqlite_url, sales, fields, parameter) -> None:
        with app_client(make_settings(sqlite_url)) as client:
            body = error(upload(client, sign_up(client, "a@b.example"), sales.text, **fields), 422)
        assert body["error_details"]["parameter"] == parameter

    def test_a_binary_file_is_415_and_an_empty_one_422(self, make_settings, sqlite_url) -> None:
        with app_client(make_settings(sqlite_url)) as client:
            header = sign_up(client, "a@b.example")
            error(upload(client, header, b"%PDF-1.7\n" + bytes(300)), 415)
            assert error(upload(client, header, b""), 422)["error_message"] == "The file is empty"

    def test_too_large_is_413_by_content_length_and_while_streaming(
        self, make_settings, sqlite_url: str
    ) -> None:
        settings = make_settings(sqlite_url, upload_max_bytes=1000)
        big = b"c;d;i;a\n" + b"C1;13/01/2024;I1;3\n" * 10_000
        with app_client(settings) as client:
            header = sign_up(client, "a@b.example")
            declared = upload(client, header, big)
            body = error(declared, 413)
            assert body["error_details"]["limit_bytes"] == 1000
            boundary = "x-boundary"
            parts = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()

            def chunks():
                yield parts
                for _ in range(100):
                    yield big[:5000]
                yield f"\r\n--{boundary}--\r\n".encode()

            streamed = client.post(
                "/api/jobs/upload",
                headers={**header, "Content-Type": f"multipart/form-data; boundary={boundary}"},
                content=chunks(),
            )
            assert "content-length" not in {k.lower() for k in streamed.request.headers}
            error(streamed, 413)
        leftovers = [p for p in (settings.state_dir / "uploads").rglob("*") if p.is_file()]
        assert leftovers == []


class TestStatus:
    def test_reports_a_failed_run_with_its_error(self, make_settings, sqlite_url, sales) -> None:
        with app_client(make_settings(sqlite_url, fail=True)) as client:
            header = sign_up(client, "a@b.example")
            job_id = upload(client, header, sales.text).json()["job_id"]
            status = finished(client, header, job_id)
            assert status["state"] == "failed"
            assert status["error"] == "EmptyInputError: no row of the file loaded"
            assert status["stage"] == "facts"
            assert status["percentage"] == 16  # ingest done: 1 of the 6 upload stages, rounded down
            assert (
                error(client.get(f"/api/jobs/results/{job_id}", headers=header), 409)[
                    "error_details"
                ]["state"]
                == "failed"
            )


class TestResults:
    def test_row_accounting_kpis_and_segments_match_pandas(
        self, make_settings, database_url, sales
    ) -> None:
        with app_client(make_settings(database_url)) as client:
            header = sign_up(client, "a@b.example")
            job_id = upload(client, header, sales.text).json()["job_id"]
            result = finished(client, header, job_id)
            assert result["state"] == "succeeded", result
            body = client.get(f"/api/jobs/results/{job_id}", headers=header).json()
        rows = body["rows"]
        assert rows["rows_read"] == sales.rows == rows["rows_loaded"] + rows["rows_quarantined"]
        assert {r["reason"]: r["rows"] for r in rows["quarantined_by_reason"]} == dict(
            sales.reasons
        )
        amounts = {
            s["Betrag"]
            for r in rows["quarantined_by_reason"]
            if r["reason"] == "invalid_amount"
            for s in r["samples"]
        }
        assert amounts == {"n/a", "12,5,0"}
        as_of = sales.clean["day"].max()
        assert body["as_of"] == as_of.isoformat()
        kpis = reference_kpis(sales.clean, as_of)
        for name, value in kpis.items():
            assert body["kpis"][name] == pytest.approx(value, abs=0.011), name
        want = reference_segments(reference_customers(sales.clean, as_of))
        got = pd.DataFrame(body["segments"])[list(want.columns)]
        pd.testing.assert_frame_equal(
            got.sort_values("rfm_segment").reset_index(drop=True),
            want.sort_values("rfm_segment").reset_index(drop=True),
            check_dtype=False,
            atol=0.011,
        )
        assert all(s["rfm_action"] for s in body["segments"])
        clusters = body["clusters"]
        assert clusters
        assert all(c["label"] and c["silhouette"] is not None for c in clusters)
        assert sum(c["customers"] for c in clusters) == sales.clean["customer_id"].nunique()
        assert body["clv"]["bgnbd"]["converged"]
        assert body["clv"]["problem"] is None
        assert body["links"]["report"] == f"/api/jobs/report/{job_id}"


class TestReport:
    def test_pdf_holds_kpis_segments_charts_accounting_and_snapshot(
        self, make_settings, sqlite_url, sales, tmp_path: Path
    ) -> None:
        with app_client(make_settings(sqlite_url)) as client:
            header = sign_up(client, "a@b.example")
            job_id = upload(client, header, sales.text).json()["job_id"]
            status = finished(client, header, job_id)
            report = client.get(f"/api/jobs/report/{job_id}", headers=header)
        assert report.status_code == 200
        assert report.headers["content-type"] == "application/pdf"
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(report.content)).pages]
        text = " ".join(pages)
        for needle in (
            "Key figures",
            "Customer segments",
            "Revenue by month",
            "rows read",
            "Customer clusters",
            "Customer lifetime value model",
            "BG/NBD r, alpha, a, b",
            status["snapshot_id"],
            "invalid_amount",
        ):
            assert needle in text, needle
        # the row accounting is not cut across pages: its heading, totals and reasons share one
        (accounting,) = [page for page in pages if "Where every row of the file went" in page]
        for needle in ("after the as-of date", *sales.reasons):
            assert needle in accounting, needle
        pdf = pypdfium2.PdfDocument(report.content)
        images = [pdf[i].render(scale=1).to_pil() for i in range(len(pdf))]
        assert len(images) >= 2
        # a chart page is not blank: a good share of its pixels are not white
        colours = images[0].convert("L").getcolors(maxcolors=256 * 256) or []
        assert sum(n for n, value in colours if value < 200) > 1000


class TestWorkspaceMetrics:
    def test_every_representation_and_missing_inputs(
        self, make_settings, sqlite_url, sales
    ) -> None:
        with app_client(make_settings(sqlite_url)) as client:
            header = sign_up(client, "a@b.example")
            accepted = upload(client, header, sales.text).json()
            finished(client, header, accepted["job_id"])
            base = f"/workspaces/{accepted['workspace_id']}"
            kpi = client.get(f"{base}/kpi/summary", headers=header)
            assert kpi.status_code == 200
            assert kpi.json()["data"][0]["total_revenue"] == pytest.approx(
                reference_kpis(sales.clean, sales.clean["day"].max())["total_revenue"], abs=0.011
            )
            png = client.get(f"{base}/orders/heatmap?format=png", headers=header)
            assert png.headers["content-type"] == "image/png"
            assert png.content[:4] == b"\x89PNG"
            for fmt, media in (
                ("csv", "text/csv"),
                ("html", "text/html"),
                ("vega", "application/vnd.vegalite.v5+json"),
            ):
                answer = client.get(f"{base}/finance/rfm-segmentation?format={fmt}", headers=header)
                assert answer.status_code == 200
                assert answer.headers["content-type"].startswith(media)
            missing = error(
                client.get(f"{base}/customer-success/support-insights", headers=header), 422
            )
            assert missing["error_details"]["missing_inputs"] == ["mart_support_insights"]
            catalog = client.get(f"{base}/catalog", headers=header).json()
            paths = {e["path"] for e in catalog["data"]}
            assert f"{base}/kpi/summary" in paths
            assert f"{base}/customer-success/support-insights" not in paths
            assert f"{base}/kpi/conversion" not in paths
            # the retailer's snapshot stays at the root paths, closed to a user's token
            error(client.get("/kpi/summary", headers=header), 403)


class TestDelete:
    def test_removes_files_and_rows(self, make_settings, database_url, sales) -> None:
        settings = make_settings(database_url)
        with app_client(settings) as client:
            header = sign_up(client, "a@b.example")
            accepted = upload(client, header, sales.text).json()
            finished(client, header, accepted["job_id"])
            assert (
                client.delete(f"/api/jobs/{accepted['job_id']}", headers=header).status_code == 204
            )
            error(client.get(f"/api/jobs/status/{accepted['job_id']}", headers=header), 404)
            error(
                client.get(f"/workspaces/{accepted['workspace_id']}/kpi/summary", headers=header),
                404,
            )
            assert client.get("/api/jobs/", headers=header).json() == []
        assert [
            p for p in settings.state_dir.rglob("*") if p.is_file() and "spark" not in p.parts[-2]
        ] == list(settings.state_dir.glob("c360.db*"))


class TestStandby:
    def test_the_next_job_runs_in_the_process_started_ahead_of_it(
        self, make_settings, sqlite_url, sales
    ) -> None:
        settings = make_settings(sqlite_url)
        with app_client(settings) as client:
            runner = client.app.state.uploads.runner  # type: ignore[attr-defined]
            assert runner.standby_pid is None  # nothing started before the first upload
            header = sign_up(client, "a@b.example")
            first = upload(client, header, sales.text).json()["job_id"]
            assert finished(client, header, first)["state"] == "succeeded"
            standby = wait_for(lambda: runner.standby_pid)
            with capture_logs() as logs:
                second = upload(client, header, sales.text).json()["job_id"]
                assert finished(client, header, second)["state"] == "succeeded"
            assert started_pid(logs, second) == standby  # it waited alive for its order
            following = wait_for(lambda: runner.standby_pid)
            assert following != standby
        assert runner.standby_pid is None
        with pytest.raises(ProcessLookupError):  # stopped with the API
            os.kill(following, 0)

    def test_a_dead_standby_is_replaced_by_a_fresh_process(
        self, make_settings, sqlite_url, sales
    ) -> None:
        settings = make_settings(sqlite_url)
        with app_client(settings) as client:
            runner = client.app.state.uploads.runner  # type: ignore[attr-defined]
            header = sign_up(client, "a@b.example")
            first = upload(client, header, sales.text).json()["job_id"]
            assert finished(client, header, first)["state"] == "succeeded"
            killed = wait_for(lambda: runner.standby_pid)
            os.kill(killed, signal.SIGKILL)
            wait_for(lambda: runner.standby_pid is None)
            with capture_logs() as logs:
                second = upload(client, header, sales.text).json()["job_id"]
                assert finished(client, header, second)["state"] == "succeeded"
            assert started_pid(logs, second) not in (None, killed)


class TestWarmUp:
    """A server the API started is warmed with the built-in upload while no upload waits (a
    stand-in server and the fake job here; the end-to-end test runs the real ones)."""

    @pytest.fixture
    def managed(
        self, make_settings, sqlite_url, upload_warehouse, warehouse, tmp_path, monkeypatch
    ):
        def build(seconds: float = 0.0):
            port = free_port()
            command = ServerCommand(
                [sys.executable, "-c", LISTEN, str(port)], {}, tmp_path / "spark-log"
            )
            monkeypatch.setattr("c360_api.main.managed_command", lambda *_: command)
            _, template, _ = upload_warehouse
            job = [*upload_job_command(template), "--seconds", str(seconds)]
            return make_settings(
                sqlite_url,
                spark_connect_url=None,
                spark_connect_port=port,
                upload_job_command=job,
                warehouse=warehouse,  # /health answers over a snapshot
            )

        return build

    def test_a_started_server_is_warmed_after_its_first_upload(self, managed, sales) -> None:
        settings = managed()
        with app_client(settings) as client:
            health = lambda: client.get("/health").json()["data"]["spark_connect"]  # noqa: E731
            assert (health()["state"], health()["jobs_run"], health()["warm"]) == (
                "stopped", 0, False,
            )  # fmt: skip
            header = sign_up(client, "a@b.example")
            with capture_logs() as logs:
                job_id = upload(client, header, sales.text).json()["job_id"]
                assert finished(client, header, job_id)["state"] == "succeeded"
                wait_for(lambda: health()["warm"])
                wait_for(lambda: not (settings.state_dir / "warm-up").exists())
            assert health()["jobs_run"] == WARM_AFTER_JOBS
            warm_ups = [e for e in logs if e["event"] == "upload_warm_up_finished"]
            assert [(e["exit_code"], e["outcome"]) for e in warm_ups] == [(0, "published")] * (
                WARM_AFTER_JOBS - 1
            )
            listed = client.get("/api/jobs/", headers=header).json()
            assert [j["job_id"] for j in listed] == [job_id]  # a warm-up is no job

    def test_an_upload_stops_a_running_warm_up(self, managed, sales) -> None:
        settings = managed(seconds=3.0)
        with app_client(settings) as client:
            header = sign_up(client, "a@b.example")
            first = upload(client, header, sales.text).json()["job_id"]
            with capture_logs() as logs:
                assert finished(client, header, first)["state"] == "succeeded"
                runner = client.app.state.uploads.runner  # type: ignore[attr-defined]
                wait_for(lambda: runner.running == WARM_UP)
                started = time.monotonic()
                second = upload(client, header, sales.text).json()["job_id"]
                assert finished(client, header, second)["state"] == "succeeded"
                took = time.monotonic() - started
            assert took < 3.0 + 2.5  # its own 3 s, not behind a warm-up's
            stopped = next(e for e in logs if e["event"] == "upload_warm_up_finished")
            assert stopped["exit_code"] != 0


def started_pid(logs: Sequence[Mapping[str, Any]], job_id: str) -> int | None:
    """The process id the runner logged for `job_id`'s start."""
    return next(
        (e["pid"] for e in logs if e["event"] == "upload_job_started" and e["job_id"] == job_id),
        None,
    )


class TestRestart:
    def test_a_job_running_when_the_api_died_is_failed_and_can_be_resubmitted(
        self, make_settings, database_url, sales
    ) -> None:
        settings = make_settings(database_url)
        with app_client(settings) as client:
            header = sign_up(client, "a@b.example")
            job_id = upload(client, header, sales.text).json()["job_id"]
            finished(client, header, job_id)
        db = Database(settings.sqlalchemy_url)
        with db.session() as session:  # as if the API had died while the job ran
            job = session.get(UploadJob, job_id)
            assert job is not None
            job.state, job.pid, job.stage = "running", 999_999, "facts"
        db.close()
        with app_client(settings) as client:
            header = sign_up_again(client)
            status = client.get(f"/api/jobs/status/{job_id}", headers=header).json()
            assert status["state"] == "failed"
            assert "the API stopped while this job ran (pid 999999)" in status["error"]
            again = client.post(f"/api/jobs/{job_id}/resubmit", headers=header)
            assert again.status_code == 202
            result = finished(client, header, job_id)
            assert result["state"] == "succeeded", result
            assert client.get(f"/api/jobs/status/{job_id}", headers=header).json()["attempts"] == 2
            error(client.post(f"/api/jobs/{job_id}/resubmit", headers=header), 409)


def sign_up_again(client) -> dict[str, str]:
    from tests.c360_api.accounts import PASSWORD

    token = client.post("/api/auth/login", data={"username": "a@b.example", "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}
