"""The agenda page solves outside any transaction: the solver may take seconds, and on SQLite
the write transaction of the POST would hold the one write lock all that time. Its result is
saved only for the inputs it saw."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select, update

import scheduling
from portal.app import create_app
from portal.bootstrap import ensure_ready
from portal.clock import FrozenClock
from portal.db import session_scope
from portal.events import service
from portal.introductions import service as introductions
from portal.models import Event, EventMeeting, EventRegistration, Introduction
from portal.search.gateway import get_gateway
from tests.events.conftest import Scene, build_scene
from tests.support.web import csrf_of, sign_in


@pytest.fixture
def live(data_dir: Path) -> Iterator[tuple[TestClient, Scene]]:
    """A committed scene whose buyer met both vendors (accepted), and an official's client."""
    ensure_ready()
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    with session_scope(write=True) as session:
        scene = build_scene(session, clock)
        for n, solution in enumerate(scene.solutions, start=1):
            meeting = service.request_meeting(
                session, get_gateway(), principal=scene.principal("buyer"), event=scene.event,
                demand_id=scene.demand.id or 0, solution_id=solution.id or 0, now=clock.now(),
            )  # fmt: skip
            intro = session.get(Introduction, meeting.introduction_id)
            assert intro is not None
            introductions.accept(
                session, principal=scene.principal(f"seller{n}"), intro=intro, now=clock.now()
            )
    with TestClient(create_app(background_sync=False), base_url="https://testserver") as client:
        sign_in(client, scene.users["official"].email)
        yield client, scene


def solving_with(monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[int], None]) -> list[int]:
    """Run ``meanwhile(call number)`` inside each solve, as another connection would."""
    calls: list[int] = []
    real = scheduling.solve

    def solve(problem: scheduling.Problem, **kw: Any) -> scheduling.Schedule:
        calls.append(len(calls) + 1)
        meanwhile(calls[-1])
        return real(problem, **kw)

    monkeypatch.setattr(scheduling, "solve", solve)
    return calls


def generate(client: TestClient, scene: Scene) -> int:
    page = client.get(f"/events/{scene.event.id}/agenda")
    response = client.post(
        f"/events/{scene.event.id}/agenda/generate",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    return response.status_code


def placed(scene: Scene) -> list[tuple[str | None, int | None]]:
    with session_scope() as session:
        rows = session.exec(
            select(EventMeeting).where(EventMeeting.event_id == scene.event.id)
        ).all()
        return [(m.slot, m.table_no) for m in rows]


def test_others_write_while_the_agenda_is_solved(
    live: tuple[TestClient, Scene], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, scene = live

    def another_request_writes(_: int) -> None:
        # Waits for the write lock (SQLite's busy timeout) if the page held it while solving.
        with session_scope(write=True) as session:
            session.exec(
                update(EventRegistration)
                .where(col(EventRegistration.event_id) == scene.event.id)
                .values(attendees="改派的参会代表")
            )

    calls = solving_with(monkeypatch, another_request_writes)
    assert generate(client, scene) == 303
    assert calls == [1]
    assert all(slot is not None for slot, _ in placed(scene))


def test_an_agenda_is_solved_again_when_its_inputs_changed_meanwhile(
    live: tuple[TestClient, Scene], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, scene = live

    def one_table_left(call: int) -> None:
        if call == 1:
            with session_scope(write=True) as session:
                session.exec(update(Event).where(col(Event.id) == scene.event.id).values(tables=1))

    calls = solving_with(monkeypatch, one_table_left)
    assert generate(client, scene) == 303
    assert calls == [1, 2]  # the first schedule was for two tables
    assert {table for _, table in placed(scene)} == {1}
