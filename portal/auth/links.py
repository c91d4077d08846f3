"""One-time links mailed to an account's owner: the email verification, the password reset
and the unlock of a locked sign-in. One table (``password_reset``) holds them all, each
kept only as a digest; the digest of a verification or unlock link carries its purpose as a
prefix, so a link of one purpose never opens another."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from portal.auth.sessions import hash_id as hash_secret
from portal.clock import aware
from portal.models import PasswordReset

RESET = ""  # the first purpose, from before there were others: no prefix
VERIFY = "verify-email:"
UNLOCK = "unlock-sign-in:"


def issue(
    session: Session, *, user_id: int, purpose: str, lifetime: timedelta, now: datetime
) -> str:
    """A new link for ``user_id``: its raw token, to put in the mail (only the digest is kept)."""
    raw = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            user_id=user_id,
            token_hash=hash_secret(purpose + raw),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return raw


def find_open(session: Session, *, purpose: str, token: str, now: datetime) -> PasswordReset | None:
    """The link of this purpose with this token, while unused and unexpired."""
    row = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == hash_secret(purpose + token))
    ).first()
    if row is None or row.used_at is not None or aware(row.expires_at) <= now:
        return None
    return row
