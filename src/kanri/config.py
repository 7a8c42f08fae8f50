"""Settings from `KANRI_*` environment variables and an optional `kanri.toml`."""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


class Settings(BaseSettings):
    """Effective configuration. Environment wins over `kanri.toml`, which wins over defaults."""

    model_config = SettingsConfigDict(
        env_prefix="KANRI_",
        toml_file=os.environ.get("KANRI_CONFIG_FILE", "kanri.toml"),
        extra="ignore",
    )

    data_dir: Path = Field(
        default=Path("kanri-data"),
        description="where the SQLite database and the generated secret_key file live",
    )
    database_url: str | None = Field(
        default=None,
        description="sqlite:///path or postgresql+asyncpg://user:password@host/db; unset: "
        "SQLite in data_dir",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="the master secret (key pepper, page tokens, encryption at rest); the "
        "same on every process of a deployment; unset: generated into data_dir/secret_key",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis for rate limits shared by every process; unset: each process "
        "counts alone",
    )
    host: str = Field(default="127.0.0.1", description="address `kanri serve` listens on")
    port: int = Field(default=8000, description="port `kanri serve` listens on")
    log_level: str = Field(default="info", description="debug, info, warning or error")
    log_json: bool = Field(
        default=True, description="one JSON object per log line on stderr; false: plain text"
    )
    default_rate_limit_per_minute: int = Field(
        default=60,
        ge=1,
        description="requests a minute a new project's keys may make together (each project "
        "has its own `rate_limit_per_minute`)",
    )
    admin_rate_limit_per_minute: int = Field(
        default=600, ge=1, description="requests a minute of an organization's admin keys"
    )
    public_rate_limit_per_minute: int = Field(
        default=60,
        ge=1,
        description="requests a minute per client address on public routes (/ready, "
        "/openapi.json, /docs, /metrics)",
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="largest request body; larger ones get 413"
    )
    max_json_depth: int = Field(
        default=32, ge=2, description="deepest nesting of arrays and objects in a JSON body"
    )
    idempotency_ttl_seconds: int = Field(
        default=86_400,
        ge=60,
        description="how long the first answer to an Idempotency-Key is replayed",
    )
    key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="how long a process keeps API keys and projects it looked up: another "
        "process may accept a revoked key this long",
    )
    db_pool_size: int = Field(
        default=10,
        ge=1,
        description="PostgreSQL connections per pool of a process (it has about three pools)",
    )
    write_batch_size: int = Field(
        default=64,
        ge=1,
        le=1024,
        description="SQLite: commands the single writer commits in one transaction at most",
    )
    worker_enabled: bool = Field(
        default=True,
        description="run the worker role inside `kanri serve` (`--no-worker` turns it off)",
    )
    worker_concurrency: int = Field(
        default=16,
        ge=1,
        le=1000,
        description="runs one worker executes at once (`kanri worker --concurrency`)",
    )
    project_max_running_runs: int = Field(
        default=0,
        ge=0,
        description="runs of one project running at once, for projects whose "
        "`max_running_runs` is null; 0: no limit",
    )
    lease_seconds: float = Field(
        default=30.0,
        ge=1,
        le=3600,
        description="how long a worker's claim on a run lasts without a heartbeat; then "
        "another worker takes the run over",
    )
    poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="how often an idle worker looks for runs other processes made ready",
    )
    schedule_tick_seconds: float = Field(
        default=1.0, gt=0, le=60, description="how often the schedule leader fires due schedules"
    )
    audit_chain_seconds: float = Field(
        default=0.2, gt=0, le=60, description="how often a worker chains run audit rows"
    )
    webhook_dispatch_enabled: bool = Field(
        default=True, description="run the webhook dispatcher on this process's worker"
    )
    webhook_concurrency: int = Field(default=64, ge=1, le=1000, description="deliveries at once")
    webhook_timeout_seconds: float = Field(
        default=15.0, gt=0, le=60, description="longest one delivery attempt may take"
    )
    http_max_response_bytes: int = Field(
        default=10_485_760,
        ge=1024,
        description="largest response body an http step or the http_request tool reads; "
        "beyond it the call fails",
    )
    webhook_disable_after_days: float = Field(
        default=5.0, gt=0, description="disable an endpoint that failed without success this long"
    )
    event_retention_days: float = Field(default=30.0, gt=0, description="outbox events kept")
    trust_forwarded_for: bool = Field(
        default=False,
        description="take the client's address from X-Forwarded-For set by a trusted proxy",
    )
    trusted_proxies: str = Field(
        default="127.0.0.1",
        description="with trust_forwarded_for: the proxies (addresses or networks, "
        "comma-separated) whose X-Forwarded-For is believed",
    )
    auth_failure_limit_per_minute: int = Field(
        default=30,
        ge=1,
        description="failed authentications per client address and minute; beyond, 429 "
        "before any key is checked",
    )
    planned_routes: bool = Field(
        default=True,
        description="answer routes through the prefix index and the handlers planned at "
        "start (core/routing.py); false: through FastAPI's own router and handlers",
    )
    metrics_enabled: bool = Field(default=False, description="serve /metrics")
    metrics_token: SecretStr | None = Field(
        default=None,
        description="serve /metrics only with `Authorization: Bearer <token>` (setting it "
        "enables /metrics)",
    )
    knowledge_max_file_bytes: int = Field(
        default=10_485_760,
        ge=1024,
        description="largest file a knowledge upload takes (the request body cap applies too)",
    )
    content_cache_max_age_seconds: int = Field(
        default=60,
        ge=0,
        le=86_400,
        description="the delivery API's `Cache-Control: max-age`, and how long this process "
        "keeps a published representation when no publish in it says otherwise",
    )
    content_asset_max_bytes: int = Field(
        default=26_214_400,
        ge=1024,
        description="largest file a content asset upload takes (its request may be this much "
        "larger than max_body_bytes)",
    )
    content_assets_dir: Path | None = Field(
        default=None, description="where the disk asset store keeps files; unset: data_dir/assets"
    )
    assets_s3_endpoint: str | None = Field(
        default=None,
        description="an S3-compatible endpoint (`https://s3.eu-central-1.amazonaws.com`, "
        "`http://127.0.0.1:9000`); with assets_s3_bucket, content assets are kept there "
        "instead of on disk",
    )
    assets_s3_bucket: str | None = Field(default=None, description="the bucket of content assets")
    assets_s3_access_key: str | None = Field(default=None, description="the S3 access key id")
    assets_s3_secret_key: SecretStr | None = Field(
        default=None, description="the S3 secret access key"
    )
    assets_s3_region: str | None = Field(default=None, description="the S3 region, if it needs one")
    extract_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="wall-clock limit for reading one PDF, HTML or JSON document; the "
        "worker process reading it is stopped then",
    )
    extract_max_pages: int = Field(
        default=500, ge=1, le=100_000, description="pages of a PDF read at most"
    )
    extract_max_chars: int = Field(
        default=5_000_000,
        ge=1000,
        le=100_000_000,
        description="characters of text one document may yield",
    )
    extract_workers: int = Field(
        default=2, ge=1, le=64, description="worker processes reading PDF, HTML and JSON"
    )
    knowledge_vector_search: Literal["auto", "exact"] = Field(
        default="auto",
        description="auto: pgvector's HNSW index where PostgreSQL has it set up, exact "
        "(numpy) otherwise; exact: always exact",
    )
    template_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description="longest a step's templates may render (a step's timeout_seconds, "
        "when shorter, bounds them too)",
    )
    template_max_iterations: int = Field(
        default=1_000_000, ge=1000, description="loop iterations and calls in one render"
    )
    template_max_output_chars: int = Field(
        default=1_000_000,
        ge=1000,
        le=100_000_000,
        description="characters of text one template may make (a native value may weigh "
        "twenty times that)",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if value.startswith(("postgresql://", "postgres://")):
            value = "postgresql+asyncpg://" + value.split("://", 1)[1]
        if not (value.startswith(("sqlite", "postgresql+asyncpg://"))):
            raise ValueError("use sqlite:///path or postgresql+asyncpg://user@host/db")
        return value

    @property
    def effective_database_url(self) -> str:
        """The URL in use: the configured one, or SQLite in the data dir."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'kanri.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @cached_property
    def secret(self) -> bytes:
        """The master secret; generated into `data_dir/secret_key` (mode 0600) on first use."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        return load_or_create_secret(self.data_dir).encode()

    def masked(self) -> dict[str, Any]:
        """Effective settings as plain data, secrets and URL passwords masked."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "********"
            elif name in ("database_url", "redis_url") and value:
                value = _mask_url(value)
            elif isinstance(value, Path):
                value = str(value)
            out[name] = value
        out["effective_database_url"] = _mask_url(self.effective_database_url)
        return out


def _mask_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "********"


def load_or_create_secret(data_dir: Path) -> str:
    """Read the generated secret, creating it (0600) when absent."""
    path = data_dir / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value
