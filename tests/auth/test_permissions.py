"""The permission matrix: every mutating route (and the private reads) × every role ×
owner / member / non-member, through the pages and the JSON API.

The expectations are written out here, independently of portal.auth.permissions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from portal.auth.permissions import Action, Principal, can, membership_role
from portal.models import Membership, Organization, User
from tests.factories import make_org, make_token, make_user
from tests.support.queries import statements
from tests.support.web import login_csrf, sign_in

ROLES = ("anonymous", "enterprise", "vendor", "official", "admin")
RELATIONS = ("owner", "member", "outsider")
ORG_KINDS = {"vendor_org": "integrator", "enterprise_org": "enterprise"}
KIND_ROLE = {"integrator": "vendor", "enterprise": "enterprise"}


@dataclass
class World:
    client: TestClient
    session: Session
    org: Organization
    actor: User | None
    colleague: User
    csrf: str


def build(client: TestClient, session: Session, role: str, relation: str, org_kind: str) -> World:
    org = make_org(session, kind=org_kind)
    owner_role = KIND_ROLE[org_kind]
    colleague = make_user(session, org=org, member_role="member", role=owner_role)
    make_user(session, org=org, member_role="owner", role=owner_role)  # the org always has one
    actor = None
    if role != "anonymous":
        if relation == "outsider":
            actor = make_user(session, role=role)
        else:
            actor = make_user(session, org=org, member_role=relation, role=role)
        csrf = sign_in(client, actor.email)
    else:
        csrf = login_csrf(client)  # an anonymous session with its token
    return World(client, session, org, actor, colleague, csrf)


# Route name → (who may, how to call it through the page, through the API or None)
def may_edit(role: str, relation: str, kind: str) -> bool:
    return role == "admin" or (relation != "outsider" and role == KIND_ROLE[kind])


def may_manage(role: str, relation: str, kind: str) -> bool:
    return role == "admin" or (relation == "owner" and role == KIND_ROLE[kind])


def may_verify(role: str, relation: str, kind: str) -> bool:
    return role in ("admin", "official")


def may_read_private(role: str, relation: str, kind: str) -> bool:
    return role in ("admin", "official") or (role != "anonymous" and relation != "outsider")


def page_edit(w: World) -> Response:
    return w.client.post(
        f"/organizations/{w.org.id}/edit",
        data={"csrf_token": w.csrf, "name": "新名称", "city": "changsha"},
        follow_redirects=False,
    )


def api_edit(w: World) -> Response:
    return w.client.patch(
        f"/api/v1/organizations/{w.org.id}",
        json={"description": "新的简介"},
        headers={"X-CSRF-Token": w.csrf},
    )


def page_invite(w: World) -> Response:
    return w.client.post(
        f"/organizations/{w.org.id}/members",
        data={"csrf_token": w.csrf, "email": "invitee@example.com", "role": "member"},
        follow_redirects=False,
    )


def page_remove(w: World) -> Response:
    return w.client.post(
        f"/organizations/{w.org.id}/members/{w.colleague.id}/remove",
        data={"csrf_token": w.csrf},
        follow_redirects=False,
    )


def page_verify(w: World) -> Response:
    return w.client.post(
        f"/organizations/{w.org.id}/verify",
        data={"csrf_token": w.csrf, "verified": "1"},
        follow_redirects=False,
    )


def page_edit_form(w: World) -> Response:
    return w.client.get(f"/organizations/{w.org.id}/edit", follow_redirects=False)


def page_members(w: World) -> Response:
    return w.client.get(f"/organizations/{w.org.id}/members", follow_redirects=False)


ORG_ROUTES: dict[str, tuple[Callable[[str, str, str], bool], Callable[[World], Response]]] = {
    "POST /organizations/{id}/edit": (may_edit, page_edit),
    "PATCH /api/v1/organizations/{id}": (may_edit, api_edit),
    "GET /organizations/{id}/edit": (may_edit, page_edit_form),
    "POST /organizations/{id}/members": (may_manage, page_invite),
    "POST /organizations/{id}/members/{uid}/remove": (may_manage, page_remove),
    "POST /organizations/{id}/verify": (may_verify, page_verify),
    "GET /organizations/{id}/members": (may_read_private, page_members),
}


def assert_outcome(response: Response, allowed: bool, role: str, api: bool, get: bool) -> None:
    if allowed:
        assert response.status_code in (200, 204, 303), response.text
        if not api and response.status_code == 303:
            assert "/login" not in response.headers["location"]
        return
    if role == "anonymous":
        if get and not api:
            assert response.status_code == 303
            assert response.headers["location"].startswith("/login")
        else:
            assert response.status_code == 401, response.text
    else:
        assert response.status_code in (403, 404), response.text


# A visitor belongs to no organisation.
ACTORS = [
    (role, rel) for role in ROLES for rel in RELATIONS if role != "anonymous" or rel == "outsider"
]


@pytest.mark.parametrize("org_name", sorted(ORG_KINDS))
@pytest.mark.parametrize(("role", "relation"), ACTORS)
@pytest.mark.parametrize("route", sorted(ORG_ROUTES))
def test_org_routes(
    client: TestClient, session: Session, route: str, role: str, relation: str, org_name: str
) -> None:
    kind = ORG_KINDS[org_name]
    rule, call = ORG_ROUTES[route]
    world = build(client, session, role, relation, kind)
    allowed = rule(role, relation, kind)
    before = (world.org.name, world.org.description, world.org.verified)
    response = call(world)
    assert_outcome(response, allowed, role, "/api/" in route, route.startswith("GET"))
    session.refresh(world.org)
    if not allowed:
        assert (world.org.name, world.org.description, world.org.verified) == before


@pytest.mark.parametrize("scope", ["read", "write"])
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES[1:])
def test_org_patch_with_a_bearer_token(
    client: TestClient, session: Session, role: str, relation: str, scope: str
) -> None:
    org = make_org(session, kind="integrator")
    actor = (
        make_user(session, role=role)
        if relation == "outsider"
        else make_user(session, org=org, member_role=relation, role=role)
    )
    token = make_token(session, actor, scope=scope)
    response = client.patch(
        f"/api/v1/organizations/{org.id}",
        json={"description": "令牌修改"},
        headers={"Authorization": f"Bearer {token}"},
    )
    allowed = scope == "write" and may_edit(role, relation, "integrator")
    assert response.status_code == (200 if allowed else 403), response.text


@pytest.mark.parametrize(("role", "relation"), ACTORS)
def test_private_read_through_the_api(
    client: TestClient, session: Session, role: str, relation: str
) -> None:
    world = build(client, session, role, relation, "integrator")
    world.org.contact_phone = "0731-12345678"
    session.add(world.org)
    session.flush()
    body = client.get(f"/api/v1/organizations/{world.org.id}").json()
    assert body["name"] == world.org.name
    assert ("contact_phone" in body) == may_read_private(role, relation, "integrator")


# --- user administration and tokens: role × own / another's --------------------------------

USER_ROUTES = {
    "POST /admin/users/{id}/role": lambda w, target: w.client.post(
        f"/admin/users/{target.id}/role",
        data={"csrf_token": w.csrf, "role": "official"},
        follow_redirects=False,
    ),
    "POST /admin/users/{id}/active": lambda w, target: w.client.post(
        f"/admin/users/{target.id}/active",
        data={"csrf_token": w.csrf, "active": "0"},
        follow_redirects=False,
    ),
    "GET /admin/users": lambda w, target: w.client.get("/admin/users", follow_redirects=False),
    "GET /admin/audit": lambda w, target: w.client.get("/admin/audit", follow_redirects=False),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(USER_ROUTES))
def test_admin_routes(client: TestClient, session: Session, route: str, role: str) -> None:
    world = build(client, session, role, "outsider", "enterprise")
    target = make_user(session)
    session.commit()  # the savepoint: a refused request rolls back only its own work
    response = USER_ROUTES[route](world, target)
    assert_outcome(response, role == "admin", role, False, route.startswith("GET"))
    session.refresh(target)
    if role != "admin":
        assert (target.role, target.is_active) == ("enterprise", True)


@pytest.mark.parametrize("owner", [True, False])
@pytest.mark.parametrize("role", ROLES[1:])
@pytest.mark.parametrize("via", ["page", "api"])
def test_token_revocation(
    client: TestClient, session: Session, via: str, role: str, owner: bool
) -> None:
    world = build(client, session, role, "outsider", "enterprise")
    assert world.actor is not None
    holder = world.actor if owner else make_user(session)
    from portal.auth.tokens import create_token
    from portal.clock import get_clock

    _, row = create_token(session, user=holder, name="x", scope="read", now=get_clock().now())
    session.commit()
    if via == "page":
        response = client.post(
            f"/account/tokens/{row.id}/revoke",
            data={"csrf_token": world.csrf},
            follow_redirects=False,
        )
    else:
        response = client.delete(f"/api/v1/tokens/{row.id}", headers={"X-CSRF-Token": world.csrf})
    allowed = owner or role == "admin"
    assert_outcome(response, allowed, role, via == "api", False)
    session.refresh(row)
    assert (row.revoked_at is not None) == allowed


@pytest.mark.parametrize(
    "call",
    [
        lambda c, csrf: c.post("/account/tokens", data={"csrf_token": csrf, "name": "n"}),
        lambda c, csrf: c.post(
            "/account/sign-out-everywhere", data={"csrf_token": csrf}, follow_redirects=False
        ),
        lambda c, csrf: c.post(
            "/api/v1/tokens", json={"name": "n"}, headers={"X-CSRF-Token": csrf}
        ),
        lambda c, csrf: c.get("/account", follow_redirects=False),
    ],
    ids=["POST /account/tokens", "POST sign-out-everywhere", "POST /api/v1/tokens", "GET account"],
)
def test_account_routes_need_a_signed_in_user(client: TestClient, call) -> None:  # type: ignore[no-untyped-def]
    csrf = login_csrf(client)
    response = call(client, csrf)
    assert response.status_code in (401, 303)
    if response.status_code == 303:
        assert response.headers["location"].startswith("/login")


# --- listings: the rule the solution/demand routes will use -------------------------------


@pytest.mark.parametrize("kind", ["solution", "demand"])
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES[1:])
def test_listing_rule(session: Session, role: str, relation: str, kind: str) -> None:
    org_kind = "integrator" if kind == "solution" else "enterprise"
    org = make_org(session, kind=org_kind)
    user = (
        make_user(session, role=role)
        if relation == "outsider"
        else make_user(session, org=org, member_role=relation, role=role)
    )
    expected = role == "admin" or (
        relation != "outsider" and role == ("vendor" if kind == "solution" else "enterprise")
    )
    allowed = can(session, Principal(user), Action.LISTING_EDIT, org=org, listing_kind=kind)  # type: ignore[arg-type]
    assert allowed == expected
    assert not can(
        session,
        Principal(user, via="token", scope="read"),
        Action.LISTING_EDIT,
        org=org,
        listing_kind=kind,  # type: ignore[arg-type]
    )
    assert not can(session, None, Action.LISTING_EDIT, org=org, listing_kind=kind)  # type: ignore[arg-type]


def test_a_disabled_user_may_do_nothing(session: Session) -> None:
    org = make_org(session)
    user = make_user(session, org=org, is_active=False)
    assert not can(session, Principal(user), Action.ORG_EDIT, org=org)
    admin = make_user(session, role="admin", is_active=False)
    assert not can(session, Principal(admin), Action.AUDIT_READ)


def test_a_role_is_read_once_per_transaction_and_again_after_a_change(session: Session) -> None:
    org = make_org(session, kind="enterprise")
    user = make_user(session, org=org, member_role="member")
    assert user.id is not None and org.id is not None
    with statements(session.get_bind()) as seen:  # type: ignore[arg-type]
        assert membership_role(session, user.id, org.id) == "member"
        assert membership_role(session, user.id, org.id) == "member"
    assert len([s for s in seen if "FROM membership" in s]) == 1
    row = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
    row.role = "admin"
    session.add(row)
    session.flush()  # the transaction's own change
    assert membership_role(session, user.id, org.id) == "admin"
