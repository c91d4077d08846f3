"""The events API: the public list and page (no contacts), and the agenda — a
participant's own meetings, all for officials, nothing for anybody else."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.clock import FrozenClock
from portal.events import service
from portal.search.gateway import SearchGateway
from tests.events.conftest import Scene
from tests.events.test_service import meet


def test_events_are_public_without_contacts(client: TestClient, scene: Scene) -> None:
    listed = client.get("/api/v1/events")
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 1 and body["items"][0]["title"] == scene.event.title
    one = client.get(f"/api/v1/events/{scene.event.id}")
    assert one.status_code == 200
    event = one.json()
    assert event["registered"] == 3 and event["registration_open"] is True
    assert [s["id"][-5:] for s in event["slots"]] == ["09:00", "09:20", "09:40", "10:00"]
    assert event["slots"][0]["starts"].endswith("+08:00")
    assert "13800000001" not in one.text and "13900000002" not in one.text
    assert client.get("/api/v1/events/999999").status_code == 404


def test_the_agenda_is_for_participants_and_officials(
    client: TestClient, session: Session, gateway: SearchGateway, scene: Scene, clock: FrozenClock
) -> None:
    meeting = meet(session, gateway, scene, clock)
    service.generate_agenda(
        session, principal=scene.principal("official"), event=scene.event, now=clock.now()
    )
    session.commit()
    url = f"/api/v1/events/{scene.event.id}/agenda"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=scene.auth("stranger")).status_code == 403
    own = client.get(url, headers=scene.auth("buyer")).json()
    assert own["scope"] == "own" and own["summary"] is None
    [item] = own["items"]
    assert item["meeting_id"] == meeting.id and item["table"] == 1 and item["slot"]
    assert item["stage"] == "accepted" and "phone" not in str(item)
    # The other vendor is registered but has no meeting: an empty agenda of its own.
    assert client.get(url, headers=scene.auth("seller2")).json()["items"] == []
    everything = client.get(url, headers=scene.auth("official")).json()
    assert everything["scope"] == "all" and everything["summary"]["scheduled"] == 1
    assert len(everything["items"]) == 1


def test_the_routes_are_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/api/v1/events/{event_id}/agenda",
    } <= set(paths)
