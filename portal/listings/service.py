"""One service for every kind of listing: validate, create, update, retire, read, list.

Every write is a flush, an outbox row (the search index follows) and an audit row, in the
caller's transaction; services never commit. Each function authorises what it does.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, bindparam
from sqlmodel import Session, col, select

from portal.audit import service as audit
from portal.auth.permissions import (
    Action,
    Principal,
    authorize,
    can,
    may_post,
    remember_role,
    role_of_user,
)
from portal.clock import aware, local_today
from portal.db import bump_version
from portal.kit.errors import FieldErrors, Forbidden, NotFound
from portal.kit.forms import errors_of
from portal.kit.i18n import _
from portal.listings.kinds import ListingKind, Values
from portal.listings.lifecycle import listing_status, next_status
from portal.models import Demand, Membership, Organization, User
from portal.search.outbox import enqueue

# --- validation: one path for forms, the JSON API and the importer -----------------------


def errors_in(
    kind: ListingKind, values: Mapping[str, Any], *, today: date | None, previous: Any = None
) -> dict[str, str]:
    """Every reason ``values`` cannot be saved as a ``kind``, at once: the types (the
    kind's pydantic model), then the vocabulary, range and date rules. ``today`` None: an
    import, which may carry history; an expiry date kept as it was (``previous``) may
    stay in the past."""
    errors: dict[str, str] = {}
    try:
        kind.fields.model_validate(dict(values))
    except ValidationError as exc:
        errors.update(errors_of(exc))
    if previous is not None and values.get(kind.expiry) == getattr(previous, kind.expiry, None):
        today = None
    for name, message in kind.rules(dict(values), today).items():
        errors.setdefault(name, message)
    return errors


def fields_from(
    kind: ListingKind, values: Mapping[str, Any], *, today: date | None, previous: Any = None
) -> BaseModel:
    """``values`` as the kind's fields, or :class:`FieldErrors` with every reason."""
    errors = errors_in(kind, values, today=today, previous=previous)
    if errors:
        raise FieldErrors(errors)
    return kind.fields.model_validate(dict(values))


def values_of(kind: ListingKind, row: Any) -> Values:
    """The owner-written fields of ``row``, shaped like the kind's fields."""
    values = {name: getattr(row, name) for name in kind.field_names}
    return kind.row_values(row, values) if kind.row_values else values


# --- who posts and who sees ---------------------------------------------------------------


def listing_orgs(session: Session, user: User, kind: ListingKind) -> list[Organization]:
    """The organisations on whose behalf ``user`` may publish listings of ``kind``."""
    rows = session.exec(
        select(Organization)
        .join(Membership, col(Membership.org_id) == col(Organization.id))
        .where(Membership.user_id == user.id)
        .order_by(col(Organization.name))
    ).all()
    return [o for o in rows if may_post(kind.name, o)]


def resolve_org(
    session: Session,
    principal: Principal | None,
    kind: ListingKind,
    *,
    org_external_id: str | None = None,
) -> Organization:
    """The organisation a new listing belongs to, once the principal may publish for it:
    the one named, or the principal's only organisation that posts this kind."""
    if principal is None:
        authorize(session, principal, Action.LISTING_CREATE, listing_kind=kind.name)
    assert principal is not None
    if org_external_id is not None:
        org = session.exec(
            select(Organization).where(Organization.external_id == org_external_id)
        ).first()
        if org is None:
            raise FieldErrors({"org": _("找不到该机构")})
    else:
        candidates = listing_orgs(session, principal.user, kind)
        if not candidates:
            raise Forbidden(_("您的账号没有可以发布{label}的机构").format(label=kind.label))
        if len(candidates) > 1:
            raise FieldErrors({"org": _("请选择以哪个机构的名义发布")})
        org = candidates[0]
    authorize(session, principal, Action.LISTING_CREATE, org=org, listing_kind=kind.name)
    return org


def can_see_private(session: Session, principal: Principal | None, org: Organization) -> bool:
    """Members of the owning organisation and officials see what the public does not."""
    return can(session, principal, Action.LISTING_VIEW_PRIVATE, org=org)


def can_edit(
    session: Session, principal: Principal | None, kind: ListingKind, org: Organization
) -> bool:
    return can(session, principal, Action.LISTING_EDIT, org=org, listing_kind=kind.name)


def org_of(session: Session, row: Any) -> Organization:
    org = session.get(Organization, row.org_id)
    assert org is not None
    return org


def owner_org(
    session: Session, principal: Principal | None, kind: ListingKind, row: Any
) -> Organization:
    """The listing's organisation, once ``principal`` may change the listing."""
    org = org_of(session, row)
    authorize(session, principal, Action.LISTING_EDIT, org=org, listing_kind=kind.name)
    return org


# --- reading ------------------------------------------------------------------------------


def status_of(kind: ListingKind, row: Any, today: date) -> str:
    return listing_status(row.status, getattr(row, kind.expiry), today)


def is_public(kind: ListingKind, row: Any, today: date) -> bool:
    if kind.readable_after_expiry:
        return bool(row.status == "published")
    return status_of(kind, row, today) == "published"


def get(session: Session, kind: ListingKind, listing_id: int) -> Any:
    row = session.get(kind.model, listing_id)
    if row is None:
        raise NotFound(_("找不到该{label}").format(label=kind.label))
    return row


@cache
def _with_org(kind: ListingKind) -> Select[Any]:
    model = kind.model
    return (
        select(model, Organization, role_of_user("user_id", model.org_id))
        .join(Organization, col(Organization.id) == model.org_id)
        .where(model.id == bindparam("row_id"))
    )


def with_org(
    session: Session, kind: ListingKind, listing_id: int, principal: Principal | None
) -> tuple[Any, Organization] | None:
    """The listing and its organisation, and the reader's role there (remembered for the
    permission checks that follow): one statement, built once (portal.db)."""
    user_id = principal.user_id if principal is not None else None
    found = session.execute(
        _with_org(kind), {"row_id": listing_id, "user_id": user_id or 0}
    ).first()
    if found is None:
        return None
    row, org, role = found
    if user_id is not None:
        remember_role(session, user_id, org.id, role)
    return row, org


def readable(
    session: Session,
    kind: ListingKind,
    principal: Principal | None,
    listing_id: int,
    *,
    today: date,
) -> tuple[Any, Organization, bool]:
    """The listing, its organisation, and whether the reader sees its private side (its
    status and reason while unpublished; an anonymous listing's organisation; the matches).
    Anyone reads a public listing; its owners and officials read it in any status."""
    found = with_org(session, kind, listing_id, principal)
    if found is None:
        raise NotFound(_("找不到该{label}").format(label=kind.label))
    row, org = found
    private = can_see_private(session, principal, org)
    if not private and not is_public(kind, row, today):
        raise NotFound(_("找不到该{label}").format(label=kind.label))
    return row, org, private


def public_model(
    kind: ListingKind, row: Any, org: Organization, *, private: bool, today: date
) -> BaseModel:
    """What the JSON API answers: the kind's public schema, without what is private."""
    hide = kind.anonymous and row.anonymous and not private
    schema = kind.public_schema.model_fields
    values = {name: getattr(row, name) for name in schema if hasattr(row, name)}
    values.update(
        org_id=None if hide else row.org_id,
        org_name=None if hide else org.name,
        org_verified=org.verified,
        status=status_of(kind, row, today),
        reject_reason=row.reject_reason if private else None,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )
    return kind.public_schema.model_validate({k: v for k, v in values.items() if k in schema})


def of_orgs(session: Session, kind: ListingKind, org_ids: list[int]) -> list[Any]:
    """Every listing of these organisations, the latest change first."""
    if not org_ids:
        return []
    model = kind.model
    return list(
        session.exec(
            select(model)
            .where(col(model.org_id).in_(org_ids))
            .order_by(col(model.updated_at).desc(), col(model.id).desc())
        ).all()
    )


def public_of_org(session: Session, kind: ListingKind, org_id: int, *, today: date) -> list[Any]:
    """What the organisation's public profile lists: published, not expired, and not
    posted anonymously."""
    model = kind.model
    statement = select(model).where(model.org_id == org_id, model.status == "published")
    if kind.anonymous:
        statement = statement.where(col(model.anonymous).is_(False))
    rows = session.exec(statement.order_by(col(model.updated_at).desc())).all()
    return [r for r in rows if status_of(kind, r, today) == "published"]


# --- writing ------------------------------------------------------------------------------


def new_external_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def _written(
    session: Session,
    kind: ListingKind,
    principal: Principal,
    action: str,
    row: Any,
    now: datetime,
    *,
    ip: str | None,
    **detail: Any,
) -> None:
    """Flush the row, queue its index update, and audit the change with the status after it."""
    session.add(row)
    session.flush()
    assert row.id is not None
    enqueue(session, entity=kind.name, entity_id=row.id, version=row.version)  # type: ignore[arg-type]
    audit.record(
        session,
        action=action,
        now=now,
        actor=principal.user,
        entity=kind.name,
        entity_id=row.external_id,
        detail={"status": row.status, **detail},
        ip=ip,
    )


def create(
    session: Session,
    kind: ListingKind,
    *,
    principal: Principal,
    org: Organization,
    values: Mapping[str, Any],
    submit: bool,
    now: datetime,
    external_id: str | None = None,
    ip: str | None = None,
) -> Any:
    """A new listing of ``org``: a draft, or submitted for review (``submit``)."""
    authorize(session, principal, Action.LISTING_CREATE, org=org, listing_kind=kind.name)
    fields = fields_from(kind, values, today=local_today(now))
    external_id = external_id or new_external_id(kind.id_prefix)
    model = kind.model
    if session.exec(select(model.id).where(model.external_id == external_id)).first():
        raise FieldErrors(
            {
                "external_id": _("external_id {external_id!r} 已被使用").format(
                    external_id=external_id
                )
            }
        )
    assert org.id is not None
    row = model(
        external_id=external_id,
        org_id=org.id,
        status="pending" if submit else "draft",
        created_at=now,
        updated_at=now,
        **kind.to_columns(fields),
    )
    _written(session, kind, principal, "listing.created", row, now, ip=ip)
    return row


def update(
    session: Session,
    kind: ListingKind,
    *,
    principal: Principal,
    row: Any,
    values: Mapping[str, Any],
    status: str | None,
    now: datetime,
    ip: str | None = None,
) -> Any:
    """Save the owner's changes (``values``: the whole of the fields). ``status`` ``pending``
    sends it for review, ``draft`` keeps it unpublished, None keeps the status — except that
    a changed published listing goes back for review (officials vouch for what is public)."""
    owner_org(session, principal, kind, row)
    fields = fields_from(kind, values, today=local_today(now), previous=row)
    columns = kind.to_columns(fields)
    changed = sorted(k for k, v in columns.items() if getattr(row, k) != v)
    new_status = next_status(row.status, status, changed=bool(changed))
    if not changed and new_status == row.status:
        return row
    for name in changed:
        setattr(row, name, columns[name])
    if new_status != row.status:
        row.status = new_status
        setattr(row, kind.retired_at, None)
        if new_status == "pending":
            row.reject_reason = None
    bump_version(row)
    row.updated_at = now
    _written(session, kind, principal, "listing.updated", row, now, fields=changed, ip=ip)
    return row


def patch(
    session: Session,
    kind: ListingKind,
    *,
    principal: Principal,
    row: Any,
    changes: Mapping[str, Any],
    now: datetime,
    ip: str | None = None,
) -> Any:
    """The JSON API's PATCH: only the fields sent change; ``status`` ``draft`` or
    ``pending`` as in :func:`update`, or the kind's retired status to retire it."""
    changes = dict(changes)
    status = changes.pop("status", None)
    if changes or status in ("draft", "pending"):
        update(
            session,
            kind,
            principal=principal,
            row=row,
            values={**values_of(kind, row), **changes},
            status=None if status == kind.retired else status,
            now=now,
            ip=ip,
        )
    if status == kind.retired:
        retire(session, kind, principal=principal, row=row, now=now, ip=ip)
    return row


def retire(
    session: Session,
    kind: ListingKind,
    *,
    principal: Principal,
    row: Any,
    now: datetime,
    ip: str | None = None,
) -> Any:
    """The owner takes the listing down (a solution archived, a demand closed)."""
    owner_org(session, principal, kind, row)
    if row.status == kind.retired:
        return row
    row.status = kind.retired
    setattr(row, kind.retired_at, now)
    bump_version(row)
    row.updated_at = now
    _written(session, kind, principal, f"listing.{kind.retired}", row, now, ip=ip)
    return row


def demand_facts(session: Session, ids: set[int]) -> dict[int, dict[str, Any]]:
    """What a vendor weighs first for each matched demand: budget, deadline, city and who
    posts it (匿名企业 for an anonymous demand, whose name only an accepted introduction shows)."""
    if not ids:
        return {}
    rows = session.exec(select(Demand).where(col(Demand.id).in_(ids))).all()
    org_ids = {r.org_id for r in rows if not r.anonymous}
    names = {
        o.id: o.name
        for o in session.exec(select(Organization).where(col(Organization.id).in_(org_ids))).all()
    }
    return {
        r.id: {
            "budget_min": r.budget_min,
            "budget_max": r.budget_max,
            "deadline": r.deadline,
            "city": r.city,
            "enterprise": None if r.anonymous else names.get(r.org_id),
        }
        for r in rows
        if r.id is not None
    }
