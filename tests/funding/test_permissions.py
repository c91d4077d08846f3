"""Who posts the kinds of issue 16: funding by finance members and officials, incubation by
incubators and parks, universities and research institutes, platforms by whoever operates
technology — checked by the one rule (``may_post``) the forms, the API and the import use."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.auth.permissions import VENDOR_KINDS, may_post
from tests.factories import make_org, make_token, make_user

ALL_KINDS = ("enterprise", *VENDOR_KINDS, "government")
POSTERS = {
    "funding": {"finance", "government"},
    "incubation": {"incubator", "university", "research_institute"},
    "platform": {
        "operator",
        "equipment_vendor",
        "integrator",
        "app_developer",
        "research_institute",
        "university",
    },
}
BODIES = {
    "funding": ("/api/v1/funds", {"title": "5G应用专项资金", "regions": ["hunan"]}),
    "incubation": ("/api/v1/incubations", {"title": "孵化营", "regions": ["changsha"]}),
    "platform": (
        "/api/v1/platforms",
        {"title": "AI平台", "platform_capabilities": ["ai"], "regions": ["hunan"]},
    ),
}


@pytest.mark.parametrize("listing_kind", sorted(POSTERS))
@pytest.mark.parametrize("org_kind", ALL_KINDS)
def test_who_may_post(session: Session, listing_kind: str, org_kind: str) -> None:
    org = make_org(session, kind=org_kind)
    assert may_post(listing_kind, org) is (org_kind in POSTERS[listing_kind])


@pytest.mark.parametrize("listing_kind", sorted(POSTERS))
def test_the_api_follows_the_rule(client: TestClient, session: Session, listing_kind: str) -> None:
    path, body = BODIES[listing_kind]
    allowed, refused = sorted(POSTERS[listing_kind])[0], "enterprise"
    for org_kind, status in ((allowed, 201), (refused, 403)):
        user = make_user(session, org=make_org(session, kind=org_kind))
        token = make_token(session, user)
        session.commit()
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == status, (org_kind, response.text)


def test_an_official_posts_funding_for_a_government_body(
    client: TestClient, session: Session
) -> None:
    path, body = BODIES["funding"]
    official = make_user(session, org=make_org(session, kind="government"), role="official")
    loner = make_user(session, role="official")  # an official of no organisation
    tokens = [make_token(session, official), make_token(session, loner)]
    session.commit()
    posted = client.post(path, json=body, headers={"Authorization": f"Bearer {tokens[0]}"})
    assert posted.status_code == 201 and posted.json()["status"] == "pending"
    refused = client.post(path, json=body, headers={"Authorization": f"Bearer {tokens[1]}"})
    assert refused.status_code == 403 and "资金扶持" in refused.json()["detail"]
