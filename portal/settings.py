"""Typed settings, read only through :func:`get_settings`.

The variable names are part of the interface others rely on (DESIGN.md, "Settings").
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "development-only-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    portal_env: Literal["development", "production"] = "development"
    portal_data_dir: Path = Path("var")
    portal_database_url: str | None = None
    portal_secret_key: str = DEFAULT_SECRET
    meili_url: str | None = None
    meili_api_key: str | None = None
    portal_oidc_issuer: str | None = None
    portal_oidc_client_id: str | None = None
    portal_oidc_client_secret: str | None = None
    # Matching weights of the demand's view (JSON object, feature → weight); the defaults
    # are matching.engine.DEFAULT_WEIGHTS, tuned on seed/eval's tuning part.
    portal_match_weights: dict[str, float] | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Accounts and security (issue 3). Without an SMTP host, mail is written under
    # PORTAL_DATA_DIR/mail and logged (the development set-up).
    portal_smtp_host: str | None = None
    portal_smtp_port: int = Field(default=587, ge=1, le=65535)
    portal_smtp_user: str | None = None
    portal_smtp_password: str | None = None
    portal_smtp_from: str = "湖南5G应用产业生态对接平台 <no-reply@localhost>"
    portal_smtp_starttls: bool = True
    portal_session_idle_minutes: int = Field(default=120, ge=1)
    portal_session_absolute_hours: int = Field(default=12, ge=1)
    portal_password_min_length: int = Field(default=10, ge=8)
    # The userinfo claim that carries the portal role (enterprise | vendor | official | admin).
    portal_oidc_role_claim: str = "portal_role"
    portal_oidc_scopes: str = "openid email profile"
    # Request bodies over this are refused (413) before anything reads them; room for the
    # largest upload (a 5 MB network file) and its multipart wrapping.
    portal_max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1)
    # Introductions (issue 13): new requests an organisation may send a day, and the days a
    # request waits for an answer before it expires.
    portal_intro_daily_limit: int = Field(default=20, ge=1, le=10_000)
    portal_intro_expire_days: int = Field(default=14, ge=1, le=365)
    # The reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed; nobody's by default, so a client cannot pick the
    # address the per-IP limits count.
    portal_trusted_proxies: str = ""
    # Notifications (issue 14): the portal's address as people reach it (links in mail and
    # WeCom messages written by the worker, which has no request to read it from), and how
    # often ``portal worker`` looks for work.
    portal_base_url: str = "http://127.0.0.1:8000"
    portal_worker_interval: float = Field(default=30.0, gt=0, le=3600)
    # What operators watch (issue 19): who may read /metrics (IPs or CIDRs, comma-separated,
    # matched against the client address as PORTAL_TRUSTED_PROXIES lets it be known), the
    # log format (json: one object per line), and how long a stopping server lets requests
    # in flight finish before it closes their connections.
    portal_metrics_allow: str = "127.0.0.1,::1"
    portal_log_format: Literal["text", "json"] = "text"
    portal_shutdown_grace: float = Field(default=10.0, gt=0, le=300)

    @field_validator("portal_trusted_proxies", "portal_metrics_allow")
    @classmethod
    def _proxies_are_addresses(cls, value: str, info: ValidationInfo) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{str(info.field_name).upper()}: {item!r} is not an IP address or CIDR"
                ) from None
        return value

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.portal_env == "production" and (
            self.portal_secret_key == DEFAULT_SECRET or len(self.portal_secret_key) < 32
        ):
            raise ValueError(
                "PORTAL_SECRET_KEY must be set to a random value of at least 32 characters "
                "when PORTAL_ENV=production"
            )
        return self

    @property
    def is_development(self) -> bool:
        return self.portal_env == "development"

    @property
    def database_url(self) -> str:
        if self.portal_database_url:
            url = self.portal_database_url
            # Accept the usual postgres:// spellings; we always talk to PostgreSQL via psycopg 3.
            for prefix in ("postgresql://", "postgres://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix) :]
            return url
        return f"sqlite:///{(self.portal_data_dir / 'portal.sqlite3').resolve()}"

    @property
    def trusted_proxies(self) -> list[str]:
        return [item.strip() for item in self.portal_trusted_proxies.split(",") if item.strip()]

    @property
    def metrics_allow(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [
            ipaddress.ip_network(item.strip(), strict=False)
            for item in self.portal_metrics_allow.split(",")
            if item.strip()
        ]

    @property
    def index_dir(self) -> Path:
        return self.portal_data_dir / "index"

    @property
    def mail_dir(self) -> Path:
        return self.portal_data_dir / "mail"


@lru_cache
def get_settings() -> Settings:
    return Settings()
