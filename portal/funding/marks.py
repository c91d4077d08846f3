"""The demand owner's shortlist of funding calls (收藏): a row per demand and call, which the
deadline reminders of the notifications read (``funding_mark``)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from portal.audit import service as audit
from portal.auth.permissions import Principal
from portal.kit.errors import FieldErrors
from portal.kit.i18n import _
from portal.listings import service as listings
from portal.listings.registry import DEMAND
from portal.models import Demand, Funding, FundingMark


def shortlist(
    session: Session,
    *,
    principal: Principal | None,
    demand: Demand,
    funding_id: int,
    keep: bool,
    now: datetime,
    ip: str | None = None,
) -> None:
    """The demand's owner shortlists a call (``keep``) or takes it off the list."""
    org = listings.owner_org(session, principal, DEMAND, demand)
    assert principal is not None and org.id is not None and demand.id is not None
    call = session.get(Funding, funding_id)
    if call is None or call.status != "published":
        raise FieldErrors({"funding_id": _("找不到该资金扶持项目")})
    row = session.exec(
        select(FundingMark).where(
            FundingMark.demand_id == demand.id, FundingMark.funding_id == funding_id
        )
    ).first()
    if keep == (row is not None):
        return
    if keep:
        session.add(
            FundingMark(org_id=org.id, demand_id=demand.id, funding_id=funding_id, created_at=now)
        )
    else:
        session.delete(row)
    session.flush()
    audit.record(
        session,
        action="funding.shortlisted" if keep else "funding.unshortlisted",
        now=now,
        actor=principal.user,
        entity="demand",
        entity_id=demand.external_id,
        detail={"funding": call.external_id},
        ip=ip,
    )
