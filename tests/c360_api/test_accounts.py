"""Accounts on SQLite and on a real PostgreSQL server: register, log in, tokens, rate limit."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
import structlog
from pydantic import ValidationError
from sqlalchemy import inspect, text

from c360_api.accounts.tokens import ALGORITHM, TokenCodec
from c360_api.core.config import ApiKey, Settings
from c360_api.db.engine import Database
from c360_api.db.models import Base
from c360_contract.scopes import Scope
from tests.c360_api.accounts import PASSWORD, app_client, sign_up, user_settings
from tests.c360_api.helpers import error


class TestMigrations:
    def test_the_migrations_build_the_models_tables(self, database_url: str) -> None:
        db = Database(database_url)
        db.migrate()
        db.migrate()  # idempotent: an API restart migrates nothing
        inspector = inspect(db.engine)
        for table in Base.metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            assert columns == set(table.columns.keys()), table.name
        db.close()

    def test_sqlite_runs_in_wal_mode(self, tmp_path: Path) -> None:
        db = Database(f"sqlite:///{tmp_path / 'c.db'}")
        with db.engine.connect() as con:
            assert con.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        db.close()


class TestOpen:
    def test_no_other_thread_gets_a_session_before_the_hooks_ran(self, tmp_path: Path) -> None:
        """The hooks (upload-job recovery) use sessions themselves; a request's session waits for
        them, and they run once."""
        db = Database(f"sqlite:///{tmp_path / 'c.db'}")
        in_hook, release = threading.Event(), threading.Event()
        events: list[str] = []

        def hook() -> None:
            with db.session() as session:
                session.execute(text("SELECT 1"))
            in_hook.set()
            release.wait(30)
            events.append("hook")

        def request() -> None:
            with db.session() as session:
                session.execute(text("SELECT 1"))
            events.append("request")

        db.on_open(hook)
        opener = threading.Thread(target=db.open)
        opener.start()
        assert in_hook.wait(30)
        other = threading.Thread(target=request)
        other.start()
        other.join(1.0)
        assert other.is_alive()  # still waiting for the hook
        release.set()
        opener.join()
        other.join()
        db.open()
        assert events == ["hook", "request"]
        db.close()


class TestRegister:
    def test_creates_an_account_and_refuses_the_same_email_again(
        self, tmp_path: Path, database_url: str
    ) -> None:
        with app_client(user_settings(tmp_path, database_url)) as client:
            created = client.post(
                "/api/auth/register", json={"email": "Owner@Shop.example", "password": PASSWORD}
            )
            assert created.status_code == 201
            assert created.json()["email"] == "owner@shop.example"
            again = client.post(
                "/api/auth/register", json={"email": "owner@shop.EXAMPLE", "password": PASSWORD}
            )
            assert error(again, 409)["error_message"] == "An account with this email already exists"

    @pytest.mark.parametrize(
        "body",
        [
            {"email": "not-an-email", "password": PASSWORD},
            {"email": "a@b.example", "password": "short"},
            {"email": "a@b.example", "password": "x" * 129},
            {"email": "a@b.example"},
        ],
    )
    def test_refuses_bad_input(self, tmp_path: Path, body: dict[str, str]) -> None:
        with app_client(user_settings(tmp_path, f"sqlite:///{tmp_path / 'c.db'}")) as client:
            error(client.post("/api/auth/register", json=body), 422)

    @pytest.mark.parametrize(
        ("path", "content_type", "content"),
        [
            ("/api/auth/register", "application/json", b"{"),  # malformed JSON
            ("/api/auth/login/json", "application/json", b",\xff"),  # not UTF-8
        ],
    )
    def test_a_body_it_cannot_parse_is_422_naming_the_body(
        self, tmp_path: Path, path: str, content_type: str, content: bytes
    ) -> None:
        with app_client(user_settings(tmp_path, f"sqlite:///{tmp_path / 'c.db'}")) as client:
            response = client.post(path, content=content, headers={"Content-Type": content_type})
            (problem,) = error(response, 422)["error_details"]["errors"]
            assert (problem["parameter"], problem["location"]) == ("body", "body")

    def test_stores_an_argon2_hash_never_the_password(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'c.db'}"
        with app_client(user_settings(tmp_path, url)) as client:
            sign_up(client, "a@b.example")
        db = Database(url)
        with db.engine.connect() as con:
            stored = con.exec_driver_sql("SELECT password_hash FROM users").scalar()
        assert isinstance(stored, str)
        assert stored.startswith("$argon2id$")
        assert PASSWORD not in stored


class TestLogin:
    def test_form_and_json_logins_give_tokens_for_me(
        self, tmp_path: Path, database_url: str
    ) -> None:
        with app_client(user_settings(tmp_path, database_url)) as client:
            header = sign_up(client, "a@b.example")
            me = client.get("/api/auth/me", headers=header)
            assert me.status_code == 200
            assert me.json()["email"] == "a@b.example"
            json_login = client.post(
                "/api/auth/login/json", json={"email": "a@b.example", "password": PASSWORD}
            )
            assert json_login.status_code == 200
            assert json_login.json()["token_type"] == "bearer"
            assert json_login.json()["expires_in"] == 3600

    def test_wrong_password_and_unknown_email_are_401_and_logged_without_the_password(
        self, tmp_path: Path
    ) -> None:
        with app_client(user_settings(tmp_path, f"sqlite:///{tmp_path / 'c.db'}")) as client:
            sign_up(client, "a@b.example")
            with structlog.testing.capture_logs() as logs:
                wrong = client.post(
                    "/api/auth/login", data={"username": "a@b.example", "password": "nope-nope-9"}
                )
                unknown = client.post(
                    "/api/auth/login", data={"username": "z@b.example", "password": PASSWORD}
                )
        error(wrong, 401)
        error(unknown, 401)
        failed = [entry for entry in logs if entry["event"] == "login_failed"]
        assert [entry["email"] for entry in failed] == ["a@b.example", "z@b.example"]
        assert all(
            "nope-nope-9" not in repr(entry) and PASSWORD not in repr(entry) for entry in logs
        )

    def test_login_is_rate_limited_per_address(self, tmp_path: Path) -> None:
        settings = user_settings(tmp_path, f"sqlite:///{tmp_path / 'c.db'}", login_per_minute=3)
        with app_client(settings) as client:
            answers = [
                client.post("/api/auth/login", data={"username": "a@b.example", "password": "x"})
                for _ in range(4)
            ]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        assert int(answers[3].headers["Retry-After"]) >= 1


class TestMe:
    def test_needs_a_valid_unexpired_token(self, tmp_path: Path) -> None:
        settings = user_settings(tmp_path, f"sqlite:///{tmp_path / 'c.db'}")
        with app_client(settings) as client:
            header = sign_up(client, "a@b.example")
            user_id = client.get("/api/auth/me", headers=header).json()["id"]
            error(client.get("/api/auth/me"), 401)
            codec = TokenCodec(settings.jwt_secret, 60)
            expired = codec.issue(user_id, datetime.now(UTC) - timedelta(hours=2)).token
            error(client.get("/api/auth/me", headers={"Authorization": f"Bearer {expired}"}), 401)
            forged = jwt.encode(
                {
                    "sub": user_id,
                    "iat": datetime.now(UTC),
                    "exp": datetime.now(UTC) + timedelta(hours=1),
                    "typ": "access",
                },
                "another-secret-of-at-least-32-bytes!!",
                algorithm=ALGORITHM,
            )
            error(client.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"}), 401)

    def test_a_users_token_opens_no_retailer_data(self, tmp_path: Path) -> None:
        with app_client(user_settings(tmp_path, f"sqlite:///{tmp_path / 'c.db'}")) as client:
            header = sign_up(client, "a@b.example")
            error(client.get("/kpi/summary", headers=header), 403)


class TestProductionSecret:
    def test_production_refuses_the_default_jwt_secret(self) -> None:
        admin = ApiKey(
            key_id="ops",
            key_sha256=hashlib.sha256(b"k9$Qv-long").hexdigest(),
            scopes=frozenset({Scope.ADMIN}),
        )
        with pytest.raises(ValidationError, match="jwt_secret"):
            Settings(_env_file=None, environment="production", api_keys=[admin])  # type: ignore[call-arg]
        ok = Settings(
            _env_file=None, environment="production", api_keys=[admin], jwt_secret="s" * 32
        )  # type: ignore[call-arg]
        assert ok.jwt_secret == "s" * 32
