"""Who may do what: the one place where every mutating route and every read of a private
record checks role and ownership.

Call :func:`authorize` with the acting :class:`Principal` (``None`` for a visitor), the
:class:`Action` and the organisation that owns the record. Listings (solutions, demands)
pass ``listing_kind`` so that only a vendor's organisation edits solutions and only an
enterprise's edits demands.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import bindparam, event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql.selectable import ScalarSelect
from sqlmodel import Session, select

from portal.kit.errors import Forbidden, Unauthorized
from portal.kit.i18n import N_, _
from portal.models import Membership, Organization, User


class Role(StrEnum):
    ENTERPRISE = "enterprise"
    VENDOR = "vendor"
    OFFICIAL = "official"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.ENTERPRISE: N_("企业（需求方）"),
    Role.VENDOR: N_("供给方"),
    Role.OFFICIAL: N_("主管部门"),
    Role.ADMIN: N_("平台管理员"),
}
ROLES = frozenset(r.value for r in Role)

VENDOR_KINDS = (
    "operator",
    "equipment_vendor",
    "integrator",
    "app_developer",
    "finance",
    "incubator",
    "research_institute",
    "university",
)

MEMBERSHIP_ROLES = ("owner", "member")
MEMBERSHIP_LABELS = {"owner": N_("负责人"), "member": N_("成员")}


def role_for_org_kind(kind: str) -> Role:
    """The user role that goes with membership of an organisation of this kind."""
    if kind == "enterprise":
        return Role.ENTERPRISE
    if kind == "government":
        return Role.OFFICIAL
    return Role.VENDOR


# Who posts which kind of listing: the role of the organisations whose members post it.
POSTER_ROLES = {"solution": Role.VENDOR, "demand": Role.ENTERPRISE}
# Kinds posted by organisations of given kinds rather than by a whole role (issue 16):
# funding by finance institutions and officials (a government body's members); platforms
# by whoever operates technology; incubation by incubators and parks, universities and
# research institutes.
POSTER_ORG_KINDS: dict[str, frozenset[str]] = {
    "funding": frozenset({"finance", "government"}),
    "platform": frozenset(
        {
            "operator",
            "equipment_vendor",
            "integrator",
            "app_developer",
            "research_institute",
            "university",
        }
    ),
    "incubation": frozenset({"incubator", "university", "research_institute"}),
}


def may_post(listing_kind: str, org: Organization) -> bool:
    """Whether members of ``org`` post listings of this kind (vendors solutions,
    enterprises demands, finance members and officials funding …)."""
    if listing_kind in POSTER_ORG_KINDS:
        return org.kind in POSTER_ORG_KINDS[listing_kind]
    return POSTER_ROLES.get(listing_kind) == role_for_org_kind(org.kind)


class Action(StrEnum):
    ORG_VIEW_PRIVATE = "org.view_private"  # contact details, members
    ORG_EDIT = "org.edit"
    ORG_MANAGE_MEMBERS = "org.manage_members"
    ORG_VERIFY = "org.verify"
    LISTING_CREATE = "listing.create"
    LISTING_EDIT = "listing.edit"
    LISTING_VIEW_PRIVATE = "listing.view_private"
    LISTING_APPROVE = "listing.approve"
    CASE_EDIT = "case.edit"  # add and edit benchmark cases
    INDICATOR_EDIT = "indicator.edit"
    AUDIT_READ = "audit.read"
    USER_MANAGE = "user.manage"
    TOKEN_MANAGE = "token.manage"  # one's own personal API tokens
    # 5G private networks and the officials' dashboards (issue 6).
    NETWORK_MANAGE = "network.manage"  # create, edit, import and confirm any network
    NETWORK_DECLARE = "network.declare"  # an enterprise declares a network of its own
    DASHBOARD_VIEW = "dashboard.view"  # the officials' dashboard and its exports
    EVENT_MANAGE = "event.manage"  # matchmaking events: create, close, agenda, day (issue 15)


# What a read-only API token may still do.
READ_ACTIONS = frozenset({Action.ORG_VIEW_PRIVATE, Action.LISTING_VIEW_PRIVATE, Action.AUDIT_READ})
OFFICIAL_ACTIONS = frozenset(
    {
        Action.ORG_VERIFY,
        Action.LISTING_APPROVE,
        Action.INDICATOR_EDIT,
        Action.ORG_VIEW_PRIVATE,
        # Officials review listings before they are published, and see a demand's matches.
        Action.LISTING_VIEW_PRIVATE,
        Action.CASE_EDIT,
    }
)
ORG_SCOPED = frozenset(
    {
        Action.ORG_VIEW_PRIVATE,
        Action.ORG_EDIT,
        Action.ORG_MANAGE_MEMBERS,
        Action.LISTING_CREATE,
        Action.LISTING_EDIT,
        Action.LISTING_VIEW_PRIVATE,
    }
)

# Issue 6: only officials (and admins) manage networks and read the dashboard; an
# enterprise declares its own organisation's networks, which count once confirmed.
NETWORK_OFFICIAL_ACTIONS = frozenset(
    {Action.NETWORK_MANAGE, Action.DASHBOARD_VIEW, Action.EVENT_MANAGE}
)


@dataclass(frozen=True)
class Principal:
    """Who is acting, and how: through a browser session or a personal API token."""

    user: User
    via: Literal["session", "token"] = "session"
    scope: Literal["read", "write"] = "write"

    @property
    def user_id(self) -> int:
        assert self.user.id is not None
        return self.user.id


_ROLES = "portal.auth.membership_roles"
_ROLE = select(Membership.role).where(  # built once (portal.db)
    Membership.user_id == bindparam("user_id"), Membership.org_id == bindparam("org_id")
)


def membership_role(session: Session, user_id: int, org_id: int) -> str | None:
    """The user's role in the organisation, read once per transaction: a page asks it for
    each thing it decides (may see the private side, may edit). A flush forgets it: a
    membership changed in this transaction is read again."""
    known: dict[tuple[int, int], str | None] = session.info.setdefault(_ROLES, {})
    if (user_id, org_id) not in known:
        known[user_id, org_id] = session.exec(
            _ROLE, params={"user_id": user_id, "org_id": org_id}
        ).first()
    return known[user_id, org_id]


def role_of_user(user_id_param: str, org_id: Any) -> ScalarSelect[Any]:
    """The role as a correlated subquery, for a statement that reads the organisation's
    rows anyway (one round trip fewer); hand what it finds to :func:`remember_role`."""
    return (
        select(Membership.role)
        .where(Membership.user_id == bindparam(user_id_param), Membership.org_id == org_id)
        .scalar_subquery()
    )


def remember_role(session: Session, user_id: int, org_id: int, role: str | None) -> None:
    """What :func:`role_of_user` found, for :func:`membership_role` in this transaction."""
    session.info.setdefault(_ROLES, {})[user_id, org_id] = role


def _forget_roles(session: OrmSession, *_: object) -> None:
    session.info.pop(_ROLES, None)


# Another transaction may see other processes' changes.
for _name in ("after_flush", "after_transaction_end"):
    event.listen(OrmSession, _name, _forget_roles)


def _denial(
    session: Session,
    principal: Principal,
    action: Action,
    org: Organization | None,
    listing_kind: str | None,
    owner_id: int | None,
) -> str | None:
    """Why ``principal`` may not do ``action``; None when it may."""
    user = principal.user
    if not user.is_active:
        return _("该账号已停用")
    if principal.scope != "write" and action not in READ_ACTIONS:
        return _("该令牌只有只读权限")
    if action == Action.TOKEN_MANAGE:
        # A leaked token must not be able to mint or revoke tokens.
        if principal.via != "session":
            return _("API 令牌只能在登录后的页面中管理")
        if owner_id != principal.user_id and user.role != Role.ADMIN:
            return _("这不是您的令牌")
        return None
    if user.role == Role.ADMIN:
        return None
    if action in (Action.AUDIT_READ, Action.USER_MANAGE):
        return _("只有平台管理员可以执行此操作")
    if action in NETWORK_OFFICIAL_ACTIONS:
        return None if user.role == Role.OFFICIAL else _("只有主管部门可以执行此操作")
    if action == Action.NETWORK_DECLARE:
        if user.role != Role.ENTERPRISE or org is None or org.id is None:
            return _("只有企业用户可以申报本企业的专网")
        if org.kind != "enterprise" or membership_role(session, principal.user_id, org.id) is None:
            return _("您不是该企业的成员")
        return None
    if user.role == Role.OFFICIAL and action in OFFICIAL_ACTIONS:
        return None
    if action in (
        Action.ORG_VERIFY,
        Action.LISTING_APPROVE,
        Action.INDICATOR_EDIT,
        Action.CASE_EDIT,
    ):
        return _("只有主管部门可以执行此操作")
    if action in ORG_SCOPED:
        if org is None or org.id is None:
            return _("没有权限访问该机构的数据")
        member_role = membership_role(session, principal.user_id, org.id)
        if member_role is None:
            return _("您不是该机构的成员")
        if role_for_org_kind(org.kind) != user.role and action != Action.ORG_VIEW_PRIVATE:
            return _("您的账号角色与该机构类型不符")
        if action == Action.ORG_MANAGE_MEMBERS and member_role != "owner":
            return _("只有机构负责人可以管理成员")
        if action in (Action.LISTING_CREATE, Action.LISTING_EDIT) and (
            listing_kind is None or not may_post(listing_kind, org)
        ):
            return _("该类型的发布不属于您的机构")
        return None
    return _("没有权限执行此操作")


def can(
    session: Session,
    principal: Principal | None,
    action: Action,
    *,
    org: Organization | None = None,
    listing_kind: str | None = None,
    owner_id: int | None = None,
) -> bool:
    return (
        principal is not None
        and _denial(session, principal, action, org, listing_kind, owner_id) is None
    )


def authorize(
    session: Session,
    principal: Principal | None,
    action: Action,
    *,
    org: Organization | None = None,
    listing_kind: str | None = None,
    owner_id: int | None = None,
) -> None:
    """Raise :class:`Unauthorized` for a visitor, :class:`Forbidden` when not allowed.

    ``org`` is the organisation that owns the record; ``owner_id`` the user that owns a
    personal record (an API token)."""
    if principal is None:
        raise Unauthorized()
    reason = _denial(session, principal, action, org, listing_kind, owner_id)
    if reason is not None:
        raise Forbidden(reason)
