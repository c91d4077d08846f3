"""Accounts: registration, sign-in, password reset, OIDC accounts, API tokens, user
administration. Functions take the database session and keyword arguments and never
commit; the request (or the CLI command) commits."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlmodel import Session, col, or_, select

from portal.audit import service as audit
from portal.auth import sessions, throttle
from portal.auth.passwords import hash_password, needs_rehash, password_error, verify_password
from portal.auth.permissions import (
    ROLES,
    Action,
    Principal,
    Role,
    authorize,
    role_for_org_kind,
)
from portal.auth.schemas import RegistrationForm, email_error, normalise_email
from portal.auth.sessions import hash_id as hash_secret
from portal.clock import aware
from portal.db import write_on_read_path
from portal.kit.errors import Conflict, FieldErrors, NotFound
from portal.models import (
    ApiToken,
    Demand,
    Invitation,
    Membership,
    Organization,
    PasswordReset,
    PrivateNetwork,
    Solution,
    User,
    WebSession,
)

RESET_LIFETIME = timedelta(hours=1)
VERIFY_LIFETIME = timedelta(hours=24)
# Verification links live in the password_reset table; their digest carries this prefix,
# so a verification token is never a reset token and the other way round.
_VERIFY_PURPOSE = "verify-email:"
TOKEN_PREFIX = "p5g_"
GENERIC_SIGN_IN_ERROR = "邮箱或密码不正确。"


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def _audit_label(email: str) -> str:
    # Only a well-formed address is written: people type passwords into the wrong field.
    return normalise_email(email) if email_error(email) is None else "（格式无效的邮箱）"


# --- sign-in ----------------------------------------------------------------------------

# A link lives twice the time between two unlock mails, and a lock lasts at most that
# time: whenever the account is locked, the latest link mailed still opens it.
UNLOCK_LIFETIME = 2 * throttle.UNLOCK_MAIL.base
_UNLOCK_PURPOSE = "unlock-sign-in:"
UNLOCK_INVALID = "解锁链接无效或已过期（每个链接只能用一次）。请直接登录，或重置密码。"
# Said whether or not the address has an account: only the mailbox learns which.
ACCOUNT_LOCKED_NOTICE = "如该邮箱已注册，我们已向它发送解锁链接，用链接可以立即登录。"


class SignInRefused(FieldErrors):
    """A refused sign-in. ``unlock`` is set when this failure locked the account for
    everyone: the account and the raw token of its unlock link, for the caller to mail."""

    def __init__(
        self, message: str, *, status: int = 400, unlock: tuple[User, str] | None = None
    ) -> None:
        super().__init__(message=message, status=status)
        self.unlock = unlock


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
    return _open_link(session, token_hash=hash_secret(_UNLOCK_PURPOSE + token), now=now)


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
        message = throttle.wait_message(max([*source_waits, account_wait or timedelta(0)]))
        if account_wait is not None:
            message += ACCOUNT_LOCKED_NOTICE
        raise SignInRefused(message, status=429)
    valid = verify_password(user.password_hash if user else None, password)
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
    raw = secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=hash_secret(_UNLOCK_PURPOSE + raw),
            created_at=now,
            expires_at=now + UNLOCK_LIFETIME,
        )
    )
    session.flush()
    return user, raw


# --- registration -----------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """What a valid registration form led to. The caller shows the same page either way
    and sends one mail: the verification link for a new ``user`` (``token``), or a notice
    to the owner of an ``existing`` account."""

    email: str
    user: User | None = None
    token: str | None = None
    existing: User | None = None


def abandoned_registrations(
    session: Session, *, now: datetime, email: str | None = None, credit_code: str | None = None
) -> list[User]:
    """Registrations nobody finished: never verified, never signed in, not linked to a
    provider, and no verification or reset link still open. With ``email`` or
    ``credit_code``, only those holding that address or owning an organisation with that
    code."""
    statement = select(User).where(
        col(User.email_verified).is_(False),
        col(User.last_sign_in_at).is_(None),
        col(User.oidc_subject).is_(None),
        col(User.created_at) <= now - VERIFY_LIFETIME,
    )
    holds = []
    if email:
        holds.append(col(User.email) == email)
    if credit_code:
        owners = (
            select(Membership.user_id)
            .join(Organization, col(Organization.id) == col(Membership.org_id))
            .where(Organization.credit_code == credit_code)
        )
        holds.append(col(User.id).in_(owners))
    if holds:
        statement = statement.where(or_(*holds))
    candidates = list(session.exec(statement).all())
    open_links = set(
        session.exec(
            select(PasswordReset.user_id).where(
                col(PasswordReset.user_id).in_([u.id for u in candidates]),
                col(PasswordReset.used_at).is_(None),
                col(PasswordReset.expires_at) > now,
            )
        ).all()
    )
    return [u for u in candidates if u.id not in open_links]


def release_registration(
    session: Session, user: User, *, now: datetime, ip: str | None = None
) -> None:
    """Free the email and the credit code an abandoned registration holds: its links,
    sessions and memberships go, an organisation it created that nobody else belongs to and
    nothing refers to goes too, and the account stays (the audit log points at it) —
    deactivated, without password, under an address that cannot receive mail."""
    assert user.id is not None
    released_orgs = []
    memberships = session.exec(select(Membership).where(Membership.user_id == user.id)).all()
    for membership in memberships:
        org = session.get(Organization, membership.org_id)
        session.delete(membership)
        if org is not None and not _org_in_use(session, org, leaving=user.id):
            released_orgs.append(org.external_id)
            session.delete(org)
    for model in (PasswordReset, WebSession, ApiToken):
        for row in session.exec(select(model).where(model.user_id == user.id)).all():
            session.delete(row)
    user.email = f"released-{user.id}@registration.invalid"
    user.password_hash = None
    user.display_name = ""
    user.is_active = False
    session.add(user)
    session.flush()
    audit.record(
        session,
        action="account.registration_released",
        now=now,
        entity="user",
        entity_id=str(user.id),
        detail={"organizations": released_orgs},
        ip=ip,
    )


def _org_in_use(session: Session, org: Organization, *, leaving: int) -> bool:
    """Anyone else in ``org``, or anything pointing at it."""
    others = select(Membership.id).where(Membership.org_id == org.id, Membership.user_id != leaving)
    if session.exec(others).first() is not None:
        return True
    for model in (Solution, Demand, PrivateNetwork, Invitation):
        if session.exec(select(model.id).where(model.org_id == org.id)).first() is not None:
            return True
    return False


def register(
    session: Session, *, form: RegistrationForm, ip: str | None, now: datetime, min_length: int
) -> Registration:
    """A new, not yet verified account and its organisation (the account is the
    organisation's owner), or nothing when the email already has an account. Which of the
    two happened is never told to the visitor: only the mailbox learns it."""
    wait = throttle.wait_for(session, throttle.REGISTER_IP, throttle.ip_key(ip), now=now)
    if wait is not None:
        raise FieldErrors(message=throttle.wait_message(wait), status=429)
    throttle.hit(session, throttle.REGISTER_IP, throttle.ip_key(ip), now=now)
    errors = form.errors(min_length=min_length)
    email = normalise_email(form.email)
    code = form.credit_code.strip().upper()
    # A registration left unfinished past its link's lifetime no longer holds the address
    # or the code: the rightful owner registers as if it had never been made.
    for stale in abandoned_registrations(session, now=now, email=email, credit_code=code):
        release_registration(session, stale, now=now, ip=ip)
    # Organisations are public records: a taken credit code may be named.
    if (
        "credit_code" not in errors
        and session.exec(select(Organization.id).where(Organization.credit_code == code)).first()
    ):
        errors["credit_code"] = "该统一社会信用代码已有机构注册，请联系该机构负责人邀请您加入。"
    if errors:
        raise FieldErrors(errors, message="请修改标出的内容", status=400)
    # Hashed on both paths, so the answer takes as long whether or not the email is taken.
    password_hash = hash_password(form.password)
    existing = find_user_by_email(session, email)
    if existing is not None:
        audit.record(
            session,
            action="account.register_attempt_existing",
            now=now,
            actor=existing,
            ip=ip,
        )
        return Registration(email=email, existing=existing)
    org = Organization(
        external_id=f"org-{secrets.token_hex(6)}",
        name=form.org_name.strip(),
        kind=form.kind,
        city=form.city,
        credit_code=code,
        contact_email=email,
        contact_name=form.display_name.strip() or None,
        created_at=now,
        updated_at=now,
    )
    session.add(org)
    user = User(
        email=email,
        display_name=form.display_name.strip(),
        password_hash=password_hash,
        role=role_for_org_kind(org.kind),
        email_verified=False,
        created_at=now,
    )
    session.add(user)
    session.flush()
    assert user.id is not None and org.id is not None
    session.add(Membership(user_id=user.id, org_id=org.id, role="owner", created_at=now))
    raw = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=hash_secret(_VERIFY_PURPOSE + raw),
            created_at=now,
            expires_at=now + VERIFY_LIFETIME,
        )
    )
    session.flush()
    audit.record(
        session,
        action="account.registered",
        now=now,
        actor=user,
        entity="organization",
        entity_id=org.external_id,
        detail={"role": user.role, "org_kind": org.kind},
        ip=ip,
    )
    return Registration(email=email, user=user, token=raw)


def _open_link(session: Session, *, token_hash: str, now: datetime) -> PasswordReset | None:
    """The emailed link with this digest, while unused and unexpired."""
    row = session.exec(select(PasswordReset).where(PasswordReset.token_hash == token_hash)).first()
    if row is None or row.used_at is not None or aware(row.expires_at) <= now:
        return None
    return row


def valid_verification(session: Session, *, token: str, now: datetime) -> PasswordReset | None:
    return _open_link(session, token_hash=hash_secret(_VERIFY_PURPOSE + token), now=now)


def verify_email(session: Session, *, token: str, now: datetime, ip: str | None = None) -> User:
    """The account whose emailed link this is, now verified; the link is used up."""
    row = valid_verification(session, token=token, now=now)
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or not user.is_active:
        raise FieldErrors(
            message="确认链接无效或已过期。如需帮助，请重新注册或找回密码。", status=400
        )
    row.used_at = now
    session.add(row)
    user.email_verified = True
    user.last_sign_in_at = now
    session.add(user)
    lift_sign_in_locks(session, email=user.email, ip=ip)
    audit.record(session, action="account.verified", now=now, actor=user, ip=ip)
    session.flush()
    return user


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    now: datetime,
    min_length: int,
    org: Organization | None = None,
    display_name: str = "",
    is_demo: bool = False,
) -> User:
    """An account made by an operator (CLI, demo seed); with ``org``, as its owner."""
    errors: dict[str, str] = {}
    if reason := email_error(email):
        errors["email"] = reason
    elif find_user_by_email(session, email) is not None:
        errors["email"] = "该邮箱已有账号"
    if role not in ROLES:
        errors["role"] = "角色应为 enterprise、vendor、official 或 admin"
    elif org is not None and role_for_org_kind(org.kind) != role:
        errors["org"] = f"角色 {role} 与机构类型 {org.kind} 不符"
    if reason := password_error(password, min_length=min_length, email=email):
        errors["password"] = reason
    if errors:
        raise FieldErrors(errors, message="无法创建账号", status=400)
    user = User(
        email=normalise_email(email),
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        is_demo=is_demo,
        created_at=now,
    )
    session.add(user)
    session.flush()
    if org is not None:
        assert org.id is not None and user.id is not None
        session.add(Membership(user_id=user.id, org_id=org.id, role="owner", created_at=now))
        session.flush()
    audit.record(
        session,
        action="account.created",
        now=now,
        actor=user,
        entity="organization" if org else None,
        entity_id=org.external_id if org else None,
        detail={"role": role},
    )
    return user


# --- password reset ----------------------------------------------------------------------


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
        raise FieldErrors({"email": "邮箱格式不正确"}, message="请修改标出的内容", status=400)
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        return None
    raw = secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=hash_secret(raw),
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    session.flush()
    audit.record(session, action="password.reset_requested", now=now, actor=user, ip=ip)
    return user, raw


def valid_reset(session: Session, *, token: str, now: datetime) -> PasswordReset | None:
    # A verification link's digest has a prefix, so it never matches here.
    return _open_link(session, token_hash=hash_secret(token), now=now)


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
        raise FieldErrors(message="重置链接无效或已过期，请重新申请。", status=400)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise FieldErrors(message="重置链接无效或已过期，请重新申请。", status=400)
    if reason := password_error(password, min_length=min_length, email=user.email):
        raise FieldErrors({"password": reason}, message="请修改标出的内容", status=400)
    if password != confirm:
        raise FieldErrors(
            {"password_confirm": "两次输入的密码不一致"}, message="请修改标出的内容", status=400
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


# --- OIDC --------------------------------------------------------------------------------

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
        raise FieldErrors(message="身份提供方没有返回用户标识。", status=400)
    role = role_from_claim(userinfo.get(role_claim))
    email = normalise_email(str(userinfo.get("email") or ""))
    verified = userinfo.get("email_verified") is True
    user = session.exec(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
    ).first()
    if user is None:
        if not email or email_error(email) or not verified:
            raise FieldErrors(message="身份提供方没有提供已验证的邮箱，无法登录。", status=400)
        user = find_user_by_email(session, email)
        if user is not None:
            if user.oidc_subject is not None:
                raise FieldErrors(message="该邮箱已关联其他统一身份认证账号。", status=400)
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
        raise FieldErrors(message="该账号已停用，请联系平台管理员。", status=403)
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


# --- API tokens --------------------------------------------------------------------------


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
        name=name.strip()[:100] or "API 令牌",
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
        raise NotFound("找不到该令牌")
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


# --- user administration -----------------------------------------------------------------


def set_role(
    session: Session, *, principal: Principal, user: User, role: str, now: datetime, ip: str | None
) -> None:
    authorize(session, principal, Action.USER_MANAGE)
    if role not in ROLES:
        raise FieldErrors({"role": "请选择有效的角色"}, message="未知的角色", status=400)
    if user.id == principal.user_id:
        raise Conflict("不能修改自己的角色")
    if role == user.role:
        return
    audit.record(
        session,
        action="user.role_changed",
        now=now,
        actor=principal.user,
        entity="user",
        entity_id=user.id,
        detail={"email": user.email, "from": user.role, "to": role},
        ip=ip,
    )
    user.role = role
    session.add(user)
    session.flush()


def set_active(
    session: Session,
    *,
    principal: Principal,
    user: User,
    active: bool,
    now: datetime,
    ip: str | None,
) -> None:
    """Enable or disable an account; disabling ends every session of it at once."""
    authorize(session, principal, Action.USER_MANAGE)
    if user.id == principal.user_id:
        raise Conflict("不能停用自己的账号")
    if user.is_active == active:
        return
    user.is_active = active
    session.add(user)
    assert user.id is not None
    if not active:
        sessions.end_all_for_user(session, user.id)
    audit.record(
        session,
        action="user.enabled" if active else "user.disabled",
        now=now,
        actor=principal.user,
        entity="user",
        entity_id=user.id,
        detail={"email": user.email},
        ip=ip,
    )
    session.flush()


def list_users(session: Session, *, q: str | None = None, limit: int = 200) -> list[User]:
    statement = select(User)
    if q:
        statement = statement.where(col(User.email).contains(q.strip().lower()))
    return list(session.exec(statement.order_by(col(User.id)).limit(limit)).all())


def memberships_of(session: Session, user: User) -> list[tuple[Membership, Organization]]:
    rows = session.exec(
        select(Membership, Organization)
        .join(Organization, col(Organization.id) == col(Membership.org_id))
        .where(Membership.user_id == user.id)
        .order_by(col(Organization.name))
    ).all()
    return [(m, o) for m, o in rows]


# --- demo accounts (development only) ------------------------------------------------------

DEMO_PASSWORD = "demo-password-2026"
# (role, email, external_id of the demo organisation the account owns)
DEMO_ACCOUNTS: tuple[tuple[str, str, str | None], ...] = (
    ("enterprise", "enterprise@demo.hn5g.example", "demo-ent-xjzz"),
    ("vendor", "vendor@demo.hn5g.example", "demo-vnd-xltx"),
    ("official", "official@demo.hn5g.example", None),
    ("admin", "admin@demo.hn5g.example", None),
)


def ensure_demo_accounts(session: Session, *, now: datetime, min_length: int) -> list[User]:
    """One account per role, owners of demo organisations; missing ones are created."""
    created: list[User] = []
    for role, email, org_external_id in DEMO_ACCOUNTS:
        if find_user_by_email(session, email) is not None:
            continue
        org = None
        if org_external_id:
            org = session.exec(
                select(Organization).where(Organization.external_id == org_external_id)
            ).first()
        created.append(
            create_user(
                session,
                email=email,
                password=DEMO_PASSWORD,
                role=role,
                now=now,
                min_length=min_length,
                org=org,
                display_name=f"示例{ROLE_LABELS_SHORT[role]}",
                is_demo=True,
            )
        )
    return created


ROLE_LABELS_SHORT = {
    "enterprise": "企业用户",
    "vendor": "供给方用户",
    "official": "主管部门",
    "admin": "管理员",
}
