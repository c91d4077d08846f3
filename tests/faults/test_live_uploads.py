"""Under a real uvicorn server: the portal keeps answering while it reads an upload (an
upload used to stop the whole server, /healthz waiting 80 s), and a body declared over the
limit is answered before it is sent."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook
from sqlmodel import Session

from portal.app import create_app
from portal.bootstrap import ensure_ready
from portal.db import get_engine
from portal.networks import tabular
from tests.factories import make_user
from tests.support.live import live_server, sign_in_over_http

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def live(data_dir: Path) -> Iterator[tuple[str, str]]:
    """The portal on a fresh database, and the email of an official."""
    ensure_ready()
    with Session(get_engine()) as session:
        email = make_user(session, role="official").email
        session.commit()
    with live_server(create_app(background_sync=False)) as base:
        yield base, email


def signed_in(base: str, email: str) -> tuple[str, str]:
    with httpx.Client(base_url=base, timeout=60) as http:
        return sign_in_over_http(http, email)


def largest_legal_xlsx() -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([f"列{c}" for c in range(50)])
    for r in range(5000):
        sheet.append([f"第{r}行{c}" for c in range(50)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class TableReads:
    """Wraps ``read_table`` to tell whether the server is inside it right now.

    Walking the server thread's frames from the test thread (``sys._current_frames``) is not
    safe on CPython 3.11: a frame's ``f_back`` may point at memory the other thread has
    already reused, and once handed back a ``threading.Condition`` instead of a frame."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.finished = threading.Event()

    def wrap(self, read: Callable[[str, bytes], Any]) -> Callable[[str, bytes], Any]:
        def watched(filename: str, content: bytes) -> Any:
            self.started.set()
            try:
                return read(filename, content)
            finally:
                self.finished.set()

        return watched

    def reading(self) -> bool:
        return self.started.is_set() and not self.finished.is_set()


def test_the_server_answers_while_it_reads_an_upload(
    live: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, email = live
    cookie, csrf = signed_in(base, email)
    content = largest_legal_xlsx()
    reads = TableReads()
    monkeypatch.setattr(tabular, "read_table", reads.wrap(tabular.read_table))
    with ThreadPoolExecutor(1) as pool:
        upload = pool.submit(
            httpx.post,
            f"{base}/networks/import",
            data={"csrf_token": csrf},
            files={"file": ("大文件.xlsx", content, XLSX)},
            headers={"cookie": cookie},
            timeout=300,
        )
        while not reads.started.wait(0.01):
            assert not upload.done(), upload.result().text
        answered_while_reading = 0
        while reads.reading():
            assert httpx.get(f"{base}/healthz", timeout=300).status_code == 200
            answered_while_reading += reads.reading()  # the same read is still going on
        assert upload.result().status_code == 303
    assert reads.finished.is_set()
    assert answered_while_reading > 0


def test_a_body_declared_over_the_limit_is_answered_before_it_is_sent(
    live: tuple[str, str],
) -> None:
    host, port = httpx.URL(live[0]).host, httpx.URL(live[0]).port
    assert port is not None
    with socket.create_connection((host, port), timeout=60) as connection:
        connection.sendall(
            b"POST /api/v1/solutions HTTP/1.1\r\nHost: portal\r\n"
            b"Content-Type: application/json\r\nContent-Length: 314572800\r\n\r\n"
        )
        answer = connection.makefile("rb").read()  # the server answers and closes
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert "提交的内容过大（最多 8 MB）".encode() in answer
