"""An event scene: an official's event a week ahead (4 slots of 20 minutes, 2 tables); an
enterprise with a published demand and two vendors with a published solution each,
all three registered; a third vendor with a solution that did not register."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from portal.auth.permissions import Principal
from portal.clock import FrozenClock, local_today
from portal.events import service
from portal.models import Demand, Event, Organization, Solution, User
from tests.factories import make_demand, make_org, make_solution, make_token, make_user


@dataclass
class Scene:
    event: Event
    enterprise: Organization
    vendors: list[Organization]
    third: Organization
    demand: Demand
    solutions: list[Solution]
    stranger_solution: Solution
    users: dict[str, User]
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def principal(self, who: str) -> Principal:
        return Principal(self.users[who])


def event_data(today: object, **changes: object) -> service.EventData:
    data = service.EventData(
        title="株洲轨道交通装备5G供需对接会",
        description="面向轨道交通装备集群的一对一洽谈。",
        starts_on=today + timedelta(days=7),  # type: ignore[operator]
        day_start="09:00",
        day_end="10:20",
        slot_minutes=20,
        venue="株洲国际会展中心 B 馆",
        tables=2,
        industries=["rail_transit"],
        registration_deadline=today + timedelta(days=5),  # type: ignore[operator]
        capacity=10,
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def register(session: Session, scene: Scene, who: str, now: datetime, **changes: object) -> None:
    org = scene.enterprise if who == "buyer" else scene.vendors[int(who[-1]) - 1]
    values: dict[str, object] = {
        "demand_ids": [scene.demand.id] if org is scene.enterprise else [],
        "solution_ids": [s.id for s in scene.solutions if s.org_id == org.id],
        "unavailable": [],
        "attendees": "王总（总经理）、李工",
    }
    values.update(changes)
    service.register(
        session,
        principal=scene.principal(who),
        event=scene.event,
        now=now,
        **values,  # type: ignore[arg-type]
    )


@pytest.fixture
def scene(session: Session, clock: FrozenClock) -> Scene:
    built = build_scene(session, clock)
    session.commit()  # a refused request rolls back to here, not past the scene
    return built


def build_scene(session: Session, clock: FrozenClock) -> Scene:
    now = clock.now()
    today = local_today(now)
    enterprise = make_org(
        session,
        kind="enterprise",
        name="株洲某轨道装备企业",
        contact_name="张工",
        contact_phone="13800000001",
        contact_email="buyer@example.com",
    )
    vendors = [
        make_org(session, kind="integrator", name="某5G集成商", contact_phone="13900000002"),
        make_org(session, kind="equipment_vendor", name="某工业相机厂商"),
    ]
    third = make_org(session, kind="integrator", name="第三方集成商")
    demand = make_demand(
        session,
        enterprise,
        status="published",
        title="转向架焊缝视觉检测",
        industry="rail_transit",
        deadline=today + timedelta(days=60),
    )
    solutions = [
        make_solution(session, v, status="published", title=f"5G机器视觉质检方案{n}")
        for n, v in enumerate(vendors, start=1)
    ]
    stranger_solution = make_solution(session, third, status="published")
    users = {
        "buyer": make_user(session, org=enterprise),
        "seller1": make_user(session, org=vendors[0]),
        "seller2": make_user(session, org=vendors[1]),
        "stranger": make_user(session, org=third),
        "official": make_user(session, role="official"),
    }
    event = service.create(
        session, principal=Principal(users["official"]), data=event_data(today), now=now
    )
    scene = Scene(event, enterprise, vendors, third, demand, solutions, stranger_solution, users)
    scene.tokens = {who: make_token(session, user) for who, user in users.items()}
    for who in ("buyer", "seller1", "seller2"):
        register(session, scene, who, now)
    return scene
