"""A demand's funding calls and platforms are memoized (the demand page asks on every
visit) and follow every change they are judged on."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from portal.clock import FrozenClock
from portal.funding import service
from portal.models import Introduction
from portal.search.gateway import SearchGateway
from tests.factories import make_demand, make_funding, make_org, make_solution


def titles(session: Session, gateway: SearchGateway, demand, clock) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    verdicts = service.funding_for_demand(session, gateway.pipeline, demand, today=clock.today())
    return {v.title: v.eligible for v in verdicts}


def test_a_new_call_and_a_project_stage_reach_the_memoized_list(
    session: Session, gateway: SearchGateway, clock: FrozenClock
) -> None:
    need = make_demand(session, industry="ceramics", city="zhuzhou", budget_max=300.0)
    vendor = make_org(session, kind="integrator")
    offer = make_solution(session, vendor, status="published")
    deadline = clock.today() + timedelta(days=30)
    make_funding(session, title="5G项目贷", industries=["ceramics"], regions=["zhuzhou"],
                 deadline=deadline, status="published")  # fmt: skip
    assert titles(session, gateway, need, clock) == {"5G项目贷": True}
    assert titles(session, gateway, need, clock) == {"5G项目贷": True}  # from the memo
    make_funding(session, title="签约后贷款", industries=["ceramics"], regions=["zhuzhou"],
                 deadline=deadline, stages=["contract"], status="published")  # fmt: skip
    assert titles(session, gateway, need, clock) == {"5G项目贷": True, "签约后贷款": False}
    # The project reaches the stage the second call asks for, through an introduction.
    now = clock.now()
    session.add(
        Introduction(
            demand_id=need.id or 0,
            solution_id=offer.id or 0,
            initiator="enterprise",
            requester_org_id=need.org_id,
            receiver_org_id=vendor.id or 0,
            message="对接洽谈",
            next_step="call",
            stage="contract",
            created_at=now,
            updated_at=now,
            expires_at=now + timedelta(days=14),
        )
    )
    session.flush()
    assert titles(session, gateway, need, clock) == {"5G项目贷": True, "签约后贷款": True}
