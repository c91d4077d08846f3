"""POST/PATCH/GET /api/v1/demands."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.clock import Clock
from tests.factories import make_demand, make_org, make_token, make_user

FUTURE = (Clock().today() + timedelta(days=60)).isoformat()
BODY: dict[str, Any] = {
    "title": "注塑车间设备预测性维护",
    "description": "62 台注塑机，希望提前发现故障",
    "industry": "injection_molding",
    "city": "xiangtan",
    "zone": "xiangtan",
    "budget_min": 20,
    "budget_max": 60,
    "deadline": FUTURE,
    "anonymous": True,
}


def enterprise_token(session: Session) -> tuple[str, int]:
    org = make_org(session, kind="enterprise")
    user = make_user(session, org=org)
    assert org.id is not None
    return make_token(session, user), org.id


def test_create_update_close(client: TestClient, session: Session) -> None:
    token, org_id = enterprise_token(session)
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/demands", json=BODY, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "pending" and body["org_id"] == org_id and body["deadline"] == FUTURE
    did = body["id"]
    patched = client.patch(f"/api/v1/demands/{did}", json={"zone": None}, headers=headers)
    assert patched.status_code == 200 and patched.json()["zone"] is None
    closed = client.patch(f"/api/v1/demands/{did}", json={"status": "closed"}, headers=headers)
    assert closed.json()["status"] == "closed"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"budget_min": 80, "budget_max": 20}, "budget_max"),
        ({"anonymous": 0}, "anonymous"),
        ({"budget_min": "12"}, "budget_min"),
        ({"deadline": "2020-01-01"}, "deadline"),
        ({"deadline": 20270101}, "deadline"),
        ({"city": "beijing"}, "city"),
        ({"zone": "malanshan"}, "zone"),
        ({"must_have": ["6g"]}, "must_have"),
    ],
)
def test_refusals(client: TestClient, session: Session, change: dict[str, Any], field: str) -> None:
    token, _ = enterprise_token(session)
    response = client.post(
        "/api/v1/demands", json={**BODY, **change}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


def test_public_read_of_published_demands_only(client: TestClient, session: Session) -> None:
    draft = make_demand(session, status="draft")
    published = make_demand(session, status="published")
    session.commit()  # the savepoint: a refused request rolls back only its own work
    assert client.get(f"/api/v1/demands/{draft.id}").status_code == 404
    body = client.get(f"/api/v1/demands/{published.id}").json()
    assert body["status"] == "published" and body["reject_reason"] is None
    assert client.get("/api/v1/demands/987654321").status_code == 404
