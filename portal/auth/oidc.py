"""OpenID Connect sign-in through authlib's Starlette client.

Authorization code flow with PKCE (S256), ``state`` and ``nonce``. The issuer is pinned:
the discovery document must name exactly ``PORTAL_OIDC_ISSUER`` (checked at start-up and
whenever the document is loaded), and so must the ID token's ``iss``. The flow's state is
kept in our server-side session, which authlib sees as ``request.session``.

:func:`oidc_sign_in` finds, links or creates the account of the identity the provider
vouched for; like a service, it takes the database session and never commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from sqlmodel import Session, select

from portal.audit import service as audit
from portal.auth import sessions
from portal.auth.accounts import find_user_by_email
from portal.auth.permissions import Role
from portal.auth.schemas import email_error, normalise_email
from portal.kit.errors import FieldErrors
from portal.kit.i18n import _
from portal.models import User
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


# --- the account of an identity ---------------------------------------------------------

_ROLE_PRIORITY = (Role.ADMIN, Role.OFFICIAL, Role.VENDOR, Role.ENTERPRISE)


def role_from_claim(value: Any) -> Role | None:
    """The portal role named by the configured userinfo claim (a string or a list; the
    most privileged known role of a list wins)."""
    values: Iterable[Any] = value if isinstance(value, list | tuple) else [value]
    names = {str(v).strip().lower() for v in values if v is not None}
    return next((role for role in _ROLE_PRIORITY if role.value in names), None)


def oidc_sign_in(
    session: Session,
    *,
    issuer: str,
    userinfo: dict[str, Any],
    role_claim: str,
    now: datetime,
    ip: str | None,
) -> User:
    """The account of the identity (issuer, sub): found, linked through a verified email
    to an existing account, or created. The role claim, when present, sets the role."""
    subject = str(userinfo.get("sub") or "")
    if not subject:
        raise FieldErrors(message=_("身份提供方没有返回用户标识。"), status=400)
    role = role_from_claim(userinfo.get(role_claim))
    email = normalise_email(str(userinfo.get("email") or ""))
    verified = userinfo.get("email_verified") is True
    user = session.exec(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
    ).first()
    if user is None:
        if not email or email_error(email) or not verified:
            raise FieldErrors(message=_("身份提供方没有提供已验证的邮箱，无法登录。"), status=400)
        user = find_user_by_email(session, email)
        if user is not None:
            if user.oidc_subject is not None:
                raise FieldErrors(message=_("该邮箱已关联其他统一身份认证账号。"), status=400)
            user.oidc_issuer, user.oidc_subject = issuer, subject
            if not user.email_verified:
                # Whoever registered this address never proved it: their password goes.
                user.password_hash = None
                user.email_verified = True
                assert user.id is not None
                sessions.end_all_for_user(session, user.id)
            audit.record(
                session,
                action="account.oidc_linked",
                now=now,
                actor=user,
                detail={"issuer": issuer},
                ip=ip,
            )
        else:
            user = User(
                email=email,
                display_name=str(userinfo.get("name") or "")[:100],
                password_hash=None,
                role=role or Role.ENTERPRISE,
                oidc_issuer=issuer,
                oidc_subject=subject,
                created_at=now,
            )
            session.add(user)
            session.flush()
            audit.record(
                session,
                action="account.registered",
                now=now,
                actor=user,
                detail={"role": user.role, "method": "oidc", "issuer": issuer},
                ip=ip,
            )
    if not user.is_active:
        audit.record(
            session,
            action="sign_in.failure",
            now=now,
            actor=user,
            detail={"method": "oidc", "reason": "disabled"},
            ip=ip,
        )
        raise FieldErrors(message=_("该账号已停用，请联系平台管理员。"), status=403)
    if role is not None and role != user.role:
        audit.record(
            session,
            action="user.role_changed",
            now=now,
            actor=user,
            entity="user",
            entity_id=user.id,
            detail={"from": user.role, "to": role.value, "by": "oidc_claim"},
            ip=ip,
        )
        user.role = role.value
    user.last_sign_in_at = now
    session.add(user)
    session.flush()
    audit.record(
        session,
        action="sign_in.success",
        now=now,
        actor=user,
        detail={"method": "oidc", "issuer": issuer},
        ip=ip,
    )
    return user
