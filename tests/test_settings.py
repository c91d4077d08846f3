import pytest
from pydantic import ValidationError

from portal.settings import DEFAULT_SECRET, Settings


def test_production_refuses_the_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="PORTAL_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    assert Settings().portal_env == "production"


def test_development_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "PORTAL_ENV",
        "PORTAL_SECRET_KEY",
        "PORTAL_DATABASE_URL",
        "PORTAL_DATA_DIR",
        "HOST",
        "PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.portal_secret_key == DEFAULT_SECRET
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith(
        "var/portal.sqlite3"
    )
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_postgres_urls_use_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgres://u:p@db:5432/portal")
    assert Settings().database_url == "postgresql+psycopg://u:p@db:5432/portal"
