"""The inbox in the JSON API, and the one-click unsubscribe mail clients POST to."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.notifications import service
from tests.notifications.conftest import People


def _two(session: Session, people: People) -> None:
    for n in range(2):
        service.notify(
            session,
            kind="introduction_requested",
            user_ids=[people.seller.id or 0],
            subject=f"收到对接请求{n}",
            link=f"/introductions/{n}",
        )
    session.commit()


def test_the_list_and_mark_read(client: TestClient, session: Session, people: People) -> None:
    _two(session, people)
    listed = client.get("/api/v1/notifications", headers=people.auth("seller"))
    assert listed.status_code == 200
    body = listed.json()
    assert body["unread"] == 2
    newest = body["items"][0]
    assert set(newest) == {"id", "kind", "title", "url", "created_at", "read_at"}
    assert newest["kind"] == "introduction_requested" and newest["read_at"] is None
    read = client.post(f"/api/v1/notifications/{newest['id']}/read", headers=people.auth("seller"))
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert client.get("/api/v1/notifications", headers=people.auth("seller")).json()["unread"] == 1
    unread = client.get("/api/v1/notifications?unread=true", headers=people.auth("seller"))
    assert [i["id"] for i in unread.json()["items"]] == [body["items"][1]["id"]]
    everything = client.post("/api/v1/notifications/read-all", headers=people.auth("seller"))
    assert everything.json()["unread"] == 0


def test_other_peoples_notifications_and_read_only_tokens(
    client: TestClient, session: Session, people: People
) -> None:
    _two(session, people)
    mine = client.get("/api/v1/notifications", headers=people.auth("seller")).json()["items"][0]
    theirs = client.post(f"/api/v1/notifications/{mine['id']}/read", headers=people.auth("buyer"))
    assert theirs.status_code == 404
    reader = client.post(f"/api/v1/notifications/{mine['id']}/read", headers=people.auth("reader"))
    assert reader.status_code == 403
    assert client.get("/api/v1/notifications").status_code == 401


def test_one_click_unsubscribe_needs_no_session(
    client: TestClient, session: Session, people: People
) -> None:
    token = service.unsubscribe_token(people.seller.id or 0, "introduction_requested")
    done = client.post(
        f"/api/v1/notifications/unsubscribe?token={token}",
        content="List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"unsubscribed": ["introduction_requested"]}
    assert service.modes_of(session, people.seller.id or 0)["introduction_requested"] == "off"
    forged = client.post(f"/api/v1/notifications/unsubscribe?token={token[:-2]}xx")
    assert forged.status_code == 422


def test_the_routes_are_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"get"} <= set(paths["/api/v1/notifications"])
    assert "post" in paths["/api/v1/notifications/{notification_id}/read"]
    assert {"get", "post"} <= set(paths["/api/v1/saved-searches"])
    assert "delete" in paths["/api/v1/saved-searches/{search_id}"]
