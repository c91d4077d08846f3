"""OpenID Connect sign-in through authlib's Starlette client.

Authorization code flow with PKCE (S256), ``state`` and ``nonce``. The issuer is pinned:
the discovery document must name exactly ``PORTAL_OIDC_ISSUER`` (checked at start-up and
whenever the document is loaded), and so must the ID token's ``iss``. The flow's state is
kept in our server-side session, which authlib sees as ``request.session``.
"""

from __future__ import annotations

import logging
from typing import Any

from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

from portal.settings import Settings

log = logging.getLogger("portal.oidc")
CLIENT_NAME = "portal"


class IssuerMismatch(RuntimeError):
    pass


_clients: dict[tuple[str, str], StarletteOAuth2App] = {}


def enabled(settings: Settings) -> bool:
    return bool(settings.portal_oidc_issuer and settings.portal_oidc_client_id)


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def client(settings: Settings) -> StarletteOAuth2App:
    assert settings.portal_oidc_issuer and settings.portal_oidc_client_id
    key = (settings.portal_oidc_issuer, settings.portal_oidc_client_id)
    if key not in _clients:
        oauth = OAuth()
        oauth.register(
            name=CLIENT_NAME,
            client_id=settings.portal_oidc_client_id,
            client_secret=settings.portal_oidc_client_secret,
            server_metadata_url=discovery_url(settings.portal_oidc_issuer),
            client_kwargs={
                "scope": settings.portal_oidc_scopes,
                "code_challenge_method": "S256",
                "timeout": 10,
            },
        )
        app = oauth.create_client(CLIENT_NAME)
        assert isinstance(app, StarletteOAuth2App)
        _clients[key] = app
    return _clients[key]


def check_issuer(metadata: dict[str, Any], expected: str) -> None:
    if metadata.get("issuer") != expected:
        raise IssuerMismatch(
            f"OIDC discovery names issuer {metadata.get('issuer')!r}, "
            f"but PORTAL_OIDC_ISSUER is {expected!r}"
        )


async def load_metadata(settings: Settings) -> dict[str, Any]:
    """The provider's discovery document, with its issuer checked against the pin."""
    assert settings.portal_oidc_issuer
    metadata: dict[str, Any] = await client(settings).load_server_metadata()
    check_issuer(metadata, settings.portal_oidc_issuer)
    return metadata


async def check_at_startup(settings: Settings) -> None:
    """Refuse to start against a provider that names another issuer; a provider that is
    down is reported and checked again at the first sign-in."""
    if not enabled(settings):
        return
    try:
        await load_metadata(settings)
    except IssuerMismatch:
        raise
    except Exception as exc:
        _clients.clear()
        log.warning("OIDC discovery at %s failed at start-up: %s", settings.portal_oidc_issuer, exc)


def id_token_claims_options(settings: Settings) -> dict[str, Any]:
    return {"iss": {"essential": True, "value": settings.portal_oidc_issuer}}
