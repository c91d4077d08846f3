"""Organisations: the profile their members edit, members and invitations, verification."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from portal.audit import service as audit
from portal.auth.accounts import find_user_by_email
from portal.auth.passwords import hash_password, password_error
from portal.auth.permissions import (
    MEMBERSHIP_ROLES,
    Action,
    Principal,
    authorize,
    role_for_org_kind,
)
from portal.auth.schemas import email_error, normalise_email
from portal.auth.sessions import hash_id as hash_secret
from portal.clock import aware
from portal.inputs import text_error
from portal.kit.errors import Conflict, FieldErrors, Forbidden, NotFound
from portal.kit.i18n import _
from portal.kit.pagination import Page
from portal.models import Invitation, Membership, Organization, UseCase, User
from portal.organizations.schemas import clean_profile

INVITATION_LIFETIME = timedelta(days=7)


def get_org(session: Session, org_id: int) -> Organization:
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(_("找不到该机构"))
    return org


def list_orgs(
    session: Session,
    *,
    kind: str | None = None,
    city: str | None = None,
    verified: bool | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page[Organization]:
    conditions = []
    if kind:
        conditions.append(col(Organization.kind) == kind)
    if city:
        conditions.append(col(Organization.city) == city)
    if verified is not None:
        conditions.append(col(Organization.verified).is_(verified))
    total = session.exec(select(func.count()).select_from(Organization).where(*conditions)).one()
    rows = session.exec(
        select(Organization)
        .where(*conditions)
        .order_by(col(Organization.name), col(Organization.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(items=list(rows), total=int(total), page=page, per_page=per_page)


def _core_name(name: str) -> str:
    """A name without a trailing parenthetical (（示例）, （湖南移动） …)."""
    return re.sub(r"[（(][^）)]*[）)]$", "", name.strip())


def cases_of(session: Session, org: Organization) -> list[UseCase]:
    """Benchmark cases that name the organisation as the adopting enterprise or a provider."""
    core = _core_name(org.name)

    def names(name: str) -> bool:
        return name == org.name or (bool(core) and _core_name(name) == core)

    rows = session.exec(select(UseCase).order_by(col(UseCase.year).desc(), col(UseCase.id))).all()
    return [c for c in rows if names(c.enterprise) or any(names(p) for p in c.providers)]


def update_profile(
    session: Session,
    *,
    principal: Principal | None,
    org: Organization,
    changes: dict[str, Any],
    now: datetime,
    ip: str | None = None,
) -> Organization:
    authorize(session, principal, Action.ORG_EDIT, org=org)
    assert principal is not None
    clean, errors = clean_profile(changes)
    if errors:
        raise FieldErrors(errors, message=_("请修改标出的内容"), status=422)
    changed = sorted(k for k, v in clean.items() if getattr(org, k) != v)
    if not changed:
        return org
    for name in changed:
        setattr(org, name, clean[name])
    # A verified badge vouches for a name; a new name needs verifying again.
    if "name" in changed and org.verified:
        org.verified = False
    org.updated_at = now
    session.add(org)
    session.flush()
    audit.record(
        session,
        action="organization.updated",
        now=now,
        actor=principal.user,
        entity="organization",
        entity_id=org.external_id,
        detail={"fields": changed},
        ip=ip,
    )
    return org


def set_verified(
    session: Session,
    *,
    principal: Principal | None,
    org: Organization,
    verified: bool,
    now: datetime,
    ip: str | None = None,
) -> Organization:
    authorize(session, principal, Action.ORG_VERIFY, org=org)
    assert principal is not None
    if org.verified != verified:
        org.verified = verified
        org.updated_at = now
        session.add(org)
        audit.record(
            session,
            action="organization.verified",
            now=now,
            actor=principal.user,
            entity="organization",
            entity_id=org.external_id,
            detail={"verified": verified},
            ip=ip,
        )
        session.flush()
    return org


# --- members -----------------------------------------------------------------------------


def members(session: Session, org: Organization) -> list[tuple[Membership, User]]:
    rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.org_id == org.id)
        .order_by(col(Membership.role).desc(), col(User.email))
    ).all()
    return [(m, u) for m, u in rows]


def pending_invitations(session: Session, org: Organization, *, now: datetime) -> list[Invitation]:
    rows = session.exec(
        select(Invitation)
        .where(Invitation.org_id == org.id, col(Invitation.accepted_at).is_(None))
        .order_by(col(Invitation.created_at).desc())
    ).all()
    return [r for r in rows if aware(r.expires_at) > now]


def invite(
    session: Session,
    *,
    principal: Principal | None,
    org: Organization,
    email: str,
    role: str,
    now: datetime,
    ip: str | None = None,
) -> tuple[Invitation, str]:
    """An invitation to join ``org``; the caller mails the returned one-time link token."""
    authorize(session, principal, Action.ORG_MANAGE_MEMBERS, org=org)
    assert principal is not None and org.id is not None
    errors: dict[str, str] = {}
    if reason := email_error(email):
        errors["email"] = reason
    if role not in MEMBERSHIP_ROLES:
        errors["role"] = _("请选择成员角色")
    existing = find_user_by_email(session, email) if not errors else None
    if existing is not None:
        if session.exec(
            select(Membership.id).where(
                Membership.user_id == existing.id, Membership.org_id == org.id
            )
        ).first():
            errors["email"] = _("该用户已是本机构成员")
        elif existing.role != role_for_org_kind(org.kind):
            errors["email"] = _("该账号的角色与本机构类型不符，无法加入")
    if errors:
        raise FieldErrors(errors, message=_("请修改标出的内容"), status=400)
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(
        org_id=org.id,
        email=normalise_email(email),
        role=role,
        token_hash=hash_secret(raw),
        invited_by=principal.user_id,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        action="membership.invited",
        now=now,
        actor=principal.user,
        entity="organization",
        entity_id=org.external_id,
        detail={"email": invitation.email, "role": role},
        ip=ip,
    )
    return invitation, raw


def find_invitation(session: Session, *, token: str, now: datetime) -> Invitation | None:
    row = session.exec(
        select(Invitation).where(Invitation.token_hash == hash_secret(token))
    ).first()
    if row is None or row.accepted_at is not None or aware(row.expires_at) <= now:
        return None
    return row


def _join(
    session: Session, *, user: User, invitation: Invitation, now: datetime, ip: str | None
) -> Membership:
    org = get_org(session, invitation.org_id)
    if role_for_org_kind(org.kind) != user.role:
        raise Forbidden(_("您的账号角色与该机构类型不符，无法加入"))
    assert user.id is not None and org.id is not None
    membership = session.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.org_id == org.id)
    ).first()
    if membership is None:
        membership = Membership(
            user_id=user.id, org_id=org.id, role=invitation.role, created_at=now
        )
        session.add(membership)
    invitation.accepted_at = now
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        action="membership.added",
        now=now,
        actor=user,
        entity="organization",
        entity_id=org.external_id,
        detail={"role": membership.role, "invited_by": invitation.invited_by},
        ip=ip,
    )
    return membership


def accept_invitation(
    session: Session, *, user: User, token: str, now: datetime, ip: str | None = None
) -> Membership:
    invitation = find_invitation(session, token=token, now=now)
    if invitation is None:
        raise NotFound(_("邀请链接无效或已过期"))
    if normalise_email(user.email) != invitation.email:
        raise Forbidden(_("该邀请发给了另一个邮箱，请用受邀邮箱的账号登录"))
    return _join(session, user=user, invitation=invitation, now=now, ip=ip)


def register_invited(
    session: Session,
    *,
    token: str,
    display_name: str,
    password: str,
    confirm: str,
    now: datetime,
    min_length: int,
    ip: str | None = None,
) -> User:
    """A new account for the invited email, joining the organisation at once."""
    invitation = find_invitation(session, token=token, now=now)
    if invitation is None:
        raise NotFound(_("邀请链接无效或已过期"))
    if find_user_by_email(session, invitation.email) is not None:
        raise Conflict(_("该邮箱已有账号，请登录后接受邀请"))
    errors: dict[str, str] = {}
    if len(display_name.strip()) > 100:
        errors["display_name"] = _("姓名不能超过 100 个字符")
    elif reason := text_error(display_name.strip()):
        errors["display_name"] = reason
    if reason := password_error(password, min_length=min_length, email=invitation.email):
        errors["password"] = reason
    elif password != confirm:
        errors["password_confirm"] = _("两次输入的密码不一致")
    if errors:
        raise FieldErrors(errors, message=_("请修改标出的内容"), status=400)
    org = get_org(session, invitation.org_id)
    user = User(
        email=invitation.email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role_for_org_kind(org.kind),
        created_at=now,
        last_sign_in_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        action="account.registered",
        now=now,
        actor=user,
        detail={"role": user.role, "method": "invitation"},
        ip=ip,
    )
    _join(session, user=user, invitation=invitation, now=now, ip=ip)
    return user


def remove_member(
    session: Session,
    *,
    principal: Principal | None,
    org: Organization,
    user_id: int,
    now: datetime,
    ip: str | None = None,
) -> None:
    authorize(session, principal, Action.ORG_MANAGE_MEMBERS, org=org)
    assert principal is not None
    membership = session.exec(
        select(Membership).where(Membership.user_id == user_id, Membership.org_id == org.id)
    ).first()
    if membership is None:
        raise NotFound(_("该用户不是本机构成员"))
    if membership.role == "owner":
        owners = session.exec(
            select(Membership.id).where(Membership.org_id == org.id, Membership.role == "owner")
        ).all()
        if len(owners) <= 1:
            raise Conflict(_("不能移除机构的最后一位负责人"))
    removed = session.get(User, user_id)
    session.delete(membership)
    session.flush()
    audit.record(
        session,
        action="membership.removed",
        now=now,
        actor=principal.user,
        entity="organization",
        entity_id=org.external_id,
        detail={"email": removed.email if removed else None, "role": membership.role},
        ip=ip,
    )
