"""A request body over PORTAL_MAX_BODY_BYTES is refused with a 413 before any handler reads
it: at once when Content-Length says so, and as soon as the bytes of a chunked body pass
the limit. (An unauthenticated 300 MB JSON body used to cost 770 MB before its 401.)"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select
from starlette.types import Message

from portal.models import Solution
from portal.settings import get_settings
from tests.factories import make_org, make_token, make_user

LIMIT = get_settings().portal_max_body_bytes


def unread(app: FastAPI, path: str, length: int) -> tuple[int, dict[str, str], bytes]:
    """POSTs to the app with a declared length, failing if anything reads the body."""
    sent: list[Message] = []

    async def receive() -> Message:
        raise AssertionError("the body was read")

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"content-length", str(length).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 443),
    }
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


def chunks(total: int) -> Iterator[bytes]:
    """A body without Content-Length (chunked), in pieces of 1 MB."""
    while total > 0:
        yield b" " * min(total, 2**20)
        total -= 2**20


def test_the_limit_leaves_room_for_the_largest_upload() -> None:
    from portal.networks.tabular import MAX_BYTES

    assert LIMIT >= MAX_BYTES + 64 * 1024


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(
    app: FastAPI,
) -> None:
    status, headers, body = unread(app, "/api/v1/solutions", 300 * 2**20)
    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert "script-src 'self'" in headers["content-security-policy"]
    assert json.loads(body)["detail"] == "提交的内容过大（最多 8 MB）。"

    status, headers, body = unread(app, "/networks/import", LIMIT + 1)
    assert status == 413 and headers["content-type"].startswith("text/html")
    assert "提交的内容过大（最多 8 MB）" in body.decode()
    assert headers["x-frame-options"] == "DENY"


def test_a_chunked_body_over_the_limit_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/v1/solutions",
        content=chunks(LIMIT + 1),
        headers={"content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413  # not the 401 of an unauthenticated call
    assert response.json()["detail"] == "提交的内容过大（最多 8 MB）。"

    page = client.post(
        "/login",
        content=chunks(LIMIT + 1),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 413 and "提交的内容过大" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_bodies_under_the_limit_are_served_as_usual(client: TestClient, session: Session) -> None:
    token = make_token(session, make_user(session, org=make_org(session, kind="integrator")))
    body = json.dumps({"title": "分块发送的方案", "summary": "s", "regions": ["hunan"]})
    padded = body.encode() + b" " * (LIMIT - len(body.encode()))  # exactly the limit
    response = client.post(
        "/api/v1/solutions",
        content=iter([padded[: 2**20], padded[2**20 :]]),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    assert session.exec(select(func.count()).select_from(Solution)).one() >= 1
