"""Under a real uvicorn server: the portal keeps answering while it reads an upload (an
upload used to stop the whole server, /healthz waiting 80 s), and a body declared over the
limit is answered before it is sent."""

from __future__ import annotations

import io
import socket
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType

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


def reading_a_table() -> bool:
    """Whether some thread of this process (the server's) is inside ``read_table``."""

    def inside(frame: FrameType | None) -> bool:
        while frame is not None:
            if frame.f_code is tabular.read_table.__code__:
                return True
            frame = frame.f_back
        return False

    return any(inside(frame) for frame in sys._current_frames().values())


def test_the_server_answers_while_it_reads_an_upload(live: tuple[str, str]) -> None:
    base, email = live
    cookie, csrf = signed_in(base, email)
    content = largest_legal_xlsx()
    with ThreadPoolExecutor(1) as pool:
        upload = pool.submit(
            httpx.post,
            f"{base}/networks/import",
            data={"csrf_token": csrf},
            files={"file": ("大文件.xlsx", content, XLSX)},
            headers={"cookie": cookie},
            timeout=300,
        )
        while not reading_a_table():
            assert not upload.done(), upload.result().text
            time.sleep(0.001)
        answered_while_reading = 0
        while reading_a_table():
            assert httpx.get(f"{base}/healthz", timeout=300).status_code == 200
            answered_while_reading += reading_a_table()  # the same read is still going on
        assert upload.result().status_code == 303
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
