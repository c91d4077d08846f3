"""Demands (需求): enterprises post them, officials approve them; a published demand
expires by itself after its deadline (see portal.listings.lifecycle). Every change writes
an outbox row in the same transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlmodel import Session, col, select

from portal.auth.permissions import Action, Principal, authorize
from portal.clock import aware
from portal.demands.schemas import FIELDS, DemandFields, DemandPublic
from portal.kit.errors import FieldErrors, NotFound
from portal.kit.forms import errors_of
from portal.listings import service as listings
from portal.listings.lifecycle import demand_status, is_public_demand, next_status
from portal.listings.rules import demand_errors
from portal.listings.service import can_see_private, new_external_id
from portal.models import Demand, Organization
from portal.search.outbox import enqueue

ANONYMOUS_NAME = "匿名企业"


def check(fields: DemandFields, *, today: date, deadline_before: date | None = None) -> None:
    """The vocabulary, range and date rules (shared with the importer). A deadline already
    stored (``deadline_before``) may stay as it is, even when it has passed."""
    errors = demand_errors(
        industry=fields.industry,
        city=fields.city,
        zone=fields.zone,
        scenarios=fields.scenarios,
        capabilities=fields.capabilities,
        must_have=fields.must_have,
        budget_min=fields.budget_min,
        budget_max=fields.budget_max,
        deadline=fields.deadline,
        today=None if fields.deadline == deadline_before else today,
    )
    if errors:
        raise FieldErrors(errors)


def values_of(row: Demand) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FIELDS}


def merge(row: Demand, changes: dict[str, Any]) -> DemandFields:
    values = values_of(row)
    values.update(changes)
    try:
        return DemandFields.model_validate(values)
    except ValidationError as exc:
        raise FieldErrors(errors_of(exc)) from None


def _columns(fields: DemandFields) -> dict[str, Any]:
    values = fields.model_dump()
    # A must-have capability is a capability the demand asks for (as the importer does).
    values["capabilities"] = list(dict.fromkeys([*fields.capabilities, *fields.must_have]))
    return values


def _written(session: Session, row: Demand) -> None:
    session.add(row)
    session.flush()
    assert row.id is not None
    enqueue(session, entity="demand", entity_id=row.id, version=row.version)


def _audit(
    session: Session,
    principal: Principal,
    action: str,
    row: Demand,
    now: datetime,
    *,
    ip: str | None,
    **detail: Any,
) -> None:
    listings.record(session, principal, action, row, "demand", now, ip=ip, **detail)


def get_demand(session: Session, demand_id: int) -> Demand:
    row = session.get(Demand, demand_id)
    if row is None:
        raise NotFound("找不到该需求")
    return row


def owner_org(session: Session, principal: Principal | None, row: Demand) -> Organization:
    """The demand's organisation, once ``principal`` may change it."""
    return listings.owner_org(session, principal, row, "demand")


def readable(
    session: Session, principal: Principal | None, demand_id: int
) -> tuple[Demand, Organization, bool]:
    """The demand, its organisation, and whether the reader sees its private side (the
    organisation of an anonymous demand, the matches, the status of an unpublished one)."""
    row = get_demand(session, demand_id)
    org = session.get(Organization, row.org_id)
    assert org is not None
    private = can_see_private(session, principal, org)
    if not private and not is_public_demand(row):
        raise NotFound("找不到该需求")
    return row, org, private


def create(
    session: Session,
    *,
    principal: Principal,
    org: Organization,
    fields: DemandFields,
    submit: bool,
    now: datetime,
    today: date,
    external_id: str | None = None,
    ip: str | None = None,
) -> Demand:
    authorize(session, principal, Action.LISTING_CREATE, org=org, listing_kind="demand")
    check(fields, today=today)
    external_id = external_id or new_external_id("dem")
    if session.exec(select(Demand.id).where(Demand.external_id == external_id)).first():
        raise FieldErrors({"external_id": f"external_id {external_id!r} 已被使用"})
    assert org.id is not None
    row = Demand(
        external_id=external_id,
        org_id=org.id,
        status="pending" if submit else "draft",
        created_at=now,
        updated_at=now,
        **_columns(fields),
    )
    _written(session, row)
    _audit(session, principal, "listing.created", row, now, ip=ip)
    return row


def update(
    session: Session,
    *,
    principal: Principal,
    row: Demand,
    fields: DemandFields,
    status: Literal["draft", "pending"] | None,
    now: datetime,
    today: date,
    ip: str | None = None,
) -> Demand:
    """Save the owner's changes (see :func:`portal.listings.lifecycle.next_status`)."""
    org = session.get(Organization, row.org_id)
    authorize(session, principal, Action.LISTING_EDIT, org=org, listing_kind="demand")
    check(fields, today=today, deadline_before=row.deadline)
    columns = _columns(fields)
    changed = sorted(k for k, v in columns.items() if getattr(row, k) != v)
    new_status = next_status(row.status, status, changed=bool(changed))
    if not changed and new_status == row.status:
        return row
    for name in changed:
        setattr(row, name, columns[name])
    if new_status != row.status:
        row.status = new_status
        row.closed_at = None
        if new_status == "pending":
            row.reject_reason = None
    row.version += 1
    row.updated_at = now
    _written(session, row)
    _audit(session, principal, "listing.updated", row, now, fields=changed, ip=ip)
    return row


def close(
    session: Session, *, principal: Principal, row: Demand, now: datetime, ip: str | None = None
) -> Demand:
    org = session.get(Organization, row.org_id)
    authorize(session, principal, Action.LISTING_EDIT, org=org, listing_kind="demand")
    if row.status == "closed":
        return row
    row.status = "closed"
    row.closed_at = now
    row.version += 1
    row.updated_at = now
    _written(session, row)
    _audit(session, principal, "listing.closed", row, now, ip=ip)
    return row


def public_model(row: Demand, org: Organization, *, private: bool, today: date) -> DemandPublic:
    assert row.id is not None
    hide = row.anonymous and not private
    return DemandPublic(
        id=row.id,
        external_id=row.external_id,
        org_id=None if hide else row.org_id,
        org_name=None if hide else org.name,
        title=row.title,
        description=row.description,
        industry=row.industry,
        scenarios=row.scenarios,
        capabilities=row.capabilities,
        must_have=row.must_have,
        city=row.city,
        zone=row.zone,
        budget_min=row.budget_min,
        budget_max=row.budget_max,
        deadline=row.deadline,
        anonymous=row.anonymous,
        status=demand_status(row, today),
        reject_reason=row.reject_reason if private else None,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


def of_orgs(session: Session, org_ids: list[int]) -> list[Demand]:
    if not org_ids:
        return []
    return list(
        session.exec(
            select(Demand)
            .where(col(Demand.org_id).in_(org_ids))
            .order_by(col(Demand.updated_at).desc(), col(Demand.id).desc())
        ).all()
    )


def public_of_org(session: Session, org_id: int, *, today: date) -> list[Demand]:
    """Published demands that show the organisation's name (not anonymous), not expired."""
    rows = session.exec(
        select(Demand)
        .where(
            Demand.org_id == org_id, Demand.status == "published", col(Demand.anonymous).is_(False)
        )
        .order_by(col(Demand.updated_at).desc())
    ).all()
    return [r for r in rows if demand_status(r, today) == "published"]
