"""Solutions (解决方案): vendors write them, officials approve them, everyone reads the
published ones. Every change writes an outbox row in the same transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlmodel import Session, col, select

from portal.auth.permissions import Action, Principal, authorize
from portal.clock import aware
from portal.kit.errors import FieldErrors, NotFound
from portal.kit.forms import errors_of
from portal.listings import service as listings
from portal.listings.lifecycle import (
    is_public_solution,
    next_status,
    solution_status,
)
from portal.listings.rules import solution_errors
from portal.listings.service import can_see_private, new_external_id
from portal.models import Organization, Solution
from portal.search.outbox import enqueue
from portal.solutions.schemas import FIELDS, SolutionFields, SolutionPublic


def check(fields: SolutionFields) -> None:
    """The vocabulary and range rules (shared with the importer)."""
    prefs = fields.preferences
    errors = solution_errors(
        industries=fields.industries,
        scenarios=fields.scenarios,
        capabilities=fields.capabilities,
        regions=fields.regions,
        price_min=fields.price_min,
        price_max=fields.price_max,
        preference_industries=prefs.industries if prefs else (),
        preference_regions=prefs.regions if prefs else (),
    )
    if errors:
        raise FieldErrors(errors)


def values_of(row: Solution) -> dict[str, Any]:
    """The owner-written fields of ``row``, shaped like :class:`SolutionFields`."""
    values = {name: getattr(row, name) for name in FIELDS}
    values["preferences"] = row.preferences or None
    return values


def merge(row: Solution, changes: dict[str, Any]) -> SolutionFields:
    """``row`` with ``changes`` applied, validated as a whole."""
    values = values_of(row)
    values.update(changes)
    try:
        return SolutionFields.model_validate(values)
    except ValidationError as exc:
        raise FieldErrors(errors_of(exc)) from None


def _columns(fields: SolutionFields) -> dict[str, Any]:
    values = fields.model_dump(exclude={"preferences"})
    values["preferences"] = fields.preferences.model_dump() if fields.preferences else {}
    return values


def _written(session: Session, row: Solution) -> None:
    session.add(row)
    session.flush()
    assert row.id is not None
    enqueue(session, entity="solution", entity_id=row.id, version=row.version)


def _audit(
    session: Session,
    principal: Principal,
    action: str,
    row: Solution,
    now: datetime,
    *,
    ip: str | None,
    **detail: Any,
) -> None:
    listings.record(session, principal, action, row, "solution", now, ip=ip, **detail)


def get_solution(session: Session, solution_id: int) -> Solution:
    row = session.get(Solution, solution_id)
    if row is None:
        raise NotFound("找不到该解决方案")
    return row


def owner_org(session: Session, principal: Principal | None, row: Solution) -> Organization:
    """The solution's organisation, once ``principal`` may change it."""
    return listings.owner_org(session, principal, row, "solution")


def readable(
    session: Session, principal: Principal | None, solution_id: int, *, today: date
) -> tuple[Solution, Organization, bool]:
    """The solution, its organisation, and whether the reader sees its private side.
    Anyone reads a published solution; its owners and officials read it in any status."""
    row = get_solution(session, solution_id)
    org = session.get(Organization, row.org_id)
    assert org is not None
    private = can_see_private(session, principal, org)
    if not private and not is_public_solution(row, today):
        raise NotFound("找不到该解决方案")
    return row, org, private


def create(
    session: Session,
    *,
    principal: Principal,
    org: Organization,
    fields: SolutionFields,
    submit: bool,
    now: datetime,
    external_id: str | None = None,
    ip: str | None = None,
) -> Solution:
    authorize(session, principal, Action.LISTING_CREATE, org=org, listing_kind="solution")
    check(fields)
    external_id = external_id or new_external_id("sol")
    if session.exec(select(Solution.id).where(Solution.external_id == external_id)).first():
        raise FieldErrors({"external_id": f"external_id {external_id!r} 已被使用"})
    assert org.id is not None
    row = Solution(
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
    row: Solution,
    fields: SolutionFields,
    status: Literal["draft", "pending"] | None,
    now: datetime,
    ip: str | None = None,
) -> Solution:
    """Save the owner's changes. ``status`` ``pending`` sends the solution for review,
    ``draft`` keeps it unpublished, None keeps the status, except that a changed published
    solution goes back for review (officials vouch for what is public)."""
    org = session.get(Organization, row.org_id)
    authorize(session, principal, Action.LISTING_EDIT, org=org, listing_kind="solution")
    check(fields)
    columns = _columns(fields)
    changed = sorted(k for k, v in columns.items() if getattr(row, k) != v)
    new_status = next_status(row.status, status, changed=bool(changed))
    if not changed and new_status == row.status:
        return row
    for name in changed:
        setattr(row, name, columns[name])
    if new_status != row.status:
        row.status = new_status
        row.archived_at = None
        if new_status == "pending":
            row.reject_reason = None
    row.version += 1
    row.updated_at = now
    _written(session, row)
    _audit(session, principal, "listing.updated", row, now, fields=changed, ip=ip)
    return row


def archive(
    session: Session, *, principal: Principal, row: Solution, now: datetime, ip: str | None = None
) -> Solution:
    org = session.get(Organization, row.org_id)
    authorize(session, principal, Action.LISTING_EDIT, org=org, listing_kind="solution")
    if row.status == "archived":
        return row
    row.status = "archived"
    row.archived_at = now
    row.version += 1
    row.updated_at = now
    _written(session, row)
    _audit(session, principal, "listing.archived", row, now, ip=ip)
    return row


def public_model(row: Solution, org: Organization, *, today: date) -> SolutionPublic:
    assert row.id is not None
    return SolutionPublic(
        id=row.id,
        external_id=row.external_id,
        org_id=row.org_id,
        org_name=org.name,
        org_verified=org.verified,
        title=row.title,
        summary=row.summary,
        description=row.description,
        industries=row.industries,
        scenarios=row.scenarios,
        capabilities=row.capabilities,
        regions=row.regions,
        price_min=row.price_min,
        price_max=row.price_max,
        preferences=row.preferences or {},
        status=solution_status(row, today),
        reject_reason=row.reject_reason,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


def of_orgs(session: Session, org_ids: list[int]) -> list[Solution]:
    if not org_ids:
        return []
    return list(
        session.exec(
            select(Solution)
            .where(col(Solution.org_id).in_(org_ids))
            .order_by(col(Solution.updated_at).desc(), col(Solution.id).desc())
        ).all()
    )


def published_of_org(session: Session, org_id: int, *, today: date) -> list[Solution]:
    rows = session.exec(
        select(Solution)
        .where(Solution.org_id == org_id, Solution.status == "published")
        .order_by(col(Solution.updated_at).desc())
    ).all()
    return [r for r in rows if is_public_solution(r, today)]
