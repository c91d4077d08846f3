"""The demo event: written once over the demo set (after the demo introductions, whose
pairs it leaves alone), its meetings placed by the scheduler within every rule."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

import scheduling
from portal.bootstrap import DEMO_FILE
from portal.events import demo, service
from portal.imports.service import import_lines
from portal.introductions import demo as intro_demo
from portal.kit.i18n import using
from portal.models import Event, EventMeeting, Introduction, Organization
from portal.search.gateway import SearchGateway

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)


def test_the_demo_event_is_written_once_with_a_sound_agenda(
    session: Session, gateway: SearchGateway
) -> None:
    report = import_lines(session, DEMO_FILE.read_text(encoding="utf-8").splitlines(), demo=True)
    assert report.ok
    intro_demo.seed(session, now=NOW)
    written = demo.seed(session, gateway, now=NOW)
    assert written >= 10
    assert demo.seed(session, gateway, now=NOW) == 0  # once
    event = session.exec(select(Event)).one()
    problem, placed = service.build_problem(session, event)
    assert len(problem.meetings) == written
    result = scheduling.Schedule(
        placements=tuple(
            sorted(placed.placements, key=lambda x: (problem.slot_index[x.slot], x.table))
        ),
        unscheduled=tuple(
            sorted({m.id for m in problem.meetings} - {x.meeting for x in placed.placements})
        ),
        objective=event.agenda_summary["objective"],
    )
    assert scheduling.check(problem, result) == []
    assert event.agenda_summary["scheduled"] == len(placed.placements) > 0
    # The demo accounts' organisations stay out, for people to try the loop themselves.
    mine = session.exec(
        select(Organization.id).where(
            col(Organization.external_id).in_(["demo-ent-xjzz", "demo-vnd-xltx", "demo-vnd-rsxj"])
        )
    ).all()
    assert not {r.org_id for r in service.registrations(session, event)} & set(mine)
    carried = session.exec(select(Introduction).where(Introduction.event_id == event.id)).all()
    assert len(carried) == written == len(session.exec(select(EventMeeting)).all())


def test_the_demo_event_is_written_in_the_seeding_commands_language(
    session: Session, gateway: SearchGateway
) -> None:
    assert import_lines(session, DEMO_FILE.read_text(encoding="utf-8").splitlines(), demo=True).ok
    with using("en"):  # portal --lang en seed --demo
        demo.seed(session, gateway, now=NOW)
    event = session.exec(select(Event)).one()
    assert event.title.startswith("Changsha–Zhuzhou–Xiangtan") and "示例" not in event.title
    assert event.venue and "会议中心" not in event.venue
    carried = session.exec(select(Introduction).where(Introduction.event_id == event.id)).first()
    assert carried is not None and event.title in carried.message
