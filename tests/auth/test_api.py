from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.models import ApiToken
from tests.factories import make_org, make_token, make_user
from tests.support.web import sign_in


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_me_with_a_bearer_token(client: TestClient, session: Session) -> None:
    org = make_org(session, kind="integrator", name="湘江集成")
    user = make_user(session, org=org)
    body = client.get("/api/v1/me", headers=bearer(make_token(session, user, scope="read"))).json()
    assert body["email"] == user.email and body["role"] == "vendor"
    assert body["memberships"] == [
        {
            "org_id": org.id,
            "org_external_id": org.external_id,
            "org_name": "湘江集成",
            "role": "owner",
        }
    ]


def test_the_api_without_credentials_or_with_a_bad_token(client: TestClient) -> None:
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", headers=bearer("p5g_not-a-token"))
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert client.patch("/api/v1/organizations/1", json={}).status_code == 401


def test_a_session_needs_the_csrf_header_to_change_anything(
    client: TestClient, session: Session
) -> None:
    org = make_org(session)
    user = make_user(session, org=org)
    csrf = sign_in(client, user.email)
    assert client.get("/api/v1/me").status_code == 200  # reads need no header
    refused = client.patch(f"/api/v1/organizations/{org.id}", json={"description": "x"})
    assert refused.status_code == 403
    accepted = client.patch(
        f"/api/v1/organizations/{org.id}",
        json={"description": "新简介"},
        headers={"X-CSRF-Token": csrf},
    )
    assert accepted.status_code == 200 and accepted.json()["description"] == "新简介"
    # A form field is not enough for the JSON API.
    form = client.post("/api/v1/tokens", data={"csrf_token": csrf, "name": "x"})
    assert form.status_code == 403


def test_a_bearer_token_ignores_the_cookie_and_needs_no_csrf(
    client: TestClient, session: Session
) -> None:
    org = make_org(session)
    user = make_user(session, org=org)
    token = make_token(session, user)
    response = client.patch(
        f"/api/v1/organizations/{org.id}",
        json={"website": "https://a.example"},
        headers={**bearer(token), "Origin": "https://evil.example"},
    )
    # The header cannot be sent cross-site without CORS, which the portal does not allow.
    assert response.status_code == 200


def test_token_lifecycle_through_the_api(client: TestClient, session: Session) -> None:
    user = make_user(session)
    csrf = sign_in(client, user.email)
    created = client.post(
        "/api/v1/tokens", json={"name": "报表", "scope": "write"}, headers={"X-CSRF-Token": csrf}
    )
    assert created.status_code == 201
    body = created.json()
    raw = body["token"]
    stored = session.exec(select(ApiToken).where(ApiToken.id == body["id"])).one()
    assert stored.token_hash != raw and raw not in stored.token_hash
    listed = client.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["报表"] and "token" not in listed[0]
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    # A token may not mint or list tokens.
    assert client.post("/api/v1/tokens", json={"name": "x"}, headers=bearer(raw)).status_code == 403
    revoked = client.delete(f"/api/v1/tokens/{body['id']}", headers={"X-CSRF-Token": csrf})
    assert revoked.status_code == 204
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_patch_validates_fields(client: TestClient, session: Session) -> None:
    org = make_org(session)
    token = make_token(session, make_user(session, org=org))
    session.commit()  # the savepoint: a refused request rolls back only its own work
    bad = client.patch(
        f"/api/v1/organizations/{org.id}",
        json={"city": "beijing", "contact_email": "nope"},
        headers=bearer(token),
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"city", "contact_email"}
    unknown = client.patch(
        f"/api/v1/organizations/{org.id}", json={"verified": True}, headers=bearer(token)
    )
    assert unknown.status_code == 422
    assert (
        client.patch("/api/v1/organizations/999999", json={}, headers=bearer(token)).status_code
        == 404
    )


def test_routes_are_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/api/v1/organizations/{org_id}",
    ):
        assert path in paths
    assert "patch" in paths["/api/v1/organizations/{org_id}"]
