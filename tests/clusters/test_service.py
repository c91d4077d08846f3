from datetime import date

from sqlmodel import Session

from portal.clusters.service import cluster_counts
from tests.factories import make_demand, make_solution

TODAY = date(2026, 1, 5)


def fireworks(session: Session):  # type: ignore[no-untyped-def]
    return next(c for c in cluster_counts(session, today=TODAY) if c.code == "fireworks")


def test_open_demands_without_a_strong_match(session: Session) -> None:
    before = fireworks(session)
    make_demand(session, industry="fireworks", city="changsha")
    make_demand(session, industry="fireworks", city="changsha", deadline=date(2025, 1, 1))
    make_demand(session, industry="fireworks", city="chenzhou")
    make_solution(session, industries=["fireworks"], regions=["changsha"])
    make_solution(session, industries=[], regions=["hunan"])  # "any industry" is not strong
    after = fireworks(session)
    assert after.demands == before.demands + 3
    assert after.open_demands == before.open_demands + 2
    assert after.open_without_strong_match == before.open_without_strong_match + 1  # chenzhou
    make_solution(session, industries=["fireworks"], regions=["national"])
    assert fireworks(session).open_without_strong_match == before.open_without_strong_match


def test_every_featured_industry_is_a_cluster(session: Session) -> None:
    codes = [c.code for c in cluster_counts(session, today=TODAY)]
    for code in ("construction_machinery", "rail_transit", "ceramics", "fireworks",
                 "injection_molding", "aero_engine"):  # fmt: skip
        assert code in codes
