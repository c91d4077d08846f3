"""Public pages memoized for visitors without credentials: a change is seen at the next
request, and a signed-in page is neither served from the memo nor kept in it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.search.gateway import SearchGateway
from portal.search.sync import drain_all
from tests.factories import make_network, make_user
from tests.matching.test_engine import solution
from tests.support.web import sign_in


def test_a_visitor_sees_a_new_solution_once_the_index_holds_it(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    title = "釉面针孔在线视觉检测（新版）"
    search = {"q": "釉面"}
    assert title not in client.get("/solutions", params=search).text
    solution(session, title=title)
    session.commit()  # the index is updated after the commit
    assert title not in client.get("/solutions", params=search).text
    drain_all(session, gateway)  # by whichever process drains the outbox
    assert title in client.get("/solutions", params=search).text


def test_a_visitor_sees_the_progress_page_change_at_the_next_request(
    client: TestClient, session: Session
) -> None:
    before = client.get("/progress").text
    assert client.get("/progress").text == before
    make_network(session, name="株洲新建5G专网（测试）")  # counted: confirmed, in service
    assert client.get("/progress").text != before


def test_a_signed_in_page_is_neither_served_from_the_memo_nor_kept(
    client: TestClient, session: Session
) -> None:
    visitors = client.get("/").text
    user = make_user(session, display_name="页面缓存测试用户")
    sign_in(client, user.email)
    signed_in = client.get("/").text
    assert "退出登录" in signed_in and "退出登录" not in visitors
    client.cookies.clear()
    assert client.get("/").text == visitors
