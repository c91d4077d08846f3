"""Every kind of event: where it is raised, who hears of it, and what it says."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from portal.auth.permissions import Principal
from portal.listings.registry import DEMAND, SOLUTION
from portal.models import Notification, OutboxEvent, PrivateNetwork, PublishedListing
from portal.moderation import service as moderation
from portal.notifications import scans
from portal.search.documents import demand_document
from portal.search.gateway import get_pipeline
from tests.factories import make_demand, make_network, make_solution
from tests.introductions.conftest import Scene
from tests.notifications.conftest import People

MESSAGE = "我们在醴陵有三条窑炉产线，希望了解贵方的机器视觉质检方案。"


def inbox(session: Session, user_id: int | None) -> list[Notification]:
    return list(
        session.exec(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(col(Notification.id))
        )
    )


def kinds(session: Session, user_id: int | None) -> list[str]:
    return [n.kind for n in inbox(session, user_id)]


# --- listings -----------------------------------------------------------------------------


def test_approval_and_rejection_reach_the_owner_and_queue_the_scans(
    session: Session, people: People, clock: Any
) -> None:
    good = make_demand(session, people.enterprise, status="pending", title="窑炉视觉质检")
    bad = make_solution(session, people.vendor, status="pending", title="万能方案")
    official = Principal(user=people.official)
    moderation.decide(
        session,
        principal=official,
        items=[(DEMAND, good.id or 0)],
        decision="approve",
        now=clock.now(),
    )
    moderation.decide(
        session,
        principal=official,
        items=[(SOLUTION, bad.id or 0)],
        decision="reject",
        reason="请写明适用的行业和场景",
        now=clock.now(),
    )
    [approved] = inbox(session, people.buyer.id)
    assert approved.kind == "listing_approved" and "窑炉视觉质检" in approved.title
    assert approved.url == f"/demands/{good.id}"
    [rejected] = inbox(session, people.seller.id)
    assert rejected.kind == "listing_rejected" and "请写明适用的行业和场景" in rejected.body
    queued = session.exec(select(PublishedListing.kind, PublishedListing.listing_id)).all()
    assert ("demand", good.id) in queued and ("solution", bad.id) not in queued


def test_listing_expiring_fourteen_days_before_once(
    session: Session, people: People, clock: Any
) -> None:
    today = clock.today()
    make_demand(session, people.enterprise, status="published", deadline=today + timedelta(days=10))
    make_demand(session, people.enterprise, status="published", deadline=today + timedelta(days=40))
    make_solution(session, people.vendor, status="published", expires_on=today + timedelta(days=14))
    # The buyer, and the vendor's two members; not the demand 40 days away.
    assert scans.scan_expiring(session, now=clock.now()) == 3
    assert scans.scan_expiring(session, now=clock.now()) == 0  # once per listing and date
    [notice] = inbox(session, people.buyer.id)
    assert notice.kind == "listing_expiring" and "还有 10 天" in notice.body


def test_freshness_asks_after_90_days_then_marks_stale_after_30_more(
    session: Session, people: People, clock: Any
) -> None:
    now = clock.now()
    asked = make_demand(
        session, people.enterprise, status="published", reviewed_at=now - timedelta(days=91)
    )
    silent = make_demand(
        session, people.enterprise, status="published", reviewed_at=now - timedelta(days=121)
    )
    recent = make_demand(
        session, people.enterprise, status="published", reviewed_at=now - timedelta(days=10)
    )
    assert scans.scan_freshness(session, now=now) == 1
    [notice] = inbox(session, people.buyer.id)
    assert notice.kind == "freshness_check" and notice.url == f"/demands/{asked.id}"
    session.refresh(silent)
    assert silent.stale_at is not None and asked.stale_at is None and recent.stale_at is None
    # Shown as such, and ranked lower: its document counts it two years unconfirmed.
    doc = demand_document(get_pipeline(), silent, people.enterprise)
    assert doc["updated_day"] == (now - timedelta(days=730)).date().toordinal()
    stale_event = session.exec(
        select(OutboxEvent).where(
            OutboxEvent.entity == "demand", OutboxEvent.entity_id == silent.id
        )
    ).first()
    assert stale_event is not None and stale_event.version == silent.version  # reindexed
    # The owner confirms with one click: fresh again, asked again only 90 days later.
    scans.confirm_current(
        session, principal=Principal(user=people.buyer), kind=DEMAND, row=silent, now=now
    )
    assert silent.stale_at is None and silent.confirmed_at == now
    scans.scan_freshness(session, now=now + timedelta(days=89))
    assert f"/demands/{silent.id}" not in {n.url for n in inbox(session, people.buyer.id)}
    session.refresh(silent)
    assert silent.stale_at is None


def test_officials_get_the_review_and_declaration_digests(
    session: Session, people: People, clock: Any
) -> None:
    make_demand(session, people.enterprise, status="pending", title="待审需求")
    make_network(session, confirmed=False, org_id=people.enterprise.id)
    assert session.exec(
        select(PrivateNetwork).where(col(PrivateNetwork.confirmed).is_(False))
    ).first()
    scans.officials_digest(session, now=clock.now())
    scans.officials_digest(session, now=clock.now())  # once a day
    got = inbox(session, people.official.id)
    assert [n.kind for n in got] == ["review_pending", "declaration_pending"]
    assert "待审需求" in got[0].body and got[0].url == "/moderation"
    assert kinds(session, people.buyer.id) == []


# --- introductions --------------------------------------------------------------------------


def test_each_step_of_an_introduction_tells_the_other_side(
    client: TestClient,
    session: Session,
    scene: Scene,
) -> None:
    body = {
        "demand_id": scene.demand.id,
        "solution_id": scene.solution.id,
        "message": MESSAGE,
        "next_step": "demo",
    }
    made = client.post("/api/v1/introductions", json=body, headers=scene.auth("buyer"))
    assert made.status_code == 201, made.text
    intro = made.json()["id"]
    assert kinds(session, scene.seller.id) == ["introduction_requested"]
    assert kinds(session, scene.buyer.id) == []  # not the side that asked
    client.post(f"/api/v1/introductions/{intro}/accept", headers=scene.auth("seller"))
    assert kinds(session, scene.buyer.id) == ["introduction_accepted"]
    client.post(
        f"/api/v1/introductions/{intro}/messages",
        json={"body": "下周二上门演示"},
        headers=scene.auth("seller"),
    )
    client.post(
        f"/api/v1/introductions/{intro}/stage",
        json={"stage": "negotiating"},
        headers=scene.auth("buyer"),
    )
    assert kinds(session, scene.buyer.id)[-1] == "introduction_message"
    assert kinds(session, scene.seller.id)[-1] == "introduction_stage"
    assert "洽谈中" in inbox(session, scene.seller.id)[-1].title
    assert all(n.url == f"/introductions/{intro}" for n in inbox(session, scene.seller.id))


def test_declined_and_expired_requests_tell_the_requester(
    client: TestClient,
    session: Session,
    scene: Scene,
    clock: Any,
) -> None:
    body = {
        "demand_id": scene.demand.id,
        "solution_id": scene.solution.id,
        "message": MESSAGE,
        "next_step": "call",
    }
    first = client.post("/api/v1/introductions", json=body, headers=scene.auth("buyer")).json()
    declined = client.post(
        f"/api/v1/introductions/{first['id']}/decline",
        json={"reason": "budget"},
        headers=scene.auth("seller"),
    )
    assert declined.status_code == 200, declined.text
    [notice] = inbox(session, scene.buyer.id)
    assert notice.kind == "introduction_declined" and "预算不符" in notice.body
    again = client.post("/api/v1/introductions", json=body, headers=scene.auth("buyer"))
    assert again.status_code == 201, again.text
    later = clock.now() + timedelta(days=15)
    assert scans.expire_introductions(session, now=later) == 1
    assert kinds(session, scene.buyer.id) == ["introduction_declined", "introduction_expired"]
