"""What solutions and demands share: the owning organisation, new identifiers, who may
see a listing that is not public."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from portal.audit import service as audit
from portal.auth.permissions import Action, Principal, authorize, can, role_for_org_kind
from portal.kit.errors import FieldErrors, Forbidden
from portal.listings.lifecycle import KIND_LABELS, ListingKind
from portal.models import Demand, Membership, Organization, Solution, User

_ROLE_OF_KIND = {"solution": "vendor", "demand": "enterprise"}


def listing_orgs(session: Session, user: User, kind: ListingKind) -> list[Organization]:
    """The organisations on whose behalf ``user`` may publish listings of ``kind``."""
    rows = session.exec(
        select(Organization)
        .join(Membership, col(Membership.org_id) == col(Organization.id))
        .where(Membership.user_id == user.id)
        .order_by(col(Organization.name))
    ).all()
    return [o for o in rows if role_for_org_kind(o.kind).value == _ROLE_OF_KIND[kind]]


def resolve_org(
    session: Session,
    principal: Principal | None,
    kind: ListingKind,
    *,
    org_external_id: str | None = None,
    org_id: int | None = None,
) -> Organization:
    """The organisation a new listing belongs to, once the principal may publish for it."""
    if principal is None:
        authorize(session, principal, Action.LISTING_CREATE, listing_kind=kind)
    assert principal is not None
    org: Organization | None = None
    if org_external_id is not None or org_id is not None:
        statement = select(Organization)
        if org_external_id is not None:
            statement = statement.where(Organization.external_id == org_external_id)
        else:
            statement = statement.where(Organization.id == org_id)
        org = session.exec(statement).first()
        if org is None:
            raise FieldErrors({"org": "找不到该机构"})
    else:
        candidates = listing_orgs(session, principal.user, kind)
        if not candidates:
            raise Forbidden(f"您的账号没有可以发布{KIND_LABELS[kind]}的机构")
        if len(candidates) > 1:
            raise FieldErrors({"org": "请选择以哪个机构的名义发布"})
        org = candidates[0]
    authorize(session, principal, Action.LISTING_CREATE, org=org, listing_kind=kind)
    return org


def can_see_private(session: Session, principal: Principal | None, org: Organization) -> bool:
    """Members of the owning organisation and officials see what the public does not."""
    return can(session, principal, Action.LISTING_VIEW_PRIVATE, org=org)


def new_external_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def record(
    session: Session,
    principal: Principal,
    action: str,
    row: Solution | Demand,
    kind: ListingKind,
    now: datetime,
    *,
    ip: str | None,
    **detail: Any,
) -> None:
    """Audit a change to a listing, with its status after the change."""
    audit.record(
        session,
        action=action,
        now=now,
        actor=principal.user,
        entity=kind,
        entity_id=row.external_id,
        detail={"status": row.status, **detail},
        ip=ip,
    )


def owner_org(
    session: Session, principal: Principal | None, row: Solution | Demand, kind: ListingKind
) -> Organization:
    """The listing's organisation, once ``principal`` may change the listing."""
    org = session.get(Organization, row.org_id)
    assert org is not None
    authorize(session, principal, Action.LISTING_EDIT, org=org, listing_kind=kind)
    return org
