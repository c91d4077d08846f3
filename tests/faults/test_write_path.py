"""The write path: every request commits before its answer leaves, a failed commit is a
5xx, and no read fails because another connection writes (issue 11, items 1 and 4)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from portal.app import create_app
from portal.bootstrap import ensure_ready
from portal.db import WriteOnReadPath, get_engine, session_scope, unit_of_work
from portal.models import Organization
from tests.factories import make_org, make_token, make_user
from tests.support.live import live_server, sign_in_over_http
from tests.support.web import sign_in

SOLUTION: dict[str, Any] = {
    "title": "5G+机器视觉陶瓷缺陷检测",
    "summary": "釉面缺陷识别",
    "industries": ["ceramics"],
    "scenarios": ["machine_vision_qc"],
    "capabilities": ["embb", "mec"],
    "regions": ["hunan"],
}


# --- 1. the commit happens before the answer --------------------------------------------


@pytest.fixture
def failing_commits(session: Session) -> Iterator[list[str]]:
    """Every commit of the test's session fails from now on; yields the ones attempted."""
    attempted: list[str] = []

    def refuse(_session: Session) -> None:
        attempted.append("commit")
        raise RuntimeError("the disk is full")

    event.listen(session, "before_commit", refuse)
    yield attempted
    event.remove(session, "before_commit", refuse)


def test_a_failed_commit_is_a_5xx_for_the_json_api(
    app: FastAPI, client: TestClient, session: Session, failing_commits: list[str]
) -> None:
    user = make_user(session, org=make_org(session, kind="app_developer"))
    token = make_token(session, user)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        response = c.post(
            "/api/v1/solutions", json=SOLUTION, headers={"Authorization": f"Bearer {token}"}
        )
    assert failing_commits, "the request never committed"
    assert response.status_code == 500, response.text  # never the 201 of a lost write
    assert "the disk is full" not in response.text


def test_a_failed_commit_is_a_5xx_for_a_form(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    org = make_org(session)
    csrf = sign_in(client, make_user(session, org=org).email)

    def refuse(_session: Session) -> None:
        raise RuntimeError("the disk is full")

    event.listen(session, "before_commit", refuse)
    try:
        with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
            c.cookies = client.cookies
            response = c.post(
                f"/organizations/{org.id}/edit",
                data={"csrf_token": csrf, "name": "改名后的企业", "city": "changsha"},
                follow_redirects=False,
            )
    finally:
        event.remove(session, "before_commit", refuse)
    assert response.status_code == 500, response.status_code  # not the 303 of a lost write
    assert "服务器内部错误" in response.text


# --- 4. reads never write in their own transaction --------------------------------------


def test_a_read_transaction_refuses_writes(session: Session) -> None:
    request = unit_of_work(session, write=False)
    next(request)
    session.add(
        Organization(external_id="r-1", name="读中写入", kind="enterprise", city="changsha")
    )
    with pytest.raises(WriteOnReadPath):
        session.flush()
    with pytest.raises(WriteOnReadPath):
        request.throw(WriteOnReadPath("the handler failed"))


# --- over real HTTP, against the configured database ------------------------------------


@pytest.fixture
def live(data_dir: Path) -> Iterator[dict[str, Any]]:
    """A migrated data directory with a vendor (and its token) and the portal serving it."""
    ensure_ready()
    with session_scope(write=True) as session:
        user = make_user(session, org=make_org(session, kind="app_developer"))
        token, email = make_token(session, user), user.email
    with live_server(create_app(background_sync=False)) as url:
        yield {"url": url, "token": token, "email": email}


def test_every_write_is_readable_as_soon_as_it_is_answered(live: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {live['token']}"}
    misses = []
    with httpx.Client(base_url=live["url"], headers=headers, timeout=30) as http:
        for n in range(300):
            created = http.post("/api/v1/solutions", json={**SOLUTION, "title": f"方案{n}"})
            assert created.status_code == 201, created.text
            read = http.get(f"/api/v1/solutions/{created.json()['id']}")
            if read.status_code != 200 or read.json()["title"] != f"方案{n}":
                misses.append((n, read.status_code))
    assert misses == []


def test_the_page_after_signing_in_sees_the_new_session(live: dict[str, Any]) -> None:
    with httpx.Client(base_url=live["url"], timeout=30) as http:
        for _ in range(40):
            sign_in_over_http(http, live["email"])  # the page after the redirect is signed in


def test_a_token_read_does_not_fail_when_another_connection_writes_meanwhile(
    live: dict[str, Any],
) -> None:
    """The token's first use is written while the request reads; on SQLite a read
    transaction cannot become a write one after another connection wrote. Here that other
    write lands exactly between the request's first read and its token write."""
    engine = get_engine()
    state = {"armed": True}

    def write_in_between(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if state["armed"] and "FROM api_token" in statement:
            state["armed"] = False
            with session_scope(write=True) as other:
                other.add(
                    Organization(
                        external_id="between-1", name="并发写入", kind="enterprise", city="changsha"
                    )
                )

    event.listen(engine, "after_cursor_execute", write_in_between)
    try:
        with httpx.Client(base_url=live["url"], timeout=30) as http:
            response = http.get(
                "/api/v1/indicators",
                headers={"Authorization": f"Bearer {live['token']}"},
            )
    finally:
        event.remove(engine, "after_cursor_execute", write_in_between)
    assert not state["armed"], "the token was never read"
    assert response.status_code == 200, response.text


def test_token_reads_during_a_write_burst_never_fail(live: dict[str, Any]) -> None:
    """Fresh tokens (each one's first use is written) read while writers write."""
    with session_scope(write=True) as session:
        users = [make_user(session, org=make_org(session, kind="integrator")) for _ in range(30)]
        tokens = [make_token(session, u) for u in users]
    stop = threading.Event()
    write_errors: list[int] = []

    def writer() -> None:
        headers = {"Authorization": f"Bearer {live['token']}"}
        with httpx.Client(base_url=live["url"], headers=headers, timeout=30) as http:
            while not stop.is_set():
                created = http.post("/api/v1/solutions", json=SOLUTION)
                if created.status_code != 201:
                    write_errors.append(created.status_code)

    writers = [threading.Thread(target=writer) for _ in range(2)]
    for thread in writers:
        thread.start()
    statuses = []
    try:
        with httpx.Client(base_url=live["url"], timeout=30) as http:
            for token in tokens:
                response = http.get(
                    "/api/v1/indicators", headers={"Authorization": f"Bearer {token}"}
                )
                statuses.append(response.status_code)
    finally:
        stop.set()
        for thread in writers:
            thread.join()
    assert statuses == [200] * len(tokens)
    assert write_errors == []
