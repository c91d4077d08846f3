"""Signing in with a password, and the throttling around it: failures count per (account,
address), per address and per account; the account-wide limit locks the account for
everyone and mails its owner an unlock link. Functions take the database session and
keyword arguments and never commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from portal.audit import service as audit
from portal.auth import links, throttle
from portal.auth.accounts import find_user_by_email
from portal.auth.passwords import hash_password, needs_rehash, verify_password
from portal.auth.schemas import email_error, normalise_email
from portal.kit.errors import FieldErrors
from portal.kit.i18n import N_, _
from portal.models import PasswordReset, User
from portal.observability import metrics

GENERIC_SIGN_IN_ERROR = N_("邮箱或密码不正确。")

# A link lives twice the time between two unlock mails, and a lock lasts at most that
# time: whenever the account is locked, the latest link mailed still opens it.
UNLOCK_LIFETIME = 2 * throttle.UNLOCK_MAIL.base
UNLOCK_INVALID = N_("解锁链接无效或已过期（每个链接只能用一次）。请直接登录，或重置密码。")
# Said whether or not the address has an account: only the mailbox learns which.
ACCOUNT_LOCKED_NOTICE = N_("如该邮箱已注册，我们已向它发送解锁链接，用链接可以立即登录。")


def _audit_label(email: str) -> str:
    # Only a well-formed address is written: people type passwords into the wrong field.
    return normalise_email(email) if email_error(email) is None else _("（格式无效的邮箱）")


class SignInRefused(FieldErrors):
    """A refused sign-in. ``unlock`` is set when this failure locked the account for
    everyone: the account and the raw token of its unlock link, for the caller to mail."""

    def __init__(
        self, message: str, *, status: int = 400, unlock: tuple[User, str] | None = None
    ) -> None:
        super().__init__(message=message, status=status)
        self.unlock = unlock


class AwaitingVerification(SignInRefused):
    """The right password of an account whose email is not confirmed yet: only someone who
    holds the password learns that the account exists and awaits its emailed link."""

    def __init__(self, user: User) -> None:
        super().__init__(AWAITING_VERIFICATION)
        self.user = user


AWAITING_VERIFICATION = N_(
    "该账号正在等待邮箱确认：请打开注册时发到该邮箱的确认邮件中的链接。没有收到？可以重新发送。"
)


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    ip: str | None,
    now: datetime,
    allow_demo: bool = True,
) -> User:
    """The user with this email and password, or :class:`SignInRefused` with a message
    that does not tell whether the account exists (429 while throttled).

    Failures count per (account, address), per address and per account. The first two
    hold back only the failing address; the account-wide limit, reached from many
    addresses, locks the account for everyone and mails the owner an unlock link
    (:func:`sign_in_with_unlock`)."""
    return _sign_in(
        session, email=email, password=password, ip=ip, now=now, allow_demo=allow_demo, unlock=None
    )


def valid_unlock(session: Session, *, token: str, now: datetime) -> PasswordReset | None:
    return links.find_open(session, purpose=links.UNLOCK, token=token, now=now)


def unlocking_user(session: Session, *, token: str, now: datetime) -> User | None:
    """The account an open unlock link belongs to."""
    row = valid_unlock(session, token=token, now=now)
    user = session.get(User, row.user_id) if row is not None else None
    return user if user is not None and user.is_active else None


def sign_in_with_unlock(
    session: Session,
    *,
    token: str,
    password: str,
    ip: str | None,
    now: datetime,
    allow_demo: bool = True,
) -> User:
    """Sign in past the account-wide lock with the mailed link and the password; the link
    is used up. The per-address limits still apply."""
    row = valid_unlock(session, token=token, now=now)
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or not user.is_active:
        raise SignInRefused(UNLOCK_INVALID)
    signed_in = _sign_in(
        session,
        email=user.email,
        password=password,
        ip=ip,
        now=now,
        allow_demo=allow_demo,
        unlock=row,
    )
    row.used_at = now
    session.add(row)
    session.flush()
    return signed_in


def _sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    ip: str | None,
    now: datetime,
    allow_demo: bool,
    unlock: PasswordReset | None,
) -> User:
    per_source = (
        (throttle.SIGN_IN_SOURCE, throttle.source_key(email, ip)),
        (throttle.SIGN_IN_IP, throttle.ip_key(ip)),
    )
    account_key = throttle.account_key(email)
    source_waits = [
        w for rule, key in per_source if (w := throttle.wait_for(session, rule, key, now=now))
    ]
    account_wait = (
        None
        if unlock is not None
        else throttle.wait_for(session, throttle.SIGN_IN_ACCOUNT, account_key, now=now)
    )
    user = find_user_by_email(session, email) if email_error(email) is None else None
    if source_waits or account_wait:
        # Counted against the address only: one address must not keep the account locked.
        for rule, key in per_source:
            throttle.hit(session, rule, key, now=now)
        audit.record(
            session,
            action="sign_in.throttled",
            now=now,
            actor=user,
            actor_label=_audit_label(email),
            detail={"account_locked": account_wait is not None},
            ip=ip,
        )
        metrics.SIGN_IN_FAILURES.labels("throttled").inc()
        message = throttle.wait_message(max([*source_waits, account_wait or timedelta(0)]))
        if account_wait is not None:
            message += ACCOUNT_LOCKED_NOTICE
        raise SignInRefused(message, status=429)
    valid = verify_password(user.password_hash if user else None, password)
    if valid and user is not None and user.is_active and not user.email_verified:
        # Only with the password: the account's owner learns it awaits its link (issue 18);
        # to anyone else an unconfirmed account answers like a wrong password.
        raise AwaitingVerification(user)
    # Demo accounts (known passwords) never open outside development. An account whose
    # email is not yet confirmed gets the same message as a wrong password: a distinct
    # message would let whoever registered an address learn whether it was already taken.
    usable = (
        user is not None
        and user.is_active
        and user.email_verified
        and not (user.is_demo and not allow_demo)
    )
    if not usable or not valid:
        for rule, key in per_source:
            throttle.hit(session, rule, key, now=now)
        locked = throttle.hit(session, throttle.SIGN_IN_ACCOUNT, account_key, now=now)
        audit.record(
            session,
            action="sign_in.failure",
            now=now,
            actor=user,
            actor_label=_audit_label(email),
            detail={"method": "password", "account_locked": locked},
            ip=ip,
        )
        metrics.SIGN_IN_FAILURES.labels("password").inc()
        link = _unlock_link(session, user, now=now) if locked and usable and user else None
        raise SignInRefused(GENERIC_SIGN_IN_ERROR, unlock=link)
    assert user is not None
    lift_sign_in_locks(session, email=email, ip=ip)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = now
    session.add(user)
    method = "password" if unlock is None else "unlock_link"
    audit.record(
        session, action="sign_in.success", now=now, actor=user, detail={"method": method}, ip=ip
    )
    return user


def lift_sign_in_locks(session: Session, *, email: str, ip: str | None) -> None:
    """The account's own locks, and its lock for this address, after the owner proved
    who they are (a password, a mailed link)."""
    throttle.clear(session, throttle.SIGN_IN_SOURCE, throttle.source_key(email, ip))
    for rule in (throttle.SIGN_IN_ACCOUNT, throttle.UNLOCK_MAIL):
        throttle.clear(session, rule, throttle.account_key(email))


def _unlock_link(session: Session, user: User, *, now: datetime) -> tuple[User, str] | None:
    """A new unlock link for ``user``, unless one was mailed within the hour."""
    mail_key = throttle.account_key(user.email)
    if throttle.wait_for(session, throttle.UNLOCK_MAIL, mail_key, now=now) is not None:
        return None
    throttle.hit(session, throttle.UNLOCK_MAIL, mail_key, now=now)
    assert user.id is not None
    raw = links.issue(
        session, user_id=user.id, purpose=links.UNLOCK, lifetime=UNLOCK_LIFETIME, now=now
    )
    return user, raw
