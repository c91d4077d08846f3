"""A WeCom group robot on 127.0.0.1 (a real HTTP server that records what it is posted),
and a scene of organisations, members and an official."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlmodel import Session

from portal.models import Organization, User
from tests.factories import make_org, make_token, make_user
from tests.introductions.conftest import scene  # noqa: F401 - the introductions' scene


@dataclass
class Robot:
    """What a WeCom robot received; ``answers`` are popped per request (errcode 0 after)."""

    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Called before answering: a test may hold the answer back, or return "drop" to close
    # the connection without an answer (and without counting the message as taken).
    on_request: Any = None

    @property
    def texts(self) -> list[str]:
        return [m["text"]["content"] for m in self.received]


@pytest.fixture
def robot() -> Iterator[Robot]:
    holder: dict[str, Robot] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            state = holder["robot"]
            if state.on_request is not None and state.on_request() == "drop":
                self.close_connection = True  # never answered: the sender cannot know
                return
            with state.lock:
                answer = state.answers.pop(0) if state.answers else {"errcode": 0, "errmsg": "ok"}
                if answer.get("errcode") == 0:
                    state.received.append(json.loads(body))
            payload = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    holder["robot"] = Robot(url=f"http://{host!s}:{port}/cgi-bin/webhook/send?key=test")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder["robot"]
    server.shutdown()
    server.server_close()
    thread.join()


@dataclass
class People:
    vendor: Organization
    enterprise: Organization
    seller: User
    colleague: User
    buyer: User
    official: User
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def people(session: Session) -> People:
    vendor = make_org(session, kind="integrator", name="某5G集成商")
    enterprise = make_org(session, kind="enterprise", name="醴陵某陶瓷企业", city="zhuzhou")
    seller = make_user(session, org=vendor)
    colleague = make_user(session, org=vendor, member_role="member")
    buyer = make_user(session, org=enterprise)
    official = make_user(session, role="official")
    tokens = {
        "seller": make_token(session, seller),
        "buyer": make_token(session, buyer),
        "official": make_token(session, official),
        "reader": make_token(session, seller, scope="read"),
    }
    session.commit()
    return People(vendor, enterprise, seller, colleague, buyer, official, tokens)
