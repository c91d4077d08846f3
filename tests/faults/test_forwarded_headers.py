"""Under a real uvicorn server configured as ``portal serve`` configures it: X-Forwarded-For
(and -Proto) count only from the proxies in PORTAL_TRUSTED_PROXIES. uvicorn's own default
trusts 127.0.0.1, so anyone on the machine could pick the address every per-IP limit
(sign-in, registration, password reset) and the audit log see."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from portal.app import create_app
from portal.bootstrap import ensure_ready
from portal.cli import server_options
from portal.db import get_engine
from portal.models import WebSession
from portal.settings import Settings, get_settings
from tests.support.live import live_server

SPOOFED = "203.0.113.9"


@pytest.mark.parametrize(
    ("trusted", "seen"),
    [
        ("", "127.0.0.1"),  # the default: no proxy in front
        ("10.0.0.0/8", "127.0.0.1"),  # a proxy, but the request did not come through it
        ("127.0.0.1", SPOOFED),
        ("10.0.0.1, 127.0.0.0/8", SPOOFED),
    ],
)
def test_forwarded_for_counts_only_from_a_trusted_proxy(
    data_dir: object, monkeypatch: pytest.MonkeyPatch, trusted: str, seen: str
) -> None:
    monkeypatch.setenv("PORTAL_TRUSTED_PROXIES", trusted)
    get_settings.cache_clear()
    ensure_ready()
    app = create_app(background_sync=False)
    with live_server(app, **server_options(get_settings())) as base:
        response = httpx.get(f"{base}/login", headers={"X-Forwarded-For": SPOOFED}, timeout=60)
        assert response.status_code == 200
    with Session(get_engine()) as session:
        assert session.exec(select(WebSession.ip)).all() == [seen]  # the sign-in page's session


def test_a_malformed_proxy_address_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_TRUSTED_PROXIES", "10.0.0.300")
    with pytest.raises(ValidationError, match="PORTAL_TRUSTED_PROXIES"):
        Settings()
