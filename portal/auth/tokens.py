"""Personal API tokens: created, listed, revoked, and turned into the principal of a
request that carries one as a Bearer token. Only a token's SHA-256 is kept."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Literal

from sqlmodel import Session, col, select

from portal.audit import service as audit
from portal.auth.permissions import Action, Principal, authorize
from portal.auth.sessions import hash_id as hash_secret
from portal.clock import aware
from portal.db import write_on_read_path
from portal.kit.errors import NotFound
from portal.kit.i18n import _
from portal.models import ApiToken, User

TOKEN_PREFIX = "p5g_"


def create_token(
    session: Session,
    *,
    user: User,
    name: str,
    scope: Literal["read", "write"],
    now: datetime,
    ip: str | None = None,
) -> tuple[str, ApiToken]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    assert user.id is not None
    row = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or _("API 令牌"),
        prefix=raw[:12],
        token_hash=hash_secret(raw),
        scope=scope,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        action="token.created",
        now=now,
        actor=user,
        entity="api_token",
        entity_id=row.id,
        detail={"name": row.name, "scope": scope, "prefix": row.prefix},
        ip=ip,
    )
    return raw, row


def list_tokens(session: Session, *, user: User) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
        ).all()
    )


def revoke_token(
    session: Session, *, principal: Principal, token_id: int, now: datetime, ip: str | None = None
) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(_("找不到该令牌"))
    authorize(session, principal, Action.TOKEN_MANAGE, owner_id=row.user_id)
    if row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
        audit.record(
            session,
            action="token.revoked",
            now=now,
            actor=principal.user,
            entity="api_token",
            entity_id=row.id,
            detail={"name": row.name, "prefix": row.prefix},
            ip=ip,
        )
    session.flush()
    return row


def principal_from_bearer(session: Session, raw: str, *, now: datetime) -> Principal | None:
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_secret(raw))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if row.last_used_at is None or aware(row.last_used_at) + timedelta(minutes=1) <= now:
        token = row

        def note_use() -> None:
            token.last_used_at = now
            session.add(token)

        write_on_read_path(session, note_use)
    scope: Literal["read", "write"] = "write" if row.scope == "write" else "read"
    return Principal(user=user, via="token", scope=scope)
