"""Public pages memoized for visitors without credentials: a change is seen at the next
request, and a signed-in page is neither served from the memo nor kept in it; a page (a
visitor's or a viewer's) is built once however many requests ask for it at the same time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.testclient import TestClient
from sqlmodel import Session

from portal import page_memo
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


def test_a_page_is_kept_once_however_often_the_data_under_it_changed(
    client: TestClient, session: Session
) -> None:
    """Each change moves the stamps a page stands on: the new page replaces the kept one
    rather than joining it, so writes do not fill the memo with pages no one will ask for."""
    page_memo.forget()
    pages = []
    for n in range(3):
        make_network(session, name=f"株洲新建5G专网（测试{n}）")
        pages.append(client.get("/progress").text)
        assert client.get("/progress").text == pages[-1]  # served from the memo
    assert len(set(pages)) == 3
    assert len(page_memo._pages) == 1


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


# --- one build at a time ----------------------------------------------------------------


def _asking(viewer: str | None = None) -> Request:
    request = Request({"type": "http", "method": "GET", "path": "/a-page", "headers": []})
    if viewer is not None:
        request.state.viewer = viewer
        request.state.csrf_token = "t" * 32
    return request


def _keep_for_visitors(build: Callable[[], Response]) -> Response:
    return page_memo.for_visitors(_asking(), build, data=("stamps",))


def _keep_for_viewer(build: Callable[[], Response]) -> Response:
    return page_memo.for_viewer(_asking(viewer="a viewer"), build, data=("stamps",))


@pytest.mark.parametrize("keep", [_keep_for_visitors, _keep_for_viewer])
def test_a_page_asked_for_while_it_is_being_built_is_built_once(
    keep: Callable[[Callable[[], Response]], Response],
) -> None:
    """A worker starting under load gets one request per connection for the same cold page
    at once: the later ones wait for the first build and take its page."""
    page_memo.forget()
    started, release = threading.Event(), threading.Event()
    builds: list[int] = []

    def build() -> Response:
        builds.append(1)
        started.set()
        release.wait(30)
        return HTMLResponse("<p>a page</p>")

    answers: list[Response] = []
    first = threading.Thread(target=lambda: answers.append(keep(build)))
    first.start()
    assert started.wait(30)
    second = threading.Thread(target=lambda: answers.append(keep(build)))
    second.start()
    # The second request now either builds the page too, or waits for the first build.
    deadline = time.monotonic() + 30
    while len(builds) < 2 and not any(b.waiting == 2 for b in page_memo._building.values()):
        assert time.monotonic() < deadline, "the second request neither built nor waited"
        time.sleep(0.001)
    release.set()
    first.join(30)
    second.join(30)
    assert len(builds) == 1
    assert [a.body for a in answers] == [b"<p>a page</p>", b"<p>a page</p>"]
    assert not page_memo._building  # nothing left behind
