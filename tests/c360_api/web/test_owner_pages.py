"""The owner's pages without a browser: the session cookie's flags, the CSRF double submit on
form posts and on cookie-signed API calls, sign-in redirects that stay on this site."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from c360_api.accounts.store import AccountStore
from tests.c360_api.accounts import PASSWORD, app_client, user_settings

SALES = "Customer,Date,Invoice,Amount\nC1,13/01/2024,I1,3.5\nC2,14/02/2024,I2,4\n"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with app_client(user_settings(tmp_path, f"sqlite:///{tmp_path / 'c360.db'}")) as client:
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert found is not None
    return found.group(1)


def register(client: TestClient, email: str = "owner@shop.example", **extra: str) -> str:
    """Register through the form; return the page's CSRF token."""
    token = csrf_of(client.get("/app/register").text)
    answer = client.post(
        "/app/register",
        data={"email": email, "password": PASSWORD, "csrf_token": token, **extra},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return token


def test_signed_out_pages_send_the_browser_to_the_login(client: TestClient) -> None:
    for path, target in [
        ("/app/jobs", "/app/jobs"),
        ("/app/upload", "/app/upload"),
        ("/workspaces/w1/?start=2024-01-01", "/workspaces/w1/%3Fstart%3D2024-01-01"),
    ]:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/app/login?next={target}"


def test_registration_sets_an_http_only_same_site_session(client: TestClient) -> None:
    token = csrf_of(client.get("/app/register").text)
    cookie = client.cookies.get("c360_csrf")
    assert cookie == token
    refused = client.post(
        "/app/register", data={"email": "a@b.example", "password": PASSWORD}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert refused.json()["error_type"] == "csrf"
    answer = client.post(
        "/app/register",
        data={"email": "a@b.example", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/jobs"
    session = next(
        h for h in answer.headers.get_list("set-cookie") if h.startswith("c360_session=")
    )
    assert "HttpOnly" in session
    assert "SameSite=strict" in session
    assert client.get("/app/jobs").status_code == 200


def test_the_session_cookie_holds_the_jwt_the_api_issues(client: TestClient) -> None:
    register(client)
    token = client.cookies.get("c360_session")
    assert token is not None
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", token)  # header.claims.signature
    app: Any = client.app
    user_id = app.state.tokens.user_id(token)
    assert user_id is not None
    user = AccountStore(app.state.db).get(user_id)
    assert user is not None
    assert user.email == "owner@shop.example"


def test_every_form_post_without_its_csrf_token_is_refused(client: TestClient) -> None:
    token = register(client)
    forms = {
        "/app/login": {"email": "owner@shop.example", "password": PASSWORD},
        "/app/register": {"email": "b@b.example", "password": PASSWORD},
        "/app/jobs/any/delete": {},
        "/app/logout": {},
    }
    for path, fields in forms.items():
        for wrong in ({}, {"csrf_token": "forged"}):
            answer = client.post(path, data={**fields, **wrong}, follow_redirects=False)
            assert answer.status_code == 403, (path, wrong)
            assert answer.json()["error_type"] == "csrf"
    # Still signed in: the refused logout ended nothing, and the token itself is accepted.
    assert client.get("/app/jobs").status_code == 200
    answer = client.post("/app/logout", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303


def test_a_next_page_on_another_host_is_not_followed(client: TestClient) -> None:
    token = csrf_of(client.get("/app/register").text)
    answer = client.post(
        "/app/register",
        data={
            "email": "a@b.example",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/app/jobs"


def test_field_errors_and_a_taken_email_are_shown_on_the_form(client: TestClient) -> None:
    register(client)
    client.cookies.delete("c360_session")
    token = csrf_of(client.get("/app/register").text)
    bad = client.post(
        "/app/register", data={"email": "x", "password": "short", "csrf_token": token}
    )
    assert bad.status_code == 422
    assert 'id="email-error"' in bad.text
    assert 'id="password-error"' in bad.text
    taken = client.post(
        "/app/register",
        data={"email": "owner@shop.example", "password": PASSWORD, "csrf_token": token},
    )
    assert taken.status_code == 422
    assert "already exists" in taken.text
    wrong = client.post(
        "/app/login",
        data={"email": "owner@shop.example", "password": "not-the-password", "csrf_token": token},
    )
    assert wrong.status_code == 401
    assert "Wrong email or password." in wrong.text


def test_cookie_signed_api_calls_that_change_something_need_the_csrf_header(
    client: TestClient,
) -> None:
    token = register(client)
    assert client.get("/api/jobs/").json() == []
    files = {"file": ("sales.csv", SALES, "text/csv")}
    refused = client.post("/api/jobs/upload/preview", files=files)
    assert refused.status_code == 403
    wrong = client.post("/api/jobs/upload/preview", files=files, headers={"X-CSRF-Token": "x"})
    assert wrong.status_code == 403
    answer = client.post("/api/jobs/upload/preview", files=files, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200, answer.text
    assert answer.json()["suggested_mapping"]["invoice_date"] == "Date"


def test_signing_out_ends_the_session(client: TestClient) -> None:
    token = register(client)
    answer = client.post("/app/logout", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303
    assert client.get("/api/jobs/").status_code == 401
    assert client.get("/app/jobs", follow_redirects=False).status_code == 303


def test_an_unknown_job_or_workspace_is_a_not_found_page(client: TestClient) -> None:
    register(client)
    assert client.get("/app/jobs/no-such-job").status_code == 404
    assert client.get("/app/jobs/no-such-job/delete").status_code == 404
    assert client.get("/workspaces/no-such-workspace/").status_code == 404
