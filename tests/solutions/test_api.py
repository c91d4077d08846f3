"""POST/PATCH/GET /api/v1/solutions: the import format's fields, strict types, owners only."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.models import Organization, Solution
from tests.factories import make_org, make_solution, make_token, make_user

BODY: dict[str, Any] = {
    "title": "5G+机器视觉陶瓷缺陷检测",
    "summary": "釉面缺陷识别",
    "industries": ["ceramics"],
    "scenarios": ["machine_vision_qc"],
    "capabilities": ["embb", "mec"],
    "regions": ["hunan"],
    "price_min": 30,
    "price_max": 120.5,
    "preferences": {"industries": ["ceramics"], "regions": ["zhuzhou"], "min_budget": 20},
}


def vendor_token(session: Session, scope: str = "write") -> tuple[str, int]:
    org = make_org(session, kind="app_developer")
    user = make_user(session, org=org)
    assert org.id is not None
    return make_token(session, user, scope=scope), org.id


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_create_read_update_archive(client: TestClient, session: Session) -> None:
    token, org_id = vendor_token(session)
    created = client.post("/api/v1/solutions", json=BODY, headers=auth(token))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "pending" and body["org_id"] == org_id
    assert body["preferences"]["min_budget"] == 20
    sid = body["id"]
    # The owner reads it; the public does not, until it is published.
    assert client.get(f"/api/v1/solutions/{sid}", headers=auth(token)).status_code == 200
    assert client.get(f"/api/v1/solutions/{sid}").status_code == 404
    patched = client.patch(f"/api/v1/solutions/{sid}", json={"price_max": 200}, headers=auth(token))
    assert patched.status_code == 200 and patched.json()["price_max"] == 200
    archived = client.patch(
        f"/api/v1/solutions/{sid}", json={"status": "archived"}, headers=auth(token)
    )
    assert archived.json()["status"] == "archived"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price_min": False}, "price_min"),
        ({"price_min": "12"}, "price_min"),
        ({"regions": []}, "regions"),
        ({"regions": ["beijing"]}, "regions"),
        ({"capabilities": ["6g"]}, "capabilities"),
        ({"price_min": 100, "price_max": 10}, "price_max"),
        ({"title": "  "}, "title"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_strict_fields_are_refused_as_problem_details(
    client: TestClient, session: Session, change: dict[str, Any], field: str
) -> None:
    token, _ = vendor_token(session)
    response = client.post("/api/v1/solutions", json={**BODY, **change}, headers=auth(token))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422
    assert field in [e["field"] for e in problem["errors"]], problem


def test_patch_checks_the_merged_listing(client: TestClient, session: Session) -> None:
    token, org_id = vendor_token(session)
    org = session.get(Organization, org_id)
    row = make_solution(session, org=org, price_min=50, price_max=80)
    session.commit()
    response = client.patch(
        f"/api/v1/solutions/{row.id}", json={"price_max": 10}, headers=auth(token)
    )
    assert response.status_code == 422
    session.refresh(row)
    assert row.price_max == 80


def test_only_the_owning_vendor_writes(client: TestClient, session: Session) -> None:
    row = make_solution(session, status="published")
    token, _ = vendor_token(session)
    session.commit()
    assert (
        client.patch(
            f"/api/v1/solutions/{row.id}", json={"title": "x"}, headers=auth(token)
        ).status_code
        == 403
    )
    read_only, _ = vendor_token(session, scope="read")
    enterprise = make_user(session, org=make_org(session, kind="enterprise"))
    enterprise_token = make_token(session, enterprise)
    session.commit()
    assert client.post("/api/v1/solutions", json=BODY, headers=auth(read_only)).status_code == 403
    assert client.post("/api/v1/solutions", json=BODY).status_code == 401
    response = client.post("/api/v1/solutions", json=BODY, headers=auth(enterprise_token))
    assert response.status_code == 403
    session.refresh(row)
    assert row.title != "x"


def test_session_with_csrf_header(client: TestClient, session: Session) -> None:
    from tests.support.web import sign_in

    org = make_org(session, kind="integrator")
    user = make_user(session, org=org)
    csrf = sign_in(client, user.email)
    assert client.post("/api/v1/solutions", json=BODY).status_code == 403  # no CSRF header
    response = client.post("/api/v1/solutions", json=BODY, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 201
    assert session.get(Solution, response.json()["id"]) is not None
