"""``GET /api/v1/organizations/{id}/incubation``: what the opportunities page shows a young
vendor, for its members and officials."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.clock import FrozenClock
from portal.models import Organization
from tests.factories import (
    make_case,
    make_incubation,
    make_org,
    make_solution,
    make_token,
    make_user,
)


def bearer(session: Session, org: Organization | None = None, **kw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(session, make_user(session, org=org, **kw))}"}


def test_a_young_vendor_gets_the_programmes_it_fits_explained(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    org = make_org(session, kind="app_developer", city="changsha")
    make_solution(session, org=org, industries=["culture_media"], status="published")
    make_incubation(session, title="马栏山孵化营", industries=["culture_media"],
                    regions=["malanshan"], support=["space"], status="published")  # fmt: skip
    make_incubation(session, title="陶瓷孵化", industries=["ceramics"], regions=["hunan"],
                    status="published")  # fmt: skip
    body = client.get(f"/api/v1/organizations/{org.id}/incubation", headers=bearer(session, org))
    assert body.status_code == 200 and body.json()["young"] is True
    titles = [m["title"] for m in body.json()["matches"]]
    assert "马栏山孵化营" in titles and "陶瓷孵化" not in titles
    first = body.json()["matches"][titles.index("马栏山孵化营")]
    assert any("马栏山" in line for line in first["explanation"])


def test_a_vendor_with_a_record_is_not_young(client: TestClient, session: Session) -> None:
    org = make_org(session, kind="integrator", name="老牌集成商")
    for _ in range(3):
        make_case(session, providers=["老牌集成商"])
    make_incubation(session, regions=["hunan"], status="published")
    body = client.get(f"/api/v1/organizations/{org.id}/incubation", headers=bearer(session, org))
    assert body.json() == {"young": False, "matches": []}


def test_only_members_and_officials_see_it(client: TestClient, session: Session) -> None:
    org = make_org(session, kind="app_developer")
    session.commit()  # a refused request rolls back what the test has not committed
    path = f"/api/v1/organizations/{org.id}/incubation"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(session, make_org(session))).status_code == 403
    assert client.get(path, headers=bearer(session, role="official")).status_code == 200
    missing = client.get("/api/v1/organizations/999999/incubation", headers=bearer(session, org))
    assert missing.status_code == 404
    assert (
        "/api/v1/organizations/{org_id}/incubation" in client.get("/openapi.json").json()["paths"]
    )
