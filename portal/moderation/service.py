"""Moderation: officials approve or reject pending listings of every kind, one by one or in
bulk; every decision is in the audit log and reaches the index through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, col, select

from portal.audit import service as audit
from portal.auth.permissions import Action, Principal, authorize
from portal.db import bump_version
from portal.inputs import whole_number
from portal.kit.errors import Conflict, FieldErrors
from portal.kit.i18n import _
from portal.listings.kinds import ListingKind
from portal.listings.registry import KINDS
from portal.models import Organization
from portal.notifications import events as notifications
from portal.search.outbox import enqueue

Decision = Literal["approve", "reject"]
REASON_MAX = 500


@dataclass(frozen=True)
class QueueItem:
    kind: ListingKind
    row: Any
    org: Organization

    @property
    def key(self) -> str:
        return f"{self.kind.name}:{self.row.id}"


@dataclass
class Outcome:
    decided: int = 0
    skipped: int = 0


def queue(session: Session) -> list[QueueItem]:
    """Pending listings, oldest change first."""
    items: list[QueueItem] = []
    for kind in KINDS.values():
        model = kind.model
        rows = session.exec(
            select(model, Organization)
            .join(Organization, col(Organization.id) == col(model.org_id))
            .where(model.status == "pending")
        ).all()
        items += [QueueItem(kind, row, org) for row, org in rows]
    return sorted(items, key=lambda i: (i.row.updated_at, i.kind.name, i.row.id or 0))


def parse_keys(keys: list[str]) -> list[tuple[ListingKind, int]]:
    """``solution:12`` → ("solution", 12); anything else is ignored."""
    out: list[tuple[ListingKind, int]] = []
    for key in keys:
        name, _, raw_id = key.partition(":")
        listing_id = whole_number(raw_id)
        if name in KINDS and listing_id is not None:
            out.append((KINDS[name], listing_id))
    return list(dict.fromkeys(out))


def decide(
    session: Session,
    *,
    principal: Principal | None,
    items: list[tuple[ListingKind, int]],
    decision: Decision,
    reason: str = "",
    now: datetime,
    ip: str | None = None,
) -> Outcome:
    """Approve or reject the pending listings among ``items``; others are skipped (someone
    decided them already, or the owner withdrew them)."""
    authorize(session, principal, Action.LISTING_APPROVE)
    assert principal is not None
    reason = reason.strip()
    errors: dict[str, str] = {}
    if not items:
        errors["items"] = _("请至少选择一项")
    if decision == "reject" and not reason:
        errors["reason"] = _("驳回时请填写理由，发布者会看到它")
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("理由不能超过 {REASON_MAX} 个字").format(REASON_MAX=REASON_MAX)
    if errors:
        raise FieldErrors(errors)
    outcome = Outcome()
    for kind, listing_id in items:
        row = session.get(kind.model, listing_id)
        if row is None or row.status != "pending":
            outcome.skipped += 1
            continue
        row.status = "published" if decision == "approve" else "rejected"
        row.reject_reason = reason if decision == "reject" else None
        row.reviewed_by = principal.user_id
        row.reviewed_at = now
        bump_version(row)
        row.updated_at = now
        session.add(row)
        session.flush()
        assert row.id is not None
        enqueue(session, entity=kind.name, entity_id=row.id, version=row.version)  # type: ignore[arg-type]
        audit.record(
            session,
            action="listing.approved" if decision == "approve" else "listing.rejected",
            now=now,
            actor=principal.user,
            entity=kind.name,
            entity_id=row.external_id,
            detail={"reason": reason} if decision == "reject" else {},
            ip=ip,
        )
        notifications.listing_decided(
            session,
            kind_name=kind.name,
            kind_label=kind.label,
            row=row,
            approved=decision == "approve",
            reason=reason,
            now=now,
        )
        outcome.decided += 1
    if outcome.decided == 0 and outcome.skipped:
        raise Conflict(_("所选条目已不在待审核状态"))
    return outcome
