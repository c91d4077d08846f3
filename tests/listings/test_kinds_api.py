"""/api/v1/solutions and /api/v1/demands through one lifecycle: create, read, moderate,
change, retire; who may write; the errors each field gets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.clock import FrozenClock
from tests.factories import make_org, make_token, make_user
from tests.listings.kinds import (
    DEMAND,
    IDS,
    KINDS,
    RANGED,
    SOLUTION,
    Kind,
    audit_trail,
    bearer,
    has_cjk,
    moderate,
    outbox_versions,
    owner_token,
)

kinds = pytest.mark.parametrize("kind", KINDS, ids=IDS)


@kinds
@pytest.mark.parametrize("status", ["draft", "pending"])
def test_create_is_read_by_its_owner_only(
    client: TestClient, session: Session, kind: Kind, status: str
) -> None:
    org, token = owner_token(session, kind)
    created = client.post(kind.api, json={**kind.body, "status": status}, headers=bearer(token))
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["status"], body["org_id"], body["title"]) == (status, org.id, kind.body["title"])
    row = kind.get(session, body["id"])
    assert (row.status, row.version) == (status, 1)
    assert outbox_versions(session, kind, row) == [1]
    [audit] = audit_trail(session, kind, row)
    assert audit.action == "listing.created" and audit.detail["status"] == status
    own = client.get(f"{kind.api}/{row.id}", headers=bearer(token))
    assert own.status_code == 200 and own.json()["status"] == status
    missing = client.get(f"{kind.api}/{row.id}")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


@kinds
def test_the_whole_lifecycle(client: TestClient, session: Session, kind: Kind) -> None:
    """Each write is audited, queued for the index and bumps the version."""
    _, token = owner_token(session, kind)
    sid = client.post(kind.api, json=kind.body, headers=bearer(token)).json()["id"]
    row = kind.get(session, sid)
    moderate(client, session, kind, row)
    client.cookies.clear()
    public = client.get(f"{kind.api}/{sid}")
    assert public.status_code == 200 and public.json()["status"] == "published"

    changed = client.patch(f"{kind.api}/{sid}", json={"title": "新的标题"}, headers=bearer(token))
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["status"]) == ("新的标题", "pending")
    assert client.get(f"{kind.api}/{sid}").status_code == 404

    retired = client.patch(
        f"{kind.api}/{sid}", json={"status": kind.retired}, headers=bearer(token)
    )
    assert retired.status_code == 200 and retired.json()["status"] == kind.retired
    session.refresh(row)
    assert row.version == 4 and getattr(row, kind.retired_at) is not None
    assert outbox_versions(session, kind, row) == [1, 2, 3, 4]
    trail = [(a.action, a.detail.get("status")) for a in audit_trail(session, kind, row)]
    assert trail == [
        ("listing.created", "pending"),
        ("listing.approved", None),
        ("listing.updated", "pending"),
        (f"listing.{kind.retired}", kind.retired),
    ]


@kinds
def test_submitting_an_unchanged_published_listing_keeps_it_published(
    client: TestClient, session: Session, kind: Kind
) -> None:
    org, token = owner_token(session, kind)
    row = kind.make(session, org=org, status="published")
    response = client.patch(
        f"{kind.api}/{row.id}", json={"status": "pending"}, headers=bearer(token)
    )
    assert response.status_code == 200 and response.json()["status"] == "published"
    # The same values sent again are no change either.
    same = client.patch(f"{kind.api}/{row.id}", json={"title": row.title}, headers=bearer(token))
    assert same.status_code == 200 and same.json()["status"] == "published"
    session.refresh(row)
    assert row.version == 1
    assert outbox_versions(session, kind, row) == [] and audit_trail(session, kind, row) == []


@kinds
def test_only_the_owning_organisation_writes(
    client: TestClient, session: Session, kind: Kind
) -> None:
    row = kind.make(session, status="published")
    _, stranger = owner_token(session, kind)
    _, read_only = owner_token(session, kind, scope="read")
    other_side = make_token(
        session, make_user(session, org=make_org(session, kind=kind.other_org_kind))
    )
    session.commit()  # the savepoint: a refused request rolls back only its own work
    for change in ({"title": "别人的标题"}, {"status": kind.retired}):
        refused = client.patch(f"{kind.api}/{row.id}", json=change, headers=bearer(stranger))
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert client.patch(f"{kind.api}/{row.id}", json=change).status_code == 401
    assert client.post(kind.api, json=kind.body).status_code == 401
    refused = client.post(kind.api, json=kind.body, headers=bearer(read_only))
    assert refused.status_code == 403 and "只读" in refused.json()["detail"]
    assert client.post(kind.api, json=kind.body, headers=bearer(other_side)).status_code == 403
    session.refresh(row)
    assert (row.status, row.version) == ("published", 1) and row.title != "别人的标题"
    assert outbox_versions(session, kind, row) == []
    assert kind.titled(session, kind.body["title"]) == []


def _refusals() -> list[Any]:
    return [
        pytest.param(kind, change, field, id=f"{kind.name}-{what}")
        for kind in KINDS
        for what, change, field in (
            ("empty-title", {"title": "  "}, "title"),
            ("unknown-code", {kind.codes_field: ["6g"]}, kind.codes_field),
            ("range", {kind.low: 100, kind.high: 10}, kind.high),
        )
        if what != "range" or kind.low is not None
    ]


@pytest.mark.parametrize(("kind", "change", "field"), _refusals())
def test_each_refused_field_is_named_with_its_reason(
    client: TestClient, session: Session, kind: Kind, change: dict[str, Any], field: str
) -> None:
    org, token = owner_token(session, kind)
    session.commit()
    response = client.post(kind.api, json={**kind.body, **change}, headers=bearer(token))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    assert field in [e["field"] for e in errors], errors
    assert all(has_cjk(e["message"]) for e in errors), errors
    assert kind.of_org(session, org) == []


@pytest.mark.parametrize("kind", RANGED, ids=[k.name for k in RANGED])
def test_a_change_is_checked_against_the_whole_listing(
    client: TestClient, session: Session, kind: Kind
) -> None:
    assert kind.low is not None and kind.high is not None
    org, token = owner_token(session, kind)
    row = kind.make(session, org=org, status="published", **{kind.low: 50, kind.high: 80})
    session.commit()
    response = client.patch(f"{kind.api}/{row.id}", json={kind.high: 10}, headers=bearer(token))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [kind.high]
    unknown = client.patch(
        f"{kind.api}/{row.id}", json={kind.codes_field: ["6g"]}, headers=bearer(token)
    )
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == [kind.codes_field]
    session.refresh(row)
    assert (getattr(row, kind.high), row.status, row.version) == (80, "published", 1)
    assert outbox_versions(session, kind, row) == []


@kinds
def test_the_owner_reads_the_reason_of_a_rejection(
    client: TestClient, session: Session, kind: Kind
) -> None:
    org, token = owner_token(session, kind)
    row = kind.make(session, org=org, status="pending")
    moderate(client, session, kind, row, reason="请补充实施周期")
    client.cookies.clear()
    body = client.get(f"{kind.api}/{row.id}", headers=bearer(token)).json()
    assert (body["status"], body["reject_reason"]) == ("rejected", "请补充实施周期")
    assert client.get(f"{kind.api}/{row.id}").status_code == 404
    resubmitted = client.patch(
        f"{kind.api}/{row.id}", json={"status": "pending"}, headers=bearer(token)
    )
    assert resubmitted.status_code == 200
    assert (resubmitted.json()["status"], resubmitted.json()["reject_reason"]) == ("pending", None)


@kinds
def test_a_published_listing_the_day_after_its_date(
    client: TestClient, session: Session, clock: FrozenClock, kind: Kind
) -> None:
    yesterday = clock.today() - timedelta(days=1)
    row = kind.make(session, status="published", **{kind.date_field: yesterday})
    today = kind.make(session, status="published", **{kind.date_field: clock.today()})
    session.commit()
    response = client.get(f"{kind.api}/{row.id}")
    if kind.public_after_date:
        assert response.status_code == 200 and response.json()["status"] == "expired"
    else:
        assert response.status_code == 404
    assert client.get(f"{kind.api}/{today.id}").json()["status"] == "published"


# --- what only one kind has ---------------------------------------------------------------


def test_a_solution_needs_a_region(client: TestClient, session: Session) -> None:
    _, token = owner_token(session, SOLUTION)
    session.commit()
    response = client.post(
        SOLUTION.api, json={**SOLUTION.body, "regions": []}, headers=bearer(token)
    )
    assert response.status_code == 422
    assert "regions" in [e["field"] for e in response.json()["errors"]]


def test_a_demand_deadline_may_not_be_past(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    _, token = owner_token(session, DEMAND)
    session.commit()
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    response = client.post(
        DEMAND.api, json={**DEMAND.body, "deadline": yesterday}, headers=bearer(token)
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "deadline", "message": "截止日期不能早于今天"}]
    today = clock.today().isoformat()
    accepted = client.post(
        DEMAND.api, json={**DEMAND.body, "deadline": today}, headers=bearer(token)
    )
    assert accepted.status_code == 201 and accepted.json()["deadline"] == today


def test_an_anonymous_demand_shows_its_organisation_to_its_owners_only(
    client: TestClient, session: Session
) -> None:
    org, token = owner_token(session, DEMAND)
    created = client.post(
        DEMAND.api, json={**DEMAND.body, "anonymous": True}, headers=bearer(token)
    )
    assert created.status_code == 201 and created.json()["org_name"] == org.name
    row = DEMAND.get(session, created.json()["id"])
    moderate(client, session, DEMAND, row)
    client.cookies.clear()
    public = client.get(f"{DEMAND.api}/{row.id}").json()
    assert (public["org_id"], public["org_name"], public["anonymous"]) == (None, None, True)
    assert (
        client.get(f"{DEMAND.api}/{row.id}", headers=bearer(token)).json()["org_name"] == org.name
    )
