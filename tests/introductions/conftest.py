"""A matchmaking scene: an enterprise with a published demand, a vendor with a published
solution, a third organisation, and an official — each with a write token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import Session

from portal.models import Demand, Organization, Solution, User
from tests.factories import make_demand, make_org, make_solution, make_token, make_user


@dataclass
class Scene:
    enterprise: Organization
    vendor: Organization
    third: Organization
    demand: Demand
    solution: Solution
    buyer: User
    seller: User
    stranger: User
    official: User
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def scene(session: Session, clock: object) -> Scene:
    enterprise = make_org(
        session,
        kind="enterprise",
        name="醴陵某陶瓷企业",
        contact_name="张工",
        contact_phone="13800000001",
        contact_email="buyer@example.com",
    )
    vendor = make_org(
        session,
        kind="integrator",
        name="某5G集成商",
        contact_name="李经理",
        contact_phone="13900000002",
        contact_email="seller@example.com",
    )
    third = make_org(session, kind="integrator", name="第三方集成商")
    today = clock.today()  # type: ignore[attr-defined]
    demand = make_demand(
        session, enterprise, status="published", deadline=today + timedelta(days=60)
    )
    solution = make_solution(session, vendor, status="published")
    buyer, seller = make_user(session, org=enterprise), make_user(session, org=vendor)
    stranger = make_user(session, org=third)
    official = make_user(session, role="official")
    tokens = {
        "buyer": make_token(session, buyer),
        "seller": make_token(session, seller),
        "stranger": make_token(session, stranger),
        "official": make_token(session, official),
    }
    session.commit()  # a refused request rolls back to here, not past the scene
    return Scene(
        enterprise, vendor, third, demand, solution, buyer, seller, stranger, official, tokens
    )
