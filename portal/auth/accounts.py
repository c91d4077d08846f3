"""Accounts: finding one, an operator creating one (CLI, demo seed), the admins' user
administration, and the demo accounts of development. Self-service registration is in
:mod:`portal.auth.registration`, sign-in in :mod:`portal.auth.signin`. Functions take the
database session and keyword arguments and never commit; the request (or the CLI) commits."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from portal.audit import service as audit
from portal.auth import sessions
from portal.auth.passwords import hash_password, password_error
from portal.auth.permissions import ROLES, Action, Principal, authorize, role_for_org_kind
from portal.auth.schemas import email_error, normalise_email
from portal.kit.errors import Conflict, FieldErrors
from portal.kit.i18n import N_, _
from portal.models import Membership, Organization, User


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


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
        errors["email"] = _("该邮箱已有账号")
    if role not in ROLES:
        errors["role"] = _("角色应为 enterprise、vendor、official 或 admin")
    elif org is not None and role_for_org_kind(org.kind) != role:
        errors["org"] = _("角色 {role} 与机构类型 {kind} 不符").format(role=role, kind=org.kind)
    if reason := password_error(password, min_length=min_length, email=email):
        errors["password"] = reason
    if errors:
        raise FieldErrors(errors, message=_("无法创建账号"), status=400)
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


# --- user administration -----------------------------------------------------------------


def set_role(
    session: Session, *, principal: Principal, user: User, role: str, now: datetime, ip: str | None
) -> None:
    authorize(session, principal, Action.USER_MANAGE)
    if role not in ROLES:
        raise FieldErrors({"role": _("请选择有效的角色")}, message=_("未知的角色"), status=400)
    if user.id == principal.user_id:
        raise Conflict(_("不能修改自己的角色"))
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
        raise Conflict(_("不能停用自己的账号"))
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
    # A second vendor, for the journeys where two vendors meet one enterprise (issue 15).
    ("vendor", "vendor2@demo.hn5g.example", "demo-vnd-rsxj"),
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
                display_name=_("示例{value}").format(value=ROLE_LABELS_SHORT[role]),
                is_demo=True,
            )
        )
    return created


ROLE_LABELS_SHORT = {
    "enterprise": N_("企业用户"),
    "vendor": N_("供给方用户"),
    "official": N_("主管部门"),
    "admin": N_("管理员"),
}
