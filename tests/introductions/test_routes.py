"""The introduction pages, without JavaScript: request, answer, contacts, thread, stage,
my introductions, the officials' funnel and its export; shortlist and dismiss."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.models import Introduction, MatchMark
from tests.introductions.conftest import Scene
from tests.support.web import sign_in

MESSAGE = "我们在醴陵有三条窑炉产线，希望了解贵方的机器视觉质检方案。"


def request_as_buyer(client: TestClient, scene: Scene) -> str:
    csrf = sign_in(client, scene.buyer.email)
    pair = f"demand_id={scene.demand.id}&solution_id={scene.solution.id}"
    form = client.get(f"/introductions/new?{pair}")
    assert form.status_code == 200 and 'name="message"' in form.text
    sent = client.post(
        "/introductions/new",
        data={
            "csrf_token": csrf,
            "demand_id": scene.demand.id,
            "solution_id": scene.solution.id,
            "message": MESSAGE,
            "next_step": "visit",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    return sent.headers["location"].split("?")[0]


def test_request_accept_talk_and_move_through_the_pages(
    client: TestClient, session: Session, scene: Scene
) -> None:
    url = request_as_buyer(client, scene)
    page = client.get(url)
    assert "对接请求已发送" not in page.text or "待回复" in page.text
    assert 'data-testid="contacts"' not in page.text and "13900000002" not in page.text
    csrf = sign_in(client, scene.seller.email)
    mine = client.get("/introductions").text
    assert "待您回复" in mine
    detail = client.get(url).text
    assert 'data-testid="accept"' in detail and "13800000001" not in detail
    accepted = client.post(f"{url}/accept", data={"csrf_token": csrf}, follow_redirects=False)
    assert accepted.status_code == 303
    detail = client.get(url).text
    assert 'data-testid="contacts"' in detail and "13800000001" in detail and "张工" in detail
    posted = client.post(f"{url}/messages", data={"csrf_token": csrf, "body": "下周二上门演示"})
    assert posted.status_code == 200 and "下周二上门演示" in posted.text
    bad_stage = client.post(f"{url}/stage", data={"csrf_token": csrf, "stage": "closed"})
    assert bad_stage.status_code == 400 and "终止对接时请说明原因" in bad_stage.text
    moved = client.post(f"{url}/stage", data={"csrf_token": csrf, "stage": "negotiating"})
    assert moved.status_code == 200 and "洽谈中" in moved.text


def test_a_decline_needs_a_reason_shown_beside_the_field(client: TestClient, scene: Scene) -> None:
    url = request_as_buyer(client, scene)
    csrf = sign_in(client, scene.seller.email)
    refused = client.post(f"{url}/decline", data={"csrf_token": csrf, "reason": ""})
    assert refused.status_code == 400 and "请选择婉拒的原因" in refused.text
    declined = client.post(f"{url}/decline", data={"csrf_token": csrf, "reason": "timing"})
    assert declined.status_code == 200 and "时间不合适" in declined.text


def test_a_short_message_is_refused_beside_the_field(client: TestClient, scene: Scene) -> None:
    csrf = sign_in(client, scene.buyer.email)
    refused = client.post(
        "/introductions/new",
        data={
            "csrf_token": csrf,
            "demand_id": scene.demand.id,
            "solution_id": scene.solution.id,
            "message": "你好",
        },
    )
    assert refused.status_code == 400
    assert re.search(r'id="f-message-error"[^>]*>请至少写 10 个字', refused.text)


def test_others_see_nothing_and_visitors_sign_in_first(
    client: TestClient, session: Session, scene: Scene
) -> None:
    url = request_as_buyer(client, scene)
    sign_in(client, scene.stranger.email)
    assert client.get(url).status_code == 404
    client.cookies.clear()
    assert client.get(url, follow_redirects=False).headers["location"].startswith("/login")


def test_the_official_sees_the_funnel_and_no_message(client: TestClient, scene: Scene) -> None:
    url = request_as_buyer(client, scene)
    sign_in(client, scene.official.email)
    page = client.get(url)
    assert page.status_code == 200 and MESSAGE not in page.text and "13800000001" not in page.text
    funnel = client.get("/introductions/funnel")
    assert funnel.status_code == 200 and 'data-testid="funnel"' in funnel.text
    exported = client.get("/introductions/funnel.csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["阶段", "到达数"] and rows[1][:2] == ["待回复", "1"]
    assert any(r[:1] == ["来源"] for r in rows) and any(r[:1] == ["数据截至"] for r in rows)
    sign_in(client, scene.buyer.email)
    assert client.get("/introductions/funnel").status_code == 403


def test_from_a_solution_page_the_enterprise_chooses_its_demand(
    client: TestClient, scene: Scene
) -> None:
    sign_in(client, scene.buyer.email)
    page = client.get(f"/solutions/{scene.solution.id}").text
    assert 'data-testid="request-introduction"' in page
    choose = client.get(f"/introductions/new?solution_id={scene.solution.id}")
    assert choose.status_code == 200 and scene.demand.title in choose.text
    sign_in(client, scene.seller.email)  # its own solution: no request button
    assert (
        'data-testid="request-introduction"'
        not in client.get(f"/solutions/{scene.solution.id}").text
    )


def test_shortlist_and_dismiss_are_kept(client: TestClient, session: Session, scene: Scene) -> None:
    csrf = sign_in(client, scene.buyer.email)
    pair = {"demand_id": scene.demand.id, "solution_id": scene.solution.id}
    back = f"/demands/{scene.demand.id}"
    done = client.post(
        "/matches/mark",
        data={"csrf_token": csrf, **pair, "action": "shortlist", "next": back},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == back
    refused = client.post("/matches/mark", data={"csrf_token": csrf, **pair, "action": "dismiss"})
    assert refused.status_code == 422
    client.post(
        "/matches/mark",
        data={
            "csrf_token": csrf,
            **pair,
            "action": "dismiss",
            "reason": "budget",
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    mark = session.exec(select(MatchMark)).one()
    assert (mark.shortlisted, mark.dismissed, mark.dismiss_reason) == (True, True, "budget")
    csrf = sign_in(client, scene.stranger.email)
    stranger = client.post(
        "/matches/mark", data={"csrf_token": csrf, **pair, "action": "shortlist"}
    )
    assert stranger.status_code == 403
    assert session.exec(select(Introduction)).all() == []
