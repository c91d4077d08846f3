"""A young vendor sees the incubation programmes it fits on its opportunities page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.clock import FrozenClock
from portal.incubation.service import programmes_for
from tests.factories import make_case, make_incubation, make_org, make_solution, make_user
from tests.support.web import sign_in


def test_a_young_vendor_sees_the_programmes_it_fits(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    org = make_org(session, kind="app_developer", city="changsha", name="星城视频科技")
    make_solution(session, org=org, industries=["culture_media"], status="published")
    make_incubation(
        session,
        title="马栏山孵化营",
        industries=["culture_media"],
        regions=["malanshan"],
        support=["space"],
        status="published",
    )
    make_incubation(
        session, title="陶瓷孵化", industries=["ceramics"], regions=["hunan"], status="published"
    )
    session.commit()
    sign_in(client, make_user(session, org=org).email)
    page = client.get("/opportunities").text
    assert 'data-testid="incubation-for-vendor"' in page
    assert "马栏山孵化营" in page and "位于马栏山视频文创产业园（本市）" in page
    assert "陶瓷孵化" not in page


def test_a_vendor_with_a_record_is_not_shown_incubation(
    session: Session, clock: FrozenClock
) -> None:
    org = make_org(session, kind="integrator", name="老牌集成商")
    for _ in range(3):
        make_case(session, providers=["老牌集成商"])
    make_incubation(session, regions=["hunan"], status="published")
    assert programmes_for(session, org, today=clock.today()) is None
    young = make_org(session, kind="integrator")
    assert programmes_for(session, young, today=clock.today())


def test_operators_and_banks_are_not_incubated(session: Session, clock: FrozenClock) -> None:
    make_incubation(session, regions=["hunan"], status="published")
    for kind in ("operator", "finance", "incubator"):
        org = make_org(session, kind=kind)
        assert programmes_for(session, org, today=clock.today()) is None
