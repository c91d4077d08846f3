"""A visitor's kept public page is found on the event loop (portal.page_memo.kept_on_loop):
the stamps it stands on read there (portal.dbloop), no worker thread at all. A page to make
(the first, or after a change) is made in a worker thread, as before; so is every page when
the loop cannot read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from portal import dbloop, page_memo
from portal.app import create_app
from portal.bootstrap import ensure_ready
from portal.db import session_scope
from tests.factories import make_network, make_user
from tests.support.web import sign_in

PAGES = ("/", "/progress", "/demands", "/solutions?q=陶瓷")


@dataclass
class Visitor:
    client: TestClient
    hops: list[str]  # what ran in worker threads, anywhere in the request

    def get(self, path: str) -> Any:
        self.hops.clear()
        page = self.client.get(path)
        assert page.status_code == 200, page.text
        return page


@pytest.fixture
def visitor(data_dir: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[Visitor]:
    ensure_ready()
    page_memo.forget()
    hops: list[str] = []
    real = anyio.to_thread.run_sync

    async def counted(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(function, "__name__", type(function).__name__))
        return await real(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    with TestClient(create_app(background_sync=False), base_url="https://testserver") as client:
        yield Visitor(client, hops)
    page_memo.forget()


@pytest.mark.parametrize("path", PAGES)
def test_a_visitors_kept_page_is_answered_without_a_worker_thread(
    visitor: Visitor, path: str
) -> None:
    made = visitor.get(path)
    assert visitor.hops  # made in a worker thread, then kept
    kept = visitor.get(path)
    assert kept.text == made.text
    assert visitor.hops == []
    assert kept.headers["content-type"] == made.headers["content-type"]


def test_a_change_is_seen_at_the_next_request_and_the_new_page_kept(visitor: Visitor) -> None:
    before = visitor.get("/progress").text
    with session_scope(write=True) as db:
        make_network(db, name="株洲循环读取专网（测试）")
    after = visitor.get("/progress")
    assert visitor.hops  # the stamps moved: made again, in a worker thread
    assert after.text != before
    assert visitor.get("/progress").text == after.text
    assert visitor.hops == []


def test_a_signed_in_viewer_is_never_answered_with_the_visitors_page(visitor: Visitor) -> None:
    kept = visitor.get("/").text
    with session_scope(write=True) as db:
        user = make_user(db, display_name="首页访客之外")
        db.flush()
        email = user.email
    sign_in(visitor.client, email)
    page = visitor.get("/")
    assert page.text != kept and "退出登录" in page.text


def test_pages_are_made_and_kept_in_worker_threads_when_the_loop_cannot_read(
    visitor: Visitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbloop, "_reader_kind", lambda engine: None)
    made = visitor.get("/progress").text
    kept = visitor.get("/progress")
    assert kept.text == made
    assert visitor.hops  # the stamps read in a worker thread, the page kept as before
