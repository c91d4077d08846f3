"""The officials' queue: approve or reject in bulk, with a reason, audited and indexed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.models import AuditLog, OutboxEvent
from tests.factories import make_demand, make_solution, make_user
from tests.support.web import sign_in


def test_official_approves_and_rejects_in_bulk(client: TestClient, session: Session) -> None:
    one = make_solution(session, status="pending", title="待审方案一")
    two = make_solution(session, status="pending", title="待审方案二")
    demand = make_demand(session, status="pending", title="待审需求")
    official = make_user(session, role="official")
    csrf = sign_in(client, official.email)
    queue = client.get("/moderation").text
    assert "待审方案一" in queue and "待审需求" in queue
    # Rejecting needs a reason.
    refused = client.post(
        "/moderation",
        data={"csrf_token": csrf, "items": [f"demand:{demand.id}"], "decision": "reject"},
    )
    assert refused.status_code == 400 and "理由" in refused.text
    response = client.post(
        "/moderation",
        data={
            "csrf_token": csrf,
            "items": [f"solution:{one.id}", f"solution:{two.id}"],
            "decision": "approve",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    response = client.post(
        "/moderation",
        data={
            "csrf_token": csrf,
            "items": [f"demand:{demand.id}"],
            "decision": "reject",
            "reason": "请补充预算",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    for row in (one, two, demand):
        session.refresh(row)
    assert (one.status, two.status, demand.status) == ("published", "published", "rejected")
    assert demand.reject_reason == "请补充预算" and one.reviewed_by == official.id
    actions = session.exec(
        select(AuditLog.action, AuditLog.entity_id).where(AuditLog.actor_user_id == official.id)
    ).all()
    assert ("listing.approved", one.external_id) in actions
    assert ("listing.rejected", demand.external_id) in actions
    assert session.exec(
        select(OutboxEvent).where(
            OutboxEvent.entity == "demand", OutboxEvent.entity_id == demand.id
        )
    ).first()


def test_only_officials_moderate(client: TestClient, session: Session) -> None:
    row = make_solution(session, status="pending")
    vendor = make_user(session, role="vendor")
    csrf = sign_in(client, vendor.email)
    assert client.get("/moderation").status_code == 403
    response = client.post(
        "/moderation",
        data={"csrf_token": csrf, "items": [f"solution:{row.id}"], "decision": "approve"},
    )
    assert response.status_code == 403
    session.refresh(row)
    assert row.status == "pending"
