"""A demo event (development only): a matchmaking day three weeks ahead with demo
enterprises and vendors registered, their best-matching pairs as accepted meetings, and the
agenda generated — so the pages, the table plan and the report have something real to
show. Written once (a ``Meta`` key). The demo accounts' own organisations are left out, for
people to register and try the whole loop."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

import scheduling
from portal.clock import local_today
from portal.events import service
from portal.introductions import service as introductions
from portal.kit.i18n import _
from portal.models import (
    Event,
    EventMeeting,
    EventRegistration,
    Introduction,
    IntroductionStep,
    Meta,
    Organization,
)
from portal.search.gateway import SearchGateway

META_KEY = "seed:demo-events"
VERSION = "1"
ENTERPRISES = (
    "demo-ent-zzgd",
    "demo-ent-llcy",
    "demo-ent-xtjm",
    "demo-ent-zzyy",
    "demo-ent-xzgt",
    "demo-ent-yjqp",
)
VENDORS = (
    "demo-int-xysz",
    "demo-int-zzzl",
    "demo-int-hqgl",
    "demo-app-zjsj",
    "demo-app-yllk",
    "demo-app-slkj",
    "demo-op-cmcc",
)
MEETINGS_PER_DEMAND = 3


def seed(session: Session, gateway: SearchGateway, *, now: datetime) -> int:
    """Write the demo event once; returns how many meetings it has."""
    meta = session.get(Meta, META_KEY)
    if meta is not None and meta.value == VERSION:
        return 0
    today = local_today(now)
    event = Event(
        # Written in the language of the seeding command (portal --lang / PORTAL_LANG).
        title=_("长株潭5G+工业互联网供需对接会（示例）"),
        description=_(
            "面向工程机械、轨道交通装备、陶瓷、注塑等产业集群的一对一供需洽谈："
            "报名时带上需求或方案，平台按匹配度推荐洽谈对象，并统一安排洽谈桌与时段。"
        ),
        starts_on=today + timedelta(days=21),
        ends_on=today + timedelta(days=21),
        day_start="09:00",
        day_end="12:00",
        slot_minutes=20,
        breaks=["10:20-10:40"],
        venue=_("长沙国际会议中心 2 号厅"),
        tables=6,
        industries=["construction_machinery", "rail_transit", "ceramics", "injection_molding"],
        zones=["changsha", "zhuzhou", "xiangtan"],
        registration_deadline=today + timedelta(days=14),
        capacity=60,
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    session.flush()
    assert event.id is not None
    orgs = {
        o.external_id: o
        for o in session.exec(
            select(Organization).where(col(Organization.external_id).in_(ENTERPRISES + VENDORS))
        )
    }
    for external_id in ENTERPRISES + VENDORS:
        org = orgs.get(external_id)
        if org is None or org.id is None:
            continue
        brought = service.bringable(session, org, today=local_today(now))
        session.add(
            EventRegistration(
                event_id=event.id,
                org_id=org.id,
                demand_ids=[d.id for d in brought["demand"][:2]],
                solution_ids=[s.id for s in brought["solution"][:2]],
                attendees=_("示例参会代表（总经理、技术负责人）"),
                created_at=now,
                updated_at=now,
            )
        )
    session.flush()
    demands, solutions = service.listings_at(session, service.registrations(session, event), today)
    score = service.PairScorer(session, gateway, today)
    taken = introductions.open_pairs(session, [o.id for o in orgs.values() if o.id is not None])
    written = 0
    for demand, _brought in demands:
        ranked = sorted(
            ((score(demand, s, explain=False).score, s) for s, _brought in solutions),
            key=lambda x: (-x[0], x[1].id),
        )
        for value, solution in ranked[:MEETINGS_PER_DEMAND]:
            if (demand.id, solution.id) in taken:
                continue
            intro = Introduction(
                demand_id=demand.id or 0,
                solution_id=solution.id or 0,
                initiator="demand",
                requester_org_id=demand.org_id,
                receiver_org_id=solution.org_id,
                message=_("在“{event}”上申请一场 20 分钟的一对一洽谈。").format(event=event.title),
                next_step=service.MEETING_NEXT_STEP,
                event_id=event.id,
                stage="accepted",
                created_at=now,
                updated_at=now,
                expires_at=now + timedelta(days=14),
                answered_at=now,
            )
            session.add(intro)
            session.flush()
            assert intro.id is not None
            session.add(IntroductionStep(introduction_id=intro.id, stage="requested", at=now))
            session.add(IntroductionStep(introduction_id=intro.id, stage="accepted", at=now))
            session.add(
                EventMeeting(
                    event_id=event.id,
                    introduction_id=intro.id,
                    score=value,
                    created_at=now,
                    updated_at=now,
                )
            )
            written += 1
    session.flush()
    if written:
        problem, _problem_notes = service.build_problem(session, event, time_limit_s=5.0)
        service.place(session, event, scheduling.solve(problem), now=now)
    session.merge(Meta(key=META_KEY, value=VERSION))
    session.flush()
    return written
