"""Settings: production lock-down and the refresh command."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from c360_api.core.config import ApiKey, Settings
from c360_contract.scopes import Scope


def key(raw: str, *scopes: Scope) -> ApiKey:
    return ApiKey(
        key_id=raw[:4],
        key_sha256=hashlib.sha256(raw.encode()).hexdigest(),
        scopes=frozenset(scopes),
    )


class TestSettings:
    def test_production_needs_an_admin_key(self) -> None:
        with pytest.raises(ValidationError, match="admin scope"):
            Settings(
                _env_file=None,
                environment="production",
                api_keys=[key("a-long-random-key", Scope.MARKETING)],
            )  # type: ignore[call-arg]

    def test_production_refuses_placeholder_keys(self) -> None:
        with pytest.raises(ValidationError, match="placeholder"):
            Settings(
                _env_file=None, environment="production", api_keys=[key("change-me", Scope.ADMIN)]
            )  # type: ignore[call-arg]

    def test_production_accepts_a_real_admin_key(self) -> None:
        s = Settings(
            _env_file=None,
            environment="production",
            api_keys=[key("k9$Qv-long-random", Scope.ADMIN)],
            jwt_secret="a-production-secret-of-32-characters-or-more",
        )  # type: ignore[call-arg]
        assert s.environment == "production"

    def test_local_allows_no_keys(self) -> None:
        assert Settings(_env_file=None).api_keys == []  # type: ignore[call-arg]

    def test_env_prefix_and_json_keys(self, monkeypatch: pytest.MonkeyPatch) -> None:
        digest = hashlib.sha256(b"x").hexdigest()
        monkeypatch.setenv("C360_RATE_LIMIT_PER_MINUTE", "7")
        monkeypatch.setenv(
            "C360_API_KEYS", f'[{{"key_id": "ops", "key_sha256": "{digest}", "scopes": ["admin"]}}]'
        )
        s = Settings(_env_file=None)  # type: ignore[call-arg]
        assert s.rate_limit_per_minute == 7
        assert s.api_keys[0].scopes == frozenset({Scope.ADMIN})

    def test_default_refresh_runs_c360_pipeline_with_this_interpreter(self) -> None:
        s = Settings(_env_file=None, warehouse=Path("/wh"), data_dir=Path("/in"))  # type: ignore[call-arg]
        argv = s.refresh_argv(force=True)
        assert argv[0] == sys.executable
        assert argv[3:] == [
            "pipeline",
            "--input",
            "/in",
            "--warehouse",
            "/wh",
            "--master",
            "local[2]",
            "--force",
        ]
        assert "--force" not in s.refresh_argv(force=False)
