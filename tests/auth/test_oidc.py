from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.auth import oidc
from portal.settings import Settings, get_settings

ISSUER = "https://id.example.org"


def configured(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("PORTAL_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("PORTAL_OIDC_CLIENT_ID", "portal")
    monkeypatch.setenv("PORTAL_OIDC_CLIENT_SECRET", "secret")
    get_settings.cache_clear()
    oidc._clients.clear()
    return get_settings()


@pytest.fixture(autouse=True)
def _reset() -> Any:
    yield
    get_settings.cache_clear()
    oidc._clients.clear()


def test_the_issuer_is_pinned() -> None:
    oidc.check_issuer({"issuer": ISSUER}, ISSUER)
    with pytest.raises(oidc.IssuerMismatch):
        oidc.check_issuer({"issuer": ISSUER + "/"}, ISSUER)
    with pytest.raises(oidc.IssuerMismatch):
        oidc.check_issuer({}, ISSUER)


def test_id_token_iss_is_checked_against_the_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = configured(monkeypatch)
    assert oidc.id_token_claims_options(settings) == {"iss": {"essential": True, "value": ISSUER}}


def test_the_client_uses_pkce_s256(monkeypatch: pytest.MonkeyPatch) -> None:
    client = oidc.client(configured(monkeypatch))
    assert client.client_kwargs["code_challenge_method"] == "S256"
    assert "openid" in client.client_kwargs["scope"]


def test_start_up_refuses_a_provider_naming_another_issuer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from portal.app import create_app

    settings = configured(monkeypatch)

    async def foreign(*_: Any, **__: Any) -> dict[str, str]:
        return {"issuer": "https://evil.example.org"}

    monkeypatch.setattr(type(oidc.client(settings)), "load_server_metadata", foreign)
    with pytest.raises(oidc.IssuerMismatch), TestClient(create_app(background_sync=False)):
        pass


def test_start_up_survives_a_provider_that_is_down(
    monkeypatch: pytest.MonkeyPatch, session: Session
) -> None:
    from portal.app import create_app
    from portal.deps import get_session

    settings = configured(monkeypatch)

    async def down(*_: Any, **__: Any) -> dict[str, str]:
        raise OSError("connection refused")

    monkeypatch.setattr(type(oidc.client(settings)), "load_server_metadata", down)
    app = create_app(background_sync=False)
    app.dependency_overrides[get_session] = lambda: session
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/login")
        assert "使用统一身份认证登录" in page.text
        # The first sign-in tries again and says the service is unavailable.
        assert client.get("/auth/oidc/login").status_code == 503


def test_without_configuration_there_is_no_oidc(client: TestClient) -> None:
    assert "统一身份认证" not in client.get("/login").text
    assert client.get("/auth/oidc/login").status_code == 404
