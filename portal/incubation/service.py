"""Incubation programmes a young vendor fits (few benchmark cases, no network born of its
introductions yet): rows into :mod:`matching.programmes` documents, each fit explained."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, func, or_, select

from matching.programmes import Programme, Vendor, Verdict, is_young, rank_incubation
from portal.funding.service import labels as programme_labels
from portal.models import Incubation, Introduction, Organization, Solution
from portal.reference.vocab import get_vocabularies
from portal.search.sync import track_records

# The organisations an incubator takes in: those that build applications (not operators,
# banks or incubators themselves).
INCUBATED_KINDS = frozenset(
    {"integrator", "app_developer", "equipment_vendor", "research_institute", "university"}
)


def vendor_of(session: Session, org: Organization) -> Vendor:
    assert org.id is not None
    industries: set[str] = set()
    for codes in session.exec(
        select(Solution.industries).where(Solution.org_id == org.id, Solution.status == "published")
    ):
        industries.update(codes)
    networks = session.exec(
        select(func.count())
        .select_from(Introduction)
        .join(Solution, col(Solution.id) == col(Introduction.solution_id))
        .where(Solution.org_id == org.id, Introduction.stage == "network_live")
    ).one()
    cases = sum(track_records(session, [org]).get(org.id, {}).values())
    return Vendor(
        city=org.city, industries=frozenset(industries), cases=cases, networks=int(networks)
    )


def programmes_for(session: Session, org: Organization, *, today: date) -> list[Verdict] | None:
    """The open programmes ``org`` fits, ranked; None when it is not a young vendor."""
    if org.kind not in INCUBATED_KINDS:
        return None
    vendor = vendor_of(session, org)
    if not is_young(vendor):
        return None
    rows = session.exec(
        select(Incubation)
        .where(
            Incubation.status == "published",
            or_(col(Incubation.ends_on).is_(None), col(Incubation.ends_on) >= today),
        )
        .order_by(col(Incubation.id))
    ).all()
    programmes = [
        Programme(
            id=r.id or 0,
            external_id=r.external_id,
            title=r.title,
            industries=tuple(r.industries),
            regions=tuple(r.regions),
            support=tuple(r.support),
            starts_on=r.starts_on,
            ends_on=r.ends_on,
        )
        for r in rows
    ]
    parks = {
        c: t.city for c, t in get_vocabularies().terms["pilot_zone"].items() if t.kind == "park"
    }
    return rank_incubation(vendor, programmes, today=today, parks=parks, labels=programme_labels())
