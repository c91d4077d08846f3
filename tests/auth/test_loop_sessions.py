"""A signed-in read finds its session on the event loop (portal.dbloop), with the configured
engine as in production; whatever the session needs written goes through a worker thread,
as before: a touch, an expired session's deletion, a language choice saved to the profile."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from portal import deps
from portal.app import create_app
from portal.auth.sessions import SESSION_COOKIE, TOUCH_EVERY
from portal.bootstrap import ensure_ready
from portal.clock import FrozenClock, aware
from portal.db import get_engine, session_scope
from portal.deps import request_clock
from portal.kit import i18n
from portal.models import User, WebSession
from tests.factories import make_user
from tests.support.web import session_cookie, sign_in


@dataclass
class Portal:
    client: TestClient
    clock: FrozenClock
    hops: list[str]  # what portal.deps ran in worker threads
    user_id: int
    csrf: str

    def get(self, path: str) -> Any:
        self.hops.clear()
        return self.client.get(path, follow_redirects=False)

    def session_row(self) -> WebSession | None:
        with Session(get_engine()) as db:
            return db.exec(
                select(WebSession).where(col(WebSession.user_id) == self.user_id)
            ).first()


@pytest.fixture
def portal(data_dir: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[Portal]:
    ensure_ready()
    with session_scope(write=True) as db:
        user = make_user(db, display_name="循环读者")
        db.flush()
        assert user.id is not None
        user_id, email = user.id, user.email
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    app = create_app(background_sync=False)
    app.dependency_overrides[request_clock] = lambda: clock
    hops: list[str] = []
    real = deps.run_in_threadpool

    async def counted(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(function, "__name__", type(function).__name__))
        return await real(function, *args, **kwargs)

    monkeypatch.setattr(deps, "run_in_threadpool", counted)
    with TestClient(app, base_url="https://testserver") as client:
        csrf = sign_in(client, email)
        yield Portal(client, clock, hops, user_id, csrf)


def test_a_signed_in_read_finds_its_session_without_a_worker_thread(portal: Portal) -> None:
    page = portal.get("/account")
    assert page.status_code == 200 and "循环读者" in page.text
    assert "load" not in portal.hops  # the thread path's loader (portal.deps)


def test_a_session_due_for_a_touch_is_touched_in_a_worker_thread(portal: Portal) -> None:
    portal.clock.advance(seconds=TOUCH_EVERY.total_seconds() + 1)
    assert "循环读者" in portal.get("/account").text
    assert "load" in portal.hops
    row = portal.session_row()
    assert row is not None and aware(row.last_seen_at) == portal.clock.now()
    assert "循环读者" in portal.get("/account").text
    assert "load" not in portal.hops  # touched: the next read is on the loop again


def test_an_idle_session_is_deleted_and_the_browser_signed_out(portal: Portal) -> None:
    portal.clock.advance(hours=3)  # beyond the default idle time (120 minutes)
    page = portal.get("/account")
    assert page.status_code in (302, 303) and "/login" in page.headers["location"]
    assert "load" in portal.hops
    assert portal.session_row() is None
    assert session_cookie(portal.client) is None


def test_a_language_chosen_while_signed_in_is_saved_to_the_profile(portal: Portal) -> None:
    assert 'lang="en"' in portal.get("/account?lang=en").text
    assert "load" in portal.hops
    with Session(get_engine()) as db:
        assert db.get(User, portal.user_id).locale == "en"  # type: ignore[union-attr]
    portal.client.cookies.delete(i18n.COOKIE)  # another browser: the profile's language
    page = portal.get("/account")
    assert "load" not in portal.hops and 'lang="en"' in page.text  # the profile's choice


def test_a_disabled_user_is_signed_out_on_the_loop(portal: Portal) -> None:
    with session_scope(write=True) as db:
        user = db.get(User, portal.user_id)
        assert user is not None
        user.is_active = False
        db.add(user)
    page = portal.get("/account")
    assert page.status_code in (302, 303) and "/login" in page.headers["location"]
    assert "load" not in portal.hops
    assert session_cookie(portal.client) is None


def test_an_unknown_session_cookie_is_cleared_on_the_loop(portal: Portal) -> None:
    portal.client.cookies.clear()
    portal.client.cookies.set(SESSION_COOKIE, "x" * 43)
    page = portal.get("/")
    assert page.status_code == 200 and "循环读者" not in page.text
    assert "load" not in portal.hops
    assert any(
        cookie.startswith(f"{SESSION_COOKIE}=") and "Max-Age=0" in cookie
        for cookie in page.headers.get_list("set-cookie")
    )


def test_writes_still_find_their_session_in_a_worker_thread(portal: Portal) -> None:
    portal.hops.clear()
    page = portal.client.post("/logout", data={"csrf_token": portal.csrf}, follow_redirects=False)
    assert page.status_code == 303
    assert "load" in portal.hops
    assert portal.session_row() is None
