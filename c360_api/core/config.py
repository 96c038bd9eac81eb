"""The API's settings: one pydantic-settings class, prefix `C360_`, read from the environment and `.env`.

Secrets are never stored: API keys are configured as sha256 hashes, so a leaked settings file or log
line does not leak a usable key.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from c360_contract.scopes import DATA_SCOPES, Scope

# Keys that appear in docs and examples; production refuses any key hashing to one of them.
PLACEHOLDER_KEYS: tuple[str, ...] = (
    "change-me",
    "changeme",
    "secret",
    "password",
    "test",
    "dev-key",
)
PLACEHOLDER_HASHES: frozenset[str] = frozenset(
    hashlib.sha256(k.encode()).hexdigest() for k in PLACEHOLDER_KEYS
)

DEFAULT_REFRESH_COMMAND: list[str] = [
    "{python}",
    "-c",
    "from c360_cli import main; raise SystemExit(main())",
    "pipeline",
    "--input",
    "{input}",
    "--warehouse",
    "{warehouse}",
    "--master",
    "{master}",
]


DEFAULT_JWT_SECRET = "change-me-local-jwt-secret-never-in-production"
DEFAULT_UPLOAD_JOB_COMMAND: list[str] = [
    "{python}",
    "-c",
    "from c360_cli import main; raise SystemExit(main())",
    "upload-job",
    "--job-dir",
    "{job_dir}",
    "--warehouse",
    "{warehouse}",
    "--remote",
    "{remote}",
]


class ApiKey(BaseModel):
    """One configured key: an id for logs and rate limits, the sha256 of the secret, its scopes."""

    key_id: str = Field(min_length=1, examples=["marketing-dashboard"])
    key_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="hex sha256 of the raw key")
    scopes: frozenset[Scope]


class Settings(BaseSettings):
    """Everything the API process can be told, with safe local defaults."""

    model_config = SettingsConfigDict(env_prefix="C360_", env_file=".env", extra="ignore")

    environment: Literal["local", "production"] = "local"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    warehouse: Path = Field(default=Path("warehouse"), description="Directory holding CURRENT.")
    data_dir: Path = Field(default=Path("data"), description="Pipeline input used by refresh.")
    snapshot_in_memory: bool = Field(
        default=True,
        description="Copy customer_profile, identity_crosswalk, fact_orders and "
        "fact_support_tickets into DuckDB memory (indexed on customer_id) in the background after "
        "a snapshot opens; it is served from views over Parquet until the copy is done. Costs "
        "memory (about 2 GiB at 1M customers, twice that during a switch) for much faster "
        "profile pages and customer views (docs/benchmarks.md).",
    )
    cache_ttl_seconds: float = Field(default=300.0, ge=0)
    cache_max_size: int = Field(default=1024, ge=1)
    rate_limit_per_minute: int = Field(
        default=600, ge=1, description="Requests a minute per API key (per address without one)."
    )
    failed_auth_per_minute: int = Field(
        default=10,
        ge=1,
        description="Requests a minute per client address carrying an X-API-Key that matches no "
        "key; past it they get 429, so keys cannot be guessed at the full rate. Valid keys from "
        "the same address keep their own budget.",
    )
    cors_origins: list[str] = Field(default_factory=list)
    api_keys: list[ApiKey] = Field(default_factory=list)
    anonymous_scopes: frozenset[Scope] = Field(
        default=frozenset(),
        description="Data scopes granted to requests without X-API-Key, for local demos (`make run` "
        "opens the four data scopes so the README's curl examples work as written). Never pii or "
        "admin; production refuses any.",
    )
    refresh_command: list[str] = Field(
        default_factory=lambda: list(DEFAULT_REFRESH_COMMAND),
        description="argv of the refresh job; {python}, {input}, {warehouse}, {master} are "
        "substituted; --force and --accept-shrink are appended when asked for.",
    )
    refresh_master: str = Field(
        default="local[2]",
        description="Spark master of the refresh job. Two task threads, so on a larger machine "
        "the API keeps cores to serve with while a refresh runs; `make run` builds its first "
        "snapshot with local[*], nothing being served yet.",
    )

    # --- accounts, uploads and workspaces (docs/uploads.md) ---------------------------------
    state_dir: Path = Field(
        default=Path("state"),
        description="Where the API keeps its own state: the SQLite database (when no "
        "database_url is set), uploaded files (`uploads/<user>/<job>/`) and workspace "
        "warehouses (`workspaces/<user>/<workspace>/`). Not the pipeline input (data_dir), "
        "whose fingerprint would change with every upload.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the users, workspaces and jobs database, e.g. "
        "postgresql+psycopg://c360@127.0.0.1:5432/c360. Default: SQLite (WAL) at "
        "STATE_DIR/c360.db.",
    )
    jwt_secret: str = Field(
        default=DEFAULT_JWT_SECRET,
        description="HMAC secret signing user tokens (HS256); production refuses the default.",
    )
    jwt_expiry_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    login_per_minute: int = Field(
        default=10, ge=1, description="Login attempts a minute per client address."
    )
    upload_max_bytes: int = Field(
        default=200 * 1024 * 1024, ge=1, description="Largest accepted upload (413 above)."
    )
    spark_connect_url: str | None = Field(
        default=None,
        description="A Spark Connect server run separately (sc://host:port): upload jobs use it "
        "and the API only probes it. Default: the API starts one on demand and supervises it.",
    )
    spark_connect_port: int = Field(default=15002, ge=1, le=65535)
    spark_connect_master: str = Field(
        default="local[2]",
        description="Spark master of the Spark Connect server the API starts for upload jobs "
        "(two task threads, as the refresh job).",
    )
    spark_connect_driver_memory: str = "4g"
    spark_connect_start_seconds: float = Field(
        default=120.0, gt=0, description="How long a starting server may take to listen."
    )
    upload_job_command: list[str] = Field(
        default_factory=lambda: list(DEFAULT_UPLOAD_JOB_COMMAND),
        description="argv of an upload job; {python}, {job_dir}, {warehouse}, {remote} are "
        "substituted. The next job's process is started ahead with '-' for the last three and "
        "must then read its order (c360_contract.uploads.JobOrder) from stdin.",
    )

    @model_validator(mode="after")
    def _production_is_locked_down(self) -> Self:
        if not self.anonymous_scopes <= DATA_SCOPES:
            raise ValueError("anonymous_scopes may only hold data scopes (never pii or admin)")
        if self.environment != "production":
            return self
        if self.anonymous_scopes:
            raise ValueError("production refuses anonymous access (anonymous_scopes must be empty)")
        if not any(Scope.ADMIN in k.scopes for k in self.api_keys):
            raise ValueError("production needs at least one API key with the admin scope")
        weak = [k.key_id for k in self.api_keys if k.key_sha256 in PLACEHOLDER_HASHES]
        if weak:
            raise ValueError(f"production refuses placeholder API keys: {weak}")
        if "*" in self.cors_origins:
            raise ValueError("production refuses CORS origin '*'")
        if self.jwt_secret == DEFAULT_JWT_SECRET or len(self.jwt_secret) < 32:
            raise ValueError("production needs its own jwt_secret of at least 32 characters")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.state_dir / 'c360.db').resolve()}"

    def upload_job_argv(self, job_dir: Path, warehouse: Path, remote: str) -> list[str]:
        """The upload job command with its placeholders filled in."""
        values = {
            "python": sys.executable,
            "job_dir": str(job_dir),
            "warehouse": str(warehouse),
            "remote": remote,
        }
        return [part.format(**values) for part in self.upload_job_command]

    def refresh_argv(self, force: bool, accept_shrink: bool = False) -> list[str]:
        """The refresh command with its placeholders filled in and the requested flags."""
        values = {
            "python": sys.executable,
            "input": str(self.data_dir),
            "warehouse": str(self.warehouse),
            "master": self.refresh_master,
        }
        argv = [part.format(**values) for part in self.refresh_command]
        flags = {"--force": force, "--accept-shrink": accept_shrink}
        return [*argv, *(flag for flag, wanted in flags.items() if wanted)]
