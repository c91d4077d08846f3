"""Shortlist (收藏) and dismiss (不合适) on a match list: an organisation's marks on a
demand–solution pair. A dismissed match leaves the list until "show dismissed" brings it
back; every mark and its undoing is kept as feedback for the ranking."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from portal.auth.permissions import Principal
from portal.kit.errors import FieldErrors
from portal.kit.i18n import N_, _
from portal.listings import service as listings
from portal.listings.registry import DEMAND, SOLUTION
from portal.models import Demand, MatchFeedback, MatchMark, Membership, Solution

ACTIONS = ("shortlist", "unshortlist", "dismiss", "undismiss")
DISMISS_REASONS = {
    "not_fit": N_("方向不对"),
    "budget": N_("预算不符"),
    "timing": N_("时间不合适"),
    "region": N_("地域不符"),
    "other": N_("其他原因"),
}


def mark(
    session: Session,
    *,
    principal: Principal | None,
    demand_id: int,
    solution_id: int,
    action: str,
    now: datetime,
    reason: str | None = None,
    score: float | None = None,
) -> MatchMark:
    """Record ``action`` on the pair for the principal's side: the demand's enterprise
    marks solutions on its match list, the solution's vendor marks demands."""
    errors: dict[str, str] = {}
    if action not in ACTIONS:
        errors["action"] = _("未知的操作")
    if action == "dismiss" and reason not in DISMISS_REASONS:
        errors["reason"] = _("请选择不合适的原因")
    demand, solution = session.get(Demand, demand_id), session.get(Solution, solution_id)
    if demand is None or solution is None:
        errors["demand_id"] = _("找不到该匹配")
    if errors:
        raise FieldErrors(errors)
    assert demand is not None and solution is not None
    member = set(
        session.exec(
            select(Membership.org_id).where(
                Membership.user_id == (principal.user_id if principal else -1)
            )
        )
    )
    if demand.org_id in member:
        side, org = "demand", listings.owner_org(session, principal, DEMAND, demand)
    else:
        side, org = "solution", listings.owner_org(session, principal, SOLUTION, solution)
    row = session.exec(
        select(MatchMark).where(
            MatchMark.org_id == org.id,
            MatchMark.demand_id == demand_id,
            MatchMark.solution_id == solution_id,
        )
    ).first()
    if row is None:
        assert org.id is not None
        row = MatchMark(org_id=org.id, demand_id=demand_id, solution_id=solution_id)
    row.shortlisted = {"shortlist": True, "unshortlist": False}.get(action, row.shortlisted)
    if action in ("dismiss", "undismiss"):
        row.dismissed = action == "dismiss"
        row.dismiss_reason = reason if action == "dismiss" else None
    row.updated_at = now
    session.add(row)
    session.add(
        MatchFeedback(
            demand_id=demand_id,
            solution_id=solution_id,
            org_id=org.id,
            side=side,
            action=action,
            reason=reason if action == "dismiss" else None,
            score=score,
            at=now,
        )
    )
    session.flush()
    return row


def marks_of(session: Session, org_ids: Iterable[int]) -> dict[tuple[int, int], MatchMark]:
    """These organisations' marks by (demand id, solution id)."""
    ids = list(org_ids)
    if not ids:
        return {}
    rows = session.exec(select(MatchMark).where(col(MatchMark.org_id).in_(ids)))
    return {(r.demand_id, r.solution_id): r for r in rows}
