"""Two users: each sees and deletes only their own jobs and workspaces; any other user's id is
404 (never 403), on every job and workspace route, and so is a guessed id."""

from __future__ import annotations

import uuid

import pytest

from tests.c360_api.accounts import app_client, sign_up
from tests.c360_api.helpers import error
from tests.c360_api.uploads.conftest import finished, upload
from tests.upload_data import make_sales

JOB_ROUTES = (
    ("GET", "/api/jobs/status/{job}"),
    ("GET", "/api/jobs/results/{job}"),
    ("GET", "/api/jobs/report/{job}"),
    ("POST", "/api/jobs/{job}/resubmit"),
    ("DELETE", "/api/jobs/{job}"),
)
WORKSPACE_ROUTES = (
    "/workspaces/{ws}/catalog",
    "/workspaces/{ws}/kpi/summary",
    "/workspaces/{ws}/finance/rfm-segmentation?format=png",
    "/workspaces/{ws}/customer-success/support-insights",
)


class TestIsolation:
    def test_another_users_jobs_and_workspaces_are_404(self, make_settings, database_url) -> None:
        with app_client(make_settings(database_url)) as client:
            alice, bob = sign_up(client, "alice@b.example"), sign_up(client, "bob@b.example")
            mine = upload(client, alice, make_sales(40).text).json()
            assert finished(client, alice, mine["job_id"])["state"] == "succeeded"
            assert client.get("/api/jobs/", headers=bob).json() == []
            assert [j["job_id"] for j in client.get("/api/jobs/", headers=alice).json()] == [
                mine["job_id"]
            ]
            guessed = uuid.uuid4().hex
            for job in (mine["job_id"], guessed, "../../etc"):
                for method, route in JOB_ROUTES:
                    answer = client.request(method, route.format(job=job), headers=bob)
                    assert answer.status_code == 404, (method, route, job, answer.text)
                    assert answer.json()["success"] is False
            for ws in (mine["workspace_id"], guessed):
                for route in WORKSPACE_ROUTES:
                    error(client.get(route.format(ws=ws), headers=bob), 404)
            # alice still has everything bob tried to delete
            assert (
                client.get(f"/api/jobs/status/{mine['job_id']}", headers=alice).status_code == 200
            )
            assert (
                client.get(
                    f"/workspaces/{mine['workspace_id']}/kpi/summary", headers=alice
                ).status_code
                == 200
            )

    @pytest.mark.parametrize(
        "route",
        ["/api/jobs/", "/api/jobs/status/x", "/workspaces/x/kpi/summary", "/workspaces/x/catalog"],
    )
    def test_no_token_is_401(self, make_settings, sqlite_url: str, route: str) -> None:
        with app_client(make_settings(sqlite_url)) as client:
            error(client.get(route), 401)

    def test_an_api_key_is_not_a_user(self, make_settings, sqlite_url: str) -> None:
        with app_client(make_settings(sqlite_url)) as client:
            error(client.get("/api/jobs/", headers={"X-API-Key": "whatever"}), 401)
