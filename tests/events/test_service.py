"""The event service: rules of registration, meeting requests carried as introductions,
and the agenda in the database — placed by the solver, kept by a regeneration."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import Session, select

import scheduling
from portal.clock import HUNAN, FrozenClock
from portal.events import service
from portal.indicators.periods import Period
from portal.introductions import service as introductions
from portal.kit.errors import Conflict, FieldErrors, Forbidden
from portal.models import EventMeeting, Introduction, Notification
from portal.reports.service import events_section
from portal.search.gateway import SearchGateway
from tests.events.conftest import Scene, event_data, register
from tests.factories import make_demand, make_org, make_solution, make_user


def meet(
    session: Session, gateway: SearchGateway, scene: Scene, clock: FrozenClock, solution: int = 0
) -> EventMeeting:
    """The enterprise requests a meeting with a vendor, who accepts."""
    meeting = service.request_meeting(
        session,
        gateway,
        principal=scene.principal("buyer"),
        event=scene.event,
        demand_id=scene.demand.id or 0,
        solution_id=scene.solutions[solution].id or 0,
        now=clock.now(),
    )
    intro = session.get(Introduction, meeting.introduction_id)
    assert intro is not None
    introductions.accept(
        session, principal=scene.principal(f"seller{solution + 1}"), intro=intro, now=clock.now()
    )
    return meeting


def test_slots_skip_breaks_and_span_the_days(session: Session, clock: FrozenClock) -> None:
    today = clock.today()
    data = event_data(today, day_end="11:00", breaks=["10:00-10:20"], ends_on=None)
    values = service.check_event(data, today=today, zone_codes=set())
    slots = service.slots_of(service.Event(**values))
    assert [s.id[-5:] for s in slots] == ["09:00", "09:20", "09:40", "10:20", "10:40"]
    two_days = service.check_event(
        event_data(today, ends_on=today + timedelta(days=8)), today=today, zone_codes=set()
    )
    assert len(service.slots_of(service.Event(**two_days))) == 8


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "会"}, "title"),
        ({"day_start": "9点"}, "day_start"),
        ({"day_end": "08:00"}, "day_end"),
        ({"slot_minutes": 7}, "slot_minutes"),
        ({"breaks": ["12:00-11:00"]}, "breaks"),
        ({"tables": 0}, "tables"),
        ({"venue": "", "online_url": ""}, "venue"),
        ({"industries": ["nowhere"]}, "industries"),
        ({"registration_deadline": None}, "registration_deadline"),
    ],
)
def test_an_event_names_each_wrong_field(clock: FrozenClock, change: dict, field: str) -> None:
    today = clock.today()
    with pytest.raises(FieldErrors) as refused:
        service.check_event(event_data(today, **change), today=today, zone_codes=set())
    assert field in refused.value.errors


def test_registration_rules(session: Session, scene: Scene, clock: FrozenClock) -> None:
    now = clock.now()
    with pytest.raises(FieldErrors) as refused:
        register(session, scene, "buyer", now, demand_ids=[], attendees="")
    assert {"listings", "attendees"} <= set(refused.value.errors)
    with pytest.raises(FieldErrors) as refused:
        register(session, scene, "buyer", now, demand_ids=[scene.demand.id, 999_999])
    assert "demand_ids" in refused.value.errors
    slots = [s.id for s in service.slots_of(scene.event)]
    with pytest.raises(FieldErrors) as refused:
        register(session, scene, "buyer", now, unavailable=slots)
    assert "unavailable" in refused.value.errors
    official = make_user(session, role="official")
    with pytest.raises(Forbidden):
        service.registering_org(session, service.Principal(official))
    service.close_registration(
        session, principal=scene.principal("official"), event=scene.event, now=now
    )
    with pytest.raises(Conflict, match="截止"):
        register(session, scene, "buyer", now)


def test_capacity_and_deadline(session: Session, scene: Scene, clock: FrozenClock) -> None:
    scene.event.capacity = 3
    late = make_org(session, kind="integrator")
    offer = make_solution(session, late, status="published")
    user = make_user(session, org=late)
    with pytest.raises(Conflict, match="上限"):
        service.register(
            session,
            principal=service.Principal(user),
            event=scene.event,
            demand_ids=[],
            solution_ids=[offer.id],
            unavailable=[],
            attendees="赵经理",
            now=clock.now(),
        )
    clock.advance(days=6)  # past the deadline: even a change is refused
    with pytest.raises(Conflict, match="截止"):
        register(session, scene, "buyer", clock.now())


def test_suggestions_rank_the_other_side_and_exclude_strangers(
    session: Session, gateway: SearchGateway, scene: Scene, clock: FrozenClock
) -> None:
    items = service.suggestions(
        session, gateway, principal=scene.principal("buyer"), event=scene.event, now=clock.now()
    )
    assert {s.solution.id for s in items} == {s.id for s in scene.solutions}
    assert all(s.mine == "demand" and s.explanation for s in items)
    assert [s.score for s in items] == sorted((s.score for s in items), reverse=True)
    vendor_view = service.suggestions(
        session, gateway, principal=scene.principal("seller1"), event=scene.event, now=clock.now()
    )
    assert [(s.demand.id, s.mine) for s in vendor_view] == [(scene.demand.id, "solution")]
    with pytest.raises(Forbidden):
        service.suggestions(
            session,
            gateway,
            principal=scene.principal("stranger"),
            event=scene.event,
            now=clock.now(),
        )


def test_a_meeting_request_is_an_introduction_carried_by_the_event(
    session: Session, gateway: SearchGateway, scene: Scene, clock: FrozenClock
) -> None:
    meeting = meet(session, gateway, scene, clock)
    intro = session.get(Introduction, meeting.introduction_id)
    assert intro is not None and intro.event_id == scene.event.id
    assert intro.stage == "accepted" and meeting.score > 0
    # The vendor was told it is a meeting at this event, not a plain introduction request.
    asked = session.exec(
        select(Notification).where(
            Notification.kind == "introduction_requested",
            Notification.url == f"/introductions/{intro.id}",
        )
    ).all()
    assert asked and all(scene.event.title in n.title and "议程" in n.body for n in asked)
    with pytest.raises(Conflict, match="进行中"):  # the introductions' one-open-pair rule
        meet(session, gateway, scene, clock)
    with pytest.raises(Forbidden):  # a pair the stranger did not bring
        service.request_meeting(
            session,
            gateway,
            principal=scene.principal("seller1"),
            event=scene.event,
            demand_id=scene.demand.id or 0,
            solution_id=scene.solutions[1].id or 0,
            now=clock.now(),
        )
    with pytest.raises(FieldErrors):  # a listing not brought to the event
        service.request_meeting(
            session,
            gateway,
            principal=scene.principal("buyer"),
            event=scene.event,
            demand_id=scene.demand.id or 0,
            solution_id=scene.stranger_solution.id or 0,
            now=clock.now(),
        )


def test_the_agenda_keeps_every_rule_and_regenerating_moves_few(
    session: Session, gateway: SearchGateway, scene: Scene, clock: FrozenClock
) -> None:
    """Five enterprises each meet both vendors (10 meetings) in 4 slots × 2 tables: each
    vendor can hold at most 4, so 8 is the optimum. Then one vendor cannot come to one slot
    and a late meeting is accepted: the regeneration keeps the other meetings in place."""
    now = clock.now()
    official = scene.principal("official")
    buyers = []
    for n in range(4):
        org = make_org(session, kind="enterprise", name=f"企业{n}")
        make_demand(session, org, status="published", deadline=now.date() + timedelta(days=60))
        buyers.append(make_user(session, org=org))
    pairs = []
    for user in [scene.users["buyer"], *buyers]:
        mine = service.Principal(user)
        org = service.registering_org(session, mine)
        demand = service.bringable(session, org, today=now.date())["demand"][0]
        service.register(
            session, principal=mine, event=scene.event, demand_ids=[demand.id],
            solution_ids=[], unavailable=[], attendees="参会代表", now=now,
        )  # fmt: skip
        for v, solution in enumerate(scene.solutions):
            m = service.request_meeting(
                session, gateway, principal=mine, event=scene.event,
                demand_id=demand.id, solution_id=solution.id or 0, now=now,
            )  # fmt: skip
            intro = session.get(Introduction, m.introduction_id)
            assert intro is not None
            introductions.accept(
                session, principal=scene.principal(f"seller{v + 1}"), intro=intro, now=now
            )
            pairs.append(m)
    first = service.generate_agenda(session, principal=official, event=scene.event, now=now)
    problem, placed = service.build_problem(session, scene.event)
    assert first.count == 8 and first.optimal
    assert scheduling.check(problem, first) == []
    assert {x.meeting for x in placed.placements} == {x.meeting for x in first.placements}
    assert scene.event.agenda_summary["scheduled"] == 8
    # Every organisation with a placed meeting hears that its agenda is ready.
    placed_orgs = {
        org
        for m in pairs
        if m.slot
        for i in [session.get(Introduction, m.introduction_id)]
        if i is not None
        for org in (i.requester_org_id, i.receiver_org_id)
    }
    assert agenda_notices(session) == {org: 1 for org in placed_orgs}

    # A vendor cannot come to the first slot any more.
    busy = next(m for m in pairs if m.slot == service.slots_of(scene.event)[0].id)
    intro = session.get(Introduction, busy.introduction_id)
    assert intro is not None
    vendor_reg = next(
        r for r in service.registrations(session, scene.event) if r.org_id == intro.receiver_org_id
    )
    vendor_reg.unavailable = [busy.slot or ""]
    session.add(vendor_reg)
    before = {m.id: (m.slot, m.table_no) for m in pairs if m.slot}
    clock.advance(hours=1)
    again = service.generate_agenda(session, principal=official, event=scene.event, now=clock.now())
    problem, _ = service.build_problem(session, scene.event)
    assert scheduling.check(problem, again) == []
    assert again.count == 7  # that vendor now has three slots
    after = {m.id: (m.slot, m.table_no) for m in pairs}
    moved = [m for m, place in before.items() if after[m] != place]
    assert len(moved) <= 2, moved  # the meeting in the lost slot, and at most one other
    assert scene.event.agenda_summary["moved"] == len(moved)
    # Only those whose meetings were moved or dropped hear of the change.
    touched = {
        org
        for m in pairs
        if m.id in moved or (m.id in before and not m.slot)
        for i in [session.get(Introduction, m.introduction_id)]
        if i is not None
        for org in (i.requester_org_id, i.receiver_org_id)
    }
    assert touched and touched != placed_orgs
    assert agenda_notices(session) == {org: 1 + (org in touched) for org in placed_orgs | touched}


def agenda_notices(session: Session) -> dict[int, int]:
    """How many agenda notices each organisation got (one per member; one member each)."""
    rows = session.exec(select(Notification).where(Notification.kind == "agenda_changed")).all()
    return dict(Counter(n.org_id for n in rows if n.org_id is not None))


def test_declined_and_waiting_requests_stay_out_of_the_agenda(
    session: Session, gateway: SearchGateway, scene: Scene, clock: FrozenClock
) -> None:
    accepted = meet(session, gateway, scene, clock)
    declined = service.request_meeting(
        session,
        gateway,
        principal=scene.principal("buyer"),
        event=scene.event,
        demand_id=scene.demand.id or 0,
        solution_id=scene.solutions[1].id or 0,
        now=clock.now(),
    )
    intro = session.get(Introduction, declined.introduction_id)
    assert intro is not None
    introductions.decline(
        session,
        principal=scene.principal("seller2"),
        intro=intro,
        reason="timing",
        note=None,
        now=clock.now(),
    )
    problem, _ = service.build_problem(session, scene.event)
    assert [m.id for m in problem.meetings] == [f"m{accepted.id}"]
    service.generate_agenda(
        session, principal=scene.principal("official"), event=scene.event, now=clock.now()
    )
    assert accepted.slot is not None and declined.slot is None


def test_without_accepted_meetings_there_is_nothing_to_generate(
    session: Session, scene: Scene, clock: FrozenClock
) -> None:
    with pytest.raises(Conflict, match="接受"):
        service.generate_agenda(
            session, principal=scene.principal("official"), event=scene.event, now=clock.now()
        )
    with pytest.raises(Forbidden):
        service.generate_agenda(
            session, principal=scene.principal("buyer"), event=scene.event, now=clock.now()
        )


def test_on_the_day_and_after(
    session: Session, gateway: SearchGateway, scene: Scene, clock: FrozenClock
) -> None:
    meeting = meet(session, gateway, scene, clock)
    official = scene.principal("official")
    service.generate_agenda(session, principal=official, event=scene.event, now=clock.now())
    with pytest.raises(Conflict, match="开始"):
        service.follow_up(
            session, principal=scene.principal("buyer"), event=scene.event,
            meeting_id=meeting.id or 0, answer=True, now=clock.now(),
        )  # fmt: skip
    clock.advance(days=7)
    regs = service.registrations(session, scene.event)
    service.check_in(
        session, principal=official, event=scene.event, registration_id=regs[0].id or 0,
        now=clock.now(),
    )  # fmt: skip
    with pytest.raises(Forbidden):  # officials mark attendance, not even a party
        service.mark_attendance(
            session, principal=scene.principal("seller1"), event=scene.event,
            meeting_id=meeting.id or 0, attendance="held", now=clock.now(),
        )  # fmt: skip
    service.mark_attendance(
        session, principal=official, event=scene.event, meeting_id=meeting.id or 0,
        attendance="held", now=clock.now(),
    )  # fmt: skip
    with pytest.raises(Forbidden):
        service.follow_up(
            session, principal=official, event=scene.event, meeting_id=meeting.id or 0,
            answer=True, now=clock.now(),
        )  # fmt: skip
    service.follow_up(
        session, principal=scene.principal("buyer"), event=scene.event,
        meeting_id=meeting.id or 0, answer=True, now=clock.now(),
    )  # fmt: skip
    intro = session.get(Introduction, meeting.introduction_id)
    assert intro is not None and intro.stage == "negotiating"
    assert meeting.follow_up_demand is True and meeting.follow_up_solution is None
    figures = dict(service.report(session, principal=official, event=scene.event, now=clock.now()))
    assert figures["报名机构"] == 3 and figures["签到机构"] == 1
    assert figures["洽谈请求"] == 1 and figures["已排入日程"] == 1 and figures["已举行"] == 1
    assert figures["至少一方愿意继续对接"] == 1 and figures["进入“洽谈中”"] == 1
    # The plan report's 对接活动 section reads the same figures, for the period of the event.
    year = scene.event.starts_on.year
    section = events_section(session, Period(year - 1, year + 4, "", None), clock.now())
    assert section is not None
    (table,) = section.tables
    assert table.rows == [[scene.event.title, scene.event.starts_on.isoformat(), 3, 1, 1, 1, 0]]
    assert events_section(session, Period(year - 6, year - 1, "", None), clock.now()) is None


def test_a_slot_is_labelled_in_the_requests_language() -> None:
    from datetime import datetime

    from portal.kit.i18n import using

    start = datetime(2026, 12, 10, 9, 0, tzinfo=HUNAN)
    slot = service.Slot("2026-12-10T09:00", start, start + timedelta(minutes=20))
    assert slot.label == "12月10日 09:00–09:20"
    with using("en"):
        assert slot.label == "12-10 09:00–09:20"
