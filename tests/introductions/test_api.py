"""The introductions API: request, answer, contacts only after acceptance, the thread,
the pipeline to a counted network, the funnel; a third organisation sees nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from portal.models import AuditLog, MatchFeedback
from portal.networks.service import count_registered_in_service
from tests.factories import make_network, make_solution
from tests.introductions.conftest import Scene

MESSAGE = "我们在醴陵有三条窑炉产线，希望了解贵方的机器视觉质检方案。"


def ask(client: TestClient, scene: Scene, who: str = "buyer", **changes: Any) -> Any:
    body = {
        "demand_id": scene.demand.id,
        "solution_id": scene.solution.id,
        "message": MESSAGE,
        "next_step": "demo",
        **changes,
    }
    return client.post("/api/v1/introductions", json=body, headers=scene.auth(who))


def test_a_request_by_either_side_names_its_initiator(client: TestClient, scene: Scene) -> None:
    created = ask(client, scene)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["status"], body["stage"], body["initiator"]) == (
        "requested",
        "requested",
        "demand",
    )
    assert body["contacts"] is None
    other = make_solution(Session.object_session(scene.solution), scene.vendor, status="published")  # type: ignore[arg-type]
    from_vendor = ask(client, scene, "seller", solution_id=other.id)
    assert from_vendor.status_code == 201 and from_vendor.json()["initiator"] == "solution"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"message": "太短了"}, "message"),
        ({"message": "长" * 1001}, "message"),
        ({"next_step": "lunch"}, "next_step"),
        ({"message": "请联系\u202e我们的团队，谢谢您的回复"}, "message"),
    ],
)
def test_bad_requests_name_the_field(
    client: TestClient, scene: Scene, change: dict[str, Any], field: str
) -> None:
    refused = ask(client, scene, **change)
    assert refused.status_code == 422
    assert field in {e["field"] for e in refused.json()["errors"]}


def test_one_open_request_per_pair(client: TestClient, scene: Scene) -> None:
    assert ask(client, scene).status_code == 201
    again = ask(client, scene, "seller")
    assert again.status_code == 409 and "进行中" in again.json()["detail"]


def test_the_receiving_side_answers_and_only_then_contacts_show(
    client: TestClient, session: Session, scene: Scene
) -> None:
    intro = ask(client, scene).json()
    url = f"/api/v1/introductions/{intro['id']}"
    assert client.post(f"{url}/accept", headers=scene.auth("buyer")).status_code == 403
    for who in ("buyer", "seller"):
        assert client.get(url, headers=scene.auth(who)).json()["contacts"] is None
    accepted = client.post(f"{url}/accept", headers=scene.auth("seller"))
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    for who in ("buyer", "seller"):
        contacts = client.get(url, headers=scene.auth(who)).json()["contacts"]
        assert contacts["demand_side"]["phone"] == "13800000001"
        assert contacts["solution_side"]["email"] == "seller@example.com"
    assert client.get(url, headers=scene.auth("official")).json()["contacts"] is None
    disclosed = session.exec(select(AuditLog).where(AuditLog.action == "contact.disclosed")).all()
    assert [a.entity_id for a in disclosed] == [str(intro["id"])]
    assert client.post(f"{url}/accept", headers=scene.auth("seller")).status_code == 409


def test_a_decline_carries_its_reason_to_the_requester(client: TestClient, scene: Scene) -> None:
    intro = ask(client, scene).json()
    url = f"/api/v1/introductions/{intro['id']}"
    bad = client.post(f"{url}/decline", json={"reason": "nope"}, headers=scene.auth("seller"))
    assert bad.status_code == 422
    declined = client.post(
        f"{url}/decline",
        json={"reason": "budget", "note": "预算低于起做金额"},
        headers=scene.auth("seller"),
    )
    assert declined.status_code == 200
    seen = client.get(url, headers=scene.auth("buyer")).json()
    assert (seen["status"], seen["decline_reason"], seen["contacts"]) == (
        "declined",
        "budget",
        None,
    )
    assert ask(client, scene).status_code == 201  # a declined pair may be asked again


def test_an_unanswered_request_expires(client: TestClient, scene: Scene, clock: Any) -> None:
    intro = ask(client, scene).json()
    clock.advance(days=15)
    url = f"/api/v1/introductions/{intro['id']}"
    assert client.get(url, headers=scene.auth("buyer")).json()["status"] == "expired"
    assert client.post(f"{url}/accept", headers=scene.auth("seller")).status_code == 409
    assert ask(client, scene).status_code == 201  # the pair is free again


def test_an_anonymous_enterprise_is_named_only_after_acceptance(
    client: TestClient, session: Session, scene: Scene
) -> None:
    scene.demand.anonymous = True
    session.add(scene.demand)
    session.commit()
    intro = ask(client, scene).json()
    url = f"/api/v1/introductions/{intro['id']}"
    assert client.get(url, headers=scene.auth("seller")).json()["requester_org"] == "匿名企业"
    assert (
        client.get(url, headers=scene.auth("buyer")).json()["requester_org"]
        == scene.enterprise.name
    )
    client.post(f"{url}/accept", headers=scene.auth("seller"))
    assert (
        client.get(url, headers=scene.auth("seller")).json()["requester_org"]
        == scene.enterprise.name
    )


def test_the_thread_is_for_the_two_organisations(client: TestClient, scene: Scene) -> None:
    intro = ask(client, scene).json()
    url = f"/api/v1/introductions/{intro['id']}/messages"
    flagged = client.post(
        url, json={"body": "方便的话打我电话 138-0000-0001"}, headers=scene.auth("buyer")
    )
    assert flagged.status_code == 201 and flagged.json()["flagged_contact"] is True
    plain = client.post(url, json={"body": "下周二可以演示吗？"}, headers=scene.auth("seller"))
    assert plain.json()["flagged_contact"] is False
    assert [m["body"][:4] for m in client.get(url, headers=scene.auth("seller")).json()] == [
        "方便的话",
        "下周二可",
    ]
    assert client.get(url, headers=scene.auth("official")).status_code == 403
    assert client.get(url, headers=scene.auth("stranger")).status_code == 404
    assert (
        client.post(
            url, json={"body": "<script>x</script>"}, headers=scene.auth("stranger")
        ).status_code
        == 404
    )


def test_the_pipeline_ends_in_a_counted_network_born_from_the_portal(
    client: TestClient, session: Session, scene: Scene
) -> None:
    intro = ask(client, scene).json()
    url = f"/api/v1/introductions/{intro['id']}"
    client.post(f"{url}/accept", headers=scene.auth("seller"))

    def move(who: str, **body: Any) -> Any:
        return client.post(f"{url}/stage", json=body, headers=scene.auth(who))

    assert move("buyer", stage="negotiating").status_code == 200
    assert move("seller", stage="poc").status_code == 200
    assert move("seller", stage="negotiating").status_code == 422  # forward only
    assert move("buyer", stage="contract", amount=180).json()["amount"] == 180
    elsewhere = make_network(session, demand_id=None, org_id=scene.third.id)
    session.commit()
    assert move("buyer", stage="network_live", network_id=elsewhere.id).status_code == 422
    before = count_registered_in_service(session)
    network = make_network(
        session, demand_id=scene.demand.id, org_id=scene.enterprise.id, confirmed=True
    )
    session.commit()
    assert count_registered_in_service(session) == before + 1
    live = move("buyer", stage="network_live", network_id=network.id)
    assert live.status_code == 200 and live.json()["stage"] == "network_live"
    session.refresh(network)
    assert network.introduction_id == intro["id"]
    timeline = [s["stage"] for s in live.json()["timeline"]]
    assert timeline == ["requested", "accepted", "negotiating", "poc", "contract", "network_live"]
    assert move("buyer", stage="closed", note="结束").status_code == 409  # nothing after live


def test_closing_needs_a_reason(client: TestClient, scene: Scene) -> None:
    intro = ask(client, scene).json()
    url = f"/api/v1/introductions/{intro['id']}"
    client.post(f"{url}/accept", headers=scene.auth("seller"))
    no_reason = client.post(f"{url}/stage", json={"stage": "closed"}, headers=scene.auth("buyer"))
    assert no_reason.status_code == 422
    closed = client.post(
        f"{url}/stage", json={"stage": "closed", "note": "预算冻结"}, headers=scene.auth("buyer")
    )
    assert closed.json()["stage"] == "closed" and closed.json()["close_reason"] == "预算冻结"


def test_lists_by_box_and_the_funnel_for_officials(client: TestClient, scene: Scene) -> None:
    intro = ask(client, scene).json()
    sent = client.get("/api/v1/introductions?box=sent", headers=scene.auth("buyer")).json()
    received = client.get("/api/v1/introductions?box=received", headers=scene.auth("seller")).json()
    assert [i["id"] for i in sent["items"]] == [intro["id"]] == [i["id"] for i in received["items"]]
    assert (
        client.get("/api/v1/introductions?box=received", headers=scene.auth("buyer")).json()[
            "total"
        ]
        == 0
    )
    client.post(f"/api/v1/introductions/{intro['id']}/accept", headers=scene.auth("seller"))
    assert (
        client.get("/api/v1/introductions/funnel", headers=scene.auth("buyer")).status_code == 403
    )
    funnel = client.get("/api/v1/introductions/funnel", headers=scene.auth("official")).json()
    assert funnel["stages"]["requested"] >= 1 and funnel["stages"]["accepted"] >= 1
    assert funnel["conversion"]["requested→accepted"] is not None
    assert "消息" not in str(funnel) and MESSAGE not in str(funnel)


def test_a_third_organisation_gets_nothing(client: TestClient, scene: Scene) -> None:
    intro = ask(client, scene).json()
    url = f"/api/v1/introductions/{intro['id']}"
    stranger = scene.auth("stranger")
    assert client.get(url, headers=stranger).status_code == 404
    for path, body in (
        ("/accept", None),
        ("/decline", {"reason": "other"}),
        ("/stage", {"stage": "negotiating"}),
        ("/messages", {"body": "你好"}),
    ):
        assert client.post(url + path, json=body, headers=stranger).status_code == 404, path
    assert client.get("/api/v1/introductions", headers=stranger).json()["total"] == 0
    assert client.get(url).status_code == 401


def test_every_step_is_kept_as_feedback(client: TestClient, session: Session, scene: Scene) -> None:
    intro = ask(client, scene).json()
    client.post(f"/api/v1/introductions/{intro['id']}/accept", headers=scene.auth("seller"))
    actions = session.exec(
        select(MatchFeedback.action, MatchFeedback.side).order_by(col(MatchFeedback.id))
    ).all()
    assert actions == [("request", "demand"), ("accept", "solution")]


def test_the_daily_cap_answers_429(client: TestClient, session: Session, scene: Scene) -> None:
    from portal.settings import Settings, get_settings

    client.app.dependency_overrides[get_settings] = lambda: Settings(portal_intro_daily_limit=2)  # type: ignore[attr-defined]
    solutions = [make_solution(session, scene.vendor, status="published") for _ in range(3)]
    session.commit()
    codes = [ask(client, scene, solution_id=s.id).status_code for s in solutions]
    assert codes == [201, 201, 429]
