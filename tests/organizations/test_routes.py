"""The public organisation profile: no contact details, the badge, its public listings."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_case, make_demand, make_org, make_solution


def test_public_profile(client: TestClient, session: Session) -> None:
    org = make_org(
        session,
        kind="integrator",
        name="湘江智联（示例）",
        verified=True,
        contact_phone="0731-88886666",
        contact_email="hidden@example.com",
    )
    make_solution(session, org=org, title="公开的方案", status="published")
    make_solution(session, org=org, title="草稿方案", status="draft")
    make_case(session, title="智联参与的案例", providers=["湘江智联"])
    page = client.get(f"/organizations/{org.id}").text
    assert "湘江智联（示例）" in page and 'data-testid="verified-badge"' in page
    assert "公开的方案" in page and "草稿方案" not in page
    assert "智联参与的案例" in page
    assert "0731-88886666" not in page and "hidden@example.com" not in page


def test_profile_lists_named_demands_only(client: TestClient, session: Session) -> None:
    org = make_org(session, kind="enterprise")
    make_demand(session, org=org, title="署名需求", status="published")
    make_demand(session, org=org, title="匿名的需求", status="published", anonymous=True)
    page = client.get(f"/organizations/{org.id}").text
    assert "署名需求" in page and "匿名的需求" not in page


def test_organisation_list_api(client: TestClient, session: Session) -> None:
    make_org(session, kind="university", city="loudi", contact_phone="123456")
    body = client.get(
        "/api/v1/organizations", params={"kind": "university", "city": "loudi"}
    ).json()
    assert body["total"] >= 1
    assert all("contact_phone" not in item for item in body["items"])
