"""Password reset by a mailed link. Functions take the database session and keyword
arguments and never commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from portal.audit import service as audit
from portal.auth import links, sessions, throttle
from portal.auth.accounts import find_user_by_email
from portal.auth.passwords import hash_password, password_error
from portal.auth.schemas import email_error
from portal.auth.signin import lift_sign_in_locks
from portal.kit.errors import FieldErrors
from portal.kit.i18n import _
from portal.models import PasswordReset, User

RESET_LIFETIME = timedelta(hours=1)


def request_password_reset(
    session: Session, *, email: str, ip: str | None, now: datetime
) -> tuple[User, str] | None:
    """A one-time reset token for the account with this email, or None when there is no
    such active account; the caller answers the same either way."""
    ip_key = throttle.ip_key(ip)
    account_key = throttle.account_key(email)
    waits = [
        w
        for w in (
            throttle.wait_for(session, throttle.RESET_IP, ip_key, now=now),
            throttle.wait_for(session, throttle.RESET_ACCOUNT, account_key, now=now),
        )
        if w is not None
    ]
    if waits:
        raise FieldErrors(message=throttle.wait_message(max(waits)), status=429)
    throttle.hit(session, throttle.RESET_IP, ip_key, now=now)
    throttle.hit(session, throttle.RESET_ACCOUNT, account_key, now=now)
    if email_error(email):
        raise FieldErrors({"email": _("邮箱格式不正确")}, message=_("请修改标出的内容"), status=400)
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        return None
    assert user.id is not None
    raw = links.issue(
        session, user_id=user.id, purpose=links.RESET, lifetime=RESET_LIFETIME, now=now
    )
    audit.record(session, action="password.reset_requested", now=now, actor=user, ip=ip)
    return user, raw


def valid_reset(session: Session, *, token: str, now: datetime) -> PasswordReset | None:
    return links.find_open(session, purpose=links.RESET, token=token, now=now)


def reset_password(
    session: Session,
    *,
    token: str,
    password: str,
    confirm: str,
    now: datetime,
    min_length: int,
    ip: str | None = None,
) -> User:
    row = valid_reset(session, token=token, now=now)
    if row is None:
        raise FieldErrors(message=_("重置链接无效或已过期，请重新申请。"), status=400)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise FieldErrors(message=_("重置链接无效或已过期，请重新申请。"), status=400)
    if reason := password_error(password, min_length=min_length, email=user.email):
        raise FieldErrors({"password": reason}, message=_("请修改标出的内容"), status=400)
    if password != confirm:
        raise FieldErrors(
            {"password_confirm": _("两次输入的密码不一致")},
            message=_("请修改标出的内容"),
            status=400,
        )
    user.password_hash = hash_password(password)
    # The reset link reached the mailbox: that confirms the address as well.
    user.email_verified = True
    session.add(user)
    # Every outstanding link of this user is used up, and every session ends.
    for other in session.exec(
        select(PasswordReset).where(
            PasswordReset.user_id == user.id, col(PasswordReset.used_at).is_(None)
        )
    ).all():
        other.used_at = now
        session.add(other)
    assert user.id is not None
    sessions.end_all_for_user(session, user.id)
    lift_sign_in_locks(session, email=user.email, ip=ip)
    audit.record(session, action="password.reset", now=now, actor=user, ip=ip)
    session.flush()
    return user
