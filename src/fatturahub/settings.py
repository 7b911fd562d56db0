"""Service settings, from the environment (prefix FATTURAHUB_) or a .env file."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from pydantic import Field, PrivateAttr, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EMBEDDED_DIR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FATTURAHUB_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{EMBEDDED_DIR}/fatturahub.db",
        description="sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db",
    )
    database_schema: str | None = Field(
        default=None,
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="PostgreSQL schema to work in (search_path); default: the server's",
    )
    storage_path: Path = Field(default=EMBEDDED_DIR / "blobs", description="file storage root")
    secret_key: SecretStr | None = Field(
        default=None,
        description="signs access tokens; required on PostgreSQL, generated under var/ when embedded",
    )
    operator_token: SecretStr | None = Field(
        default=None, description="bearer token of the service operator (manages accounts)"
    )
    channel_certificates_dir: Path = Field(
        default=EMBEDDED_DIR / "certs",
        description="SDICoop client certificates, one folder per account id (set by the operator)",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="where this service is reached (sandbox callbacks)"
    )
    sandbox_url: str | None = Field(
        default=None, description="SdIRiceviFile of the SDI sandbox; default: the built-in one"
    )
    sandbox_enabled: bool | None = Field(
        default=None, description="serve the built-in SDI sandbox at /sandbox; default: only when embedded"
    )
    run_worker: bool | None = Field(
        default=None, description="run a job worker inside the server; default: only when embedded"
    )
    webhooks_private_networks: bool | None = Field(
        default=None,
        description="let webhooks reach loopback/private addresses; default: only when embedded",
    )
    worker_concurrency: int = Field(default=8, ge=1, le=64, description="jobs a worker runs at once")
    job_lease_seconds: int = Field(
        default=300, ge=1, description="a job whose worker died is taken again after this long"
    )
    job_retention_days: int = Field(
        default=7, ge=1, description="finished jobs are deleted after this long (failed ones are kept)"
    )
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    idempotency_hours: int = Field(default=24, ge=1, le=24 * 30)
    default_storage_quota_bytes: int = Field(default=10 * 1024**3, ge=0)
    log_level: str = "INFO"

    _signing_key: str | None = PrivateAttr(default=None)

    @property
    def sandbox_endpoint(self) -> str:
        return self.sandbox_url or f"{self.public_url.rstrip('/')}/sandbox/SdIRiceviFile"

    @property
    def sandbox_in_process(self) -> bool:
        return self.sandbox_enabled if self.sandbox_enabled is not None else self.embedded

    @property
    def webhooks_reach_private_networks(self) -> bool:
        allowed = self.webhooks_private_networks
        return allowed if allowed is not None else self.embedded

    @property
    def worker_in_process(self) -> bool:
        return self.run_worker if self.run_worker is not None else self.embedded

    @property
    def embedded(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _secret_key_outside_embedded(self) -> Settings:
        if self.secret_key is None and not self.embedded:
            raise ValueError("FATTURAHUB_SECRET_KEY is required with a PostgreSQL database")
        return self

    def signing_key(self) -> str:
        """The token signing key; on the embedded default, one generated once under var/.
        Read once: it is needed on every authenticated request."""
        if self._signing_key is None:
            self._signing_key = (
                self.secret_key.get_secret_value() if self.secret_key is not None else _embedded_key()
            )
        return self._signing_key


def _embedded_key() -> str:
    path = EMBEDDED_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@cache
def get_settings() -> Settings:
    return Settings()
