"""Self-service registration: a new account with its organisation, confirmed through a
mailed link; and the release of registrations nobody finished. Functions take the database
session and keyword arguments and never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from portal.audit import service as audit
from portal.auth import links, throttle
from portal.auth.accounts import find_user_by_email
from portal.auth.passwords import hash_password
from portal.auth.permissions import role_for_org_kind
from portal.auth.schemas import RegistrationForm, normalise_email
from portal.auth.signin import lift_sign_in_locks
from portal.kit.errors import FieldErrors
from portal.kit.i18n import _
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

VERIFY_LIFETIME = timedelta(hours=24)


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
        errors["credit_code"] = _("该统一社会信用代码已有机构注册，请联系该机构负责人邀请您加入。")
    if errors:
        raise FieldErrors(errors, message=_("请修改标出的内容"), status=400)
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
    raw = links.issue(
        session, user_id=user.id, purpose=links.VERIFY, lifetime=VERIFY_LIFETIME, now=now
    )
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


def reissue_verification(session: Session, *, user: User, now: datetime) -> str | None:
    """A new confirmation link for an account still awaiting one (the raw token), or None
    when the account was confirmed meanwhile."""
    if user.email_verified or user.id is None:
        return None
    return links.issue(
        session, user_id=user.id, purpose=links.VERIFY, lifetime=VERIFY_LIFETIME, now=now
    )


def valid_verification(session: Session, *, token: str, now: datetime) -> PasswordReset | None:
    return links.find_open(session, purpose=links.VERIFY, token=token, now=now)


def verify_email(session: Session, *, token: str, now: datetime, ip: str | None = None) -> User:
    """The account whose emailed link this is, now verified; the link is used up."""
    row = valid_verification(session, token=token, now=now)
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or not user.is_active:
        raise FieldErrors(
            message=_("确认链接无效或已过期。如需帮助，请重新注册或找回密码。"), status=400
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
