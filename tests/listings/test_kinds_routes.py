"""The pages of both listing kinds through one lifecycle: the owner's form, /my/listings,
moderation, the public detail page, editing and retiring (archive a solution, close a
demand). Only what a browser sees and the rows written are checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from portal.clock import FrozenClock
from portal.models import Demand, Organization
from tests.factories import make_org, make_user
from tests.listings.kinds import (
    DEMAND,
    IDS,
    KINDS,
    SOLUTION,
    Kind,
    Listing,
    audit_trail,
    field_error,
    moderate,
    outbox_versions,
    owner,
    status_on_my_listings,
)
from tests.support.web import csrf_of, login_csrf, sign_in

kinds = pytest.mark.parametrize("kind", KINDS, ids=IDS)


def _create(client: TestClient, kind: Kind, csrf: str, intent: str, **changes: Any) -> Response:
    data = {**kind.form, **changes, "csrf_token": csrf, "intent": intent}
    return client.post(f"{kind.prefix}/new", data=data, follow_redirects=False)


def _only_row(session: Session, kind: Kind, org: Organization) -> Listing:
    [row] = kind.of_org(session, org)
    return row


@kinds
def test_route_names_lead_to_the_same_urls(app: FastAPI, kind: Kind) -> None:
    # Templates and other domains link to listings by these names.
    for name, path in kind.route_names.items():
        params = {f"{kind.name}_id": 7} if "{id}" in path else {}
        assert app.url_path_for(name, **params) == path.format(id=7)


@kinds
@pytest.mark.parametrize(
    ("intent", "status", "label"), [("draft", "draft", "草稿"), ("submit", "pending", "待审核")]
)
def test_the_owner_creates_a_listing_only_its_organisation_sees(
    client: TestClient, session: Session, kind: Kind, intent: str, status: str, label: str
) -> None:
    org, user = owner(session, kind)
    csrf = sign_in(client, user.email)
    assert client.get(f"{kind.prefix}/new").status_code == 200
    response = _create(client, kind, csrf, intent)
    assert response.status_code == 303, response.text
    row = _only_row(session, kind, org)
    assert response.headers["location"] == f"{kind.prefix}/{row.id}?saved=1"
    assert (row.title, row.status, row.version) == (kind.form["title"], status, 1)
    assert outbox_versions(session, kind, row) == [1]
    [created] = audit_trail(session, kind, row)
    assert created.action == "listing.created" and created.actor_user_id == user.id
    assert created.detail["status"] == status
    assert client.get(f"{kind.prefix}/{row.id}").status_code == 200
    assert status_on_my_listings(client.get("/my/listings").text, kind, row.title) == label
    client.cookies.clear()
    assert client.get(f"{kind.prefix}/{row.id}").status_code == 404


@kinds
def test_an_approved_listing_is_public_and_a_change_sends_it_back_for_review(
    client: TestClient, session: Session, kind: Kind
) -> None:
    org, user = owner(session, kind)
    assert _create(client, kind, sign_in(client, user.email), "submit").status_code == 303
    row = _only_row(session, kind, org)
    moderate(client, session, kind, row)
    client.cookies.clear()
    public = client.get(f"{kind.prefix}/{row.id}")
    assert public.status_code == 200 and kind.form["title"] in public.text
    assert row.status == "published" and row.version == 2

    sign_in(client, user.email)
    edit = client.get(f"{kind.prefix}/{row.id}/edit")
    assert edit.status_code == 200 and kind.form["title"] in edit.text
    data = {
        **kind.form,
        "title": "改过的标题",
        "csrf_token": csrf_of(edit.text),
        "intent": "submit",
    }
    response = client.post(f"{kind.prefix}/{row.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303
    session.refresh(row)
    assert (row.title, row.status, row.version) == ("改过的标题", "pending", 3)
    assert outbox_versions(session, kind, row) == [1, 2, 3]
    actions = [(a.action, a.detail.get("status")) for a in audit_trail(session, kind, row)]
    assert actions == [
        ("listing.created", "pending"),
        ("listing.approved", None),
        ("listing.updated", "pending"),
    ]
    assert audit_trail(session, kind, row)[-1].detail["fields"] == ["title"]
    client.cookies.clear()
    assert client.get(f"{kind.prefix}/{row.id}").status_code == 404


@kinds
def test_the_owner_retires_a_listing(client: TestClient, session: Session, kind: Kind) -> None:
    org, user = owner(session, kind)
    row = kind.make(session, org=org, status="published")
    csrf = sign_in(client, user.email)
    detail = client.get(f"{kind.prefix}/{row.id}").text
    assert f'action="{kind.prefix}/{row.id}/{kind.retire}"' in detail
    response = client.post(
        f"{kind.prefix}/{row.id}/{kind.retire}", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/my/listings?{kind.retired_flag}=1"
    session.refresh(row)
    assert row.status == kind.retired and getattr(row, kind.retired_at) is not None
    assert row.version == 2 and outbox_versions(session, kind, row) == [2]
    [retired] = audit_trail(session, kind, row)
    assert retired.action == f"listing.{kind.retired}" and retired.actor_user_id == user.id
    assert retired.detail["status"] == kind.retired
    mine = client.get("/my/listings").text
    assert status_on_my_listings(mine, kind, row.title) == kind.retired_label
    # Retiring twice changes nothing.
    again = client.post(
        f"{kind.prefix}/{row.id}/{kind.retire}", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert again.status_code == 303 and row.version == 2
    client.cookies.clear()
    assert client.get(f"{kind.prefix}/{row.id}").status_code == 404


@kinds
def test_another_organisation_may_not_edit_or_retire(
    client: TestClient, session: Session, kind: Kind
) -> None:
    row = kind.make(session, status="published")
    _, stranger = owner(session, kind)
    csrf = sign_in(client, stranger.email)
    detail = client.get(f"{kind.prefix}/{row.id}").text
    assert f"{kind.prefix}/{row.id}/edit" not in detail
    assert client.get(f"{kind.prefix}/{row.id}/edit").status_code == 403
    edited = client.post(
        f"{kind.prefix}/{row.id}/edit",
        data={**kind.form, "csrf_token": csrf, "intent": "submit"},
        follow_redirects=False,
    )
    assert edited.status_code == 403
    retired = client.post(
        f"{kind.prefix}/{row.id}/{kind.retire}", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert retired.status_code == 403
    session.refresh(row)
    assert (row.status, row.version) == ("published", 1) and row.title != kind.form["title"]
    assert outbox_versions(session, kind, row) == [] and audit_trail(session, kind, row) == []


@kinds
def test_an_organisation_of_the_other_side_may_not_post(
    client: TestClient, session: Session, kind: Kind
) -> None:
    org = make_org(session, kind=kind.other_org_kind)
    csrf = sign_in(client, make_user(session, org=org).email)
    assert client.get(f"{kind.prefix}/new").status_code == 403
    assert _create(client, kind, csrf, "submit").status_code == 403
    assert kind.of_org(session, org) == []


@kinds
def test_a_visitor_is_sent_to_sign_in(client: TestClient, session: Session, kind: Kind) -> None:
    row = kind.make(session, status="published")
    session.commit()  # the savepoint: a refused request rolls back only its own work
    for path in (f"{kind.prefix}/new", f"{kind.prefix}/{row.id}/edit"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    # A form posted without a signed-in user (with the anonymous session's token).
    csrf = login_csrf(client)
    retired = client.post(
        f"{kind.prefix}/{row.id}/{kind.retire}", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert retired.status_code == 401
    assert _create(client, kind, csrf, "submit").status_code == 401
    session.refresh(row)
    assert row.status == "published"


@kinds
def test_mistakes_are_shown_beside_their_fields_and_nothing_is_saved(
    client: TestClient, session: Session, kind: Kind
) -> None:
    org, user = owner(session, kind)
    csrf = sign_in(client, user.email)
    response = _create(
        client,
        kind,
        csrf,
        "submit",
        title=" ",
        **{kind.codes_field: ["6g"]},
        **({kind.low: "90", kind.high: "30"} if kind.low and kind.high else {}),
    )
    assert response.status_code == 400
    page = response.text
    assert 'data-testid="form-errors"' in page
    assert field_error(page, "title") == "不能为空"
    assert 'id="f-title" name="title"' in page and 'aria-invalid="true"' in page
    if kind.high:
        assert "不能小于" in (field_error(page, kind.high) or "")
        assert 'value="90"' in page
    assert "未知代码" in (field_error(page, kind.codes_field) or "")
    # What was typed is kept.
    assert kind.form["description"] in page
    assert kind.of_org(session, org) == []


@kinds
def test_a_failed_edit_keeps_the_listing_as_it_was(
    client: TestClient, session: Session, kind: Kind
) -> None:
    org, user = owner(session, kind)
    row = kind.make(session, org=org, status="published", title="原来的标题")
    csrf = sign_in(client, user.email)
    data = {**kind.form, "title": "", "csrf_token": csrf, "intent": "submit"}
    response = client.post(f"{kind.prefix}/{row.id}/edit", data=data)
    assert response.status_code == 400 and field_error(response.text, "title") == "不能为空"
    session.refresh(row)
    assert (row.title, row.status, row.version) == ("原来的标题", "published", 1)
    assert outbox_versions(session, kind, row) == []


@kinds
def test_the_owner_reads_why_it_was_rejected_and_resubmits(
    client: TestClient, session: Session, kind: Kind
) -> None:
    org, user = owner(session, kind)
    row = kind.make(session, org=org, status="pending")
    moderate(client, session, kind, row, reason="请补充实施周期")
    assert (row.status, row.reject_reason) == ("rejected", "请补充实施周期")
    sign_in(client, user.email)
    detail = client.get(f"{kind.prefix}/{row.id}").text
    assert 'data-testid="reject-reason"' in detail and "请补充实施周期" in detail
    mine = client.get("/my/listings").text
    assert status_on_my_listings(mine, kind, row.title) == "已驳回" and "请补充实施周期" in mine
    edit = client.get(f"{kind.prefix}/{row.id}/edit").text
    assert "请补充实施周期" in edit
    data = {**kind.form, "csrf_token": csrf_of(edit), "intent": "submit"}
    response = client.post(f"{kind.prefix}/{row.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303
    session.refresh(row)
    assert (row.status, row.reject_reason) == ("pending", None)
    client.cookies.clear()
    assert client.get(f"{kind.prefix}/{row.id}").status_code == 404


@kinds
@pytest.mark.parametrize("days_past", [0, 1], ids=["date-is-today", "date-was-yesterday"])
def test_a_published_listing_past_its_date(
    client: TestClient,
    session: Session,
    clock: FrozenClock,
    kind: Kind,
    days_past: int,
) -> None:
    """Expired the day after its date: a demand stays readable, marked so; a solution
    leaves the public pages. Its owners see it either way."""
    org, user = owner(session, kind)
    day = clock.today() - timedelta(days=days_past)
    row = kind.make(session, org=org, status="published", **{kind.date_field: day})
    session.commit()  # the savepoint: a refused request rolls back only its own work
    expired = days_past > 0
    page = client.get(f"{kind.prefix}/{row.id}")
    if expired and not kind.public_after_date:
        assert page.status_code == 404
    else:
        assert page.status_code == 200
        assert ("已过期" in page.text) == expired
    sign_in(client, user.email)
    label = "已过期" if expired else "已发布"
    assert status_on_my_listings(client.get("/my/listings").text, kind, row.title) == label
    assert client.get(f"{kind.prefix}/{row.id}").status_code == 200


def test_the_day_is_hunans_not_utcs(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    """At 17:00 UTC it is already 01:00 the next day in Hunan: a demand whose deadline is
    the UTC date has passed, and a new deadline on that date is refused."""
    clock.at = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 2026-12-02 01:00 in Changsha
    utc_day = clock.at.date()
    org, user = owner(session, DEMAND)
    row = DEMAND.make(session, org=org, status="published", deadline=utc_day)
    session.commit()
    assert "已过期" in client.get(f"{DEMAND.prefix}/{row.id}").text
    csrf = sign_in(client, user.email)
    refused = _create(client, DEMAND, csrf, "submit", deadline=utc_day.isoformat())
    assert refused.status_code == 400
    assert field_error(refused.text, "deadline") == "截止日期不能早于今天"
    accepted = _create(client, DEMAND, csrf, "submit", deadline=clock.today().isoformat())
    assert accepted.status_code == 303, accepted.text


# --- what only one kind has ---------------------------------------------------------------


def test_a_solution_needs_a_region(client: TestClient, session: Session) -> None:
    org, user = owner(session, SOLUTION)
    csrf = sign_in(client, user.email)
    response = _create(client, SOLUTION, csrf, "submit", regions=[])
    assert response.status_code == 400
    assert field_error(response.text, "regions") == "请至少选择一个服务区域"
    assert SOLUTION.of_org(session, org) == []


def test_a_new_deadline_may_not_be_past_but_a_stored_one_may_stay(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    org, user = owner(session, DEMAND)
    csrf = sign_in(client, user.email)
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    refused = _create(client, DEMAND, csrf, "submit", deadline=yesterday)
    assert refused.status_code == 400
    assert field_error(refused.text, "deadline") == "截止日期不能早于今天"
    row = DEMAND.make(
        session, org=org, status="published", deadline=clock.today() - timedelta(days=1)
    )
    data = {**DEMAND.form, "deadline": yesterday, "csrf_token": csrf, "intent": "submit"}
    response = client.post(f"{DEMAND.prefix}/{row.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    session.refresh(row)
    assert isinstance(row, Demand) and (row.status, str(row.deadline)) == ("pending", yesterday)


def test_an_anonymous_demand_hides_its_organisation_from_the_public_only(
    client: TestClient, session: Session
) -> None:
    org, user = owner(session, DEMAND)
    csrf = sign_in(client, user.email)
    assert _create(client, DEMAND, csrf, "submit", anonymous="1").status_code == 303
    row = _only_row(session, DEMAND, org)
    assert isinstance(row, Demand) and row.anonymous
    moderate(client, session, DEMAND, row)
    sign_in(client, user.email)
    assert org.name in client.get(f"{DEMAND.prefix}/{row.id}").text
    client.cookies.clear()
    public = client.get(f"{DEMAND.prefix}/{row.id}").text
    assert org.name not in public and "匿名企业" in public
