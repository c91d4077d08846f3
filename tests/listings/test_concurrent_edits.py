"""Two edits of one listing at the same time each count as a version (the search index keeps
the newer version of a document, so two edits that wrote the same number would leave the
index with whichever came first)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlmodel import col, select

from portal.auth.permissions import Principal
from portal.bootstrap import ensure_ready
from portal.db import session_scope
from portal.listings import service
from portal.listings.registry import SOLUTION
from portal.models import OutboxEvent, Solution, User
from tests.conftest import DB_KIND
from tests.factories import make_org, make_solution, make_user

pytestmark = pytest.mark.skipif(
    DB_KIND != "postgresql",
    reason="SQLite runs one write transaction at a time (BEGIN IMMEDIATE): the second edit "
    "reads the row only after the first has committed",
)


def test_two_owners_editing_at_once_make_two_versions(data_dir: Path) -> None:
    ensure_ready()
    with session_scope(write=True) as session:
        org = make_org(session, kind="app_developer")
        users = [make_user(session, org=org), make_user(session, org=org)]
        solution = make_solution(session, org, status="draft")
        solution_id, user_ids = solution.id, [u.id for u in users]
    both_read = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def edit(user_id: int | None, title: str) -> None:
        try:
            with session_scope(write=True) as session:
                row = session.get(Solution, solution_id)
                user = session.get(User, user_id)
                assert row is not None and user is not None
                both_read.wait()  # each request has read version 1 before either writes
                service.patch(
                    session,
                    SOLUTION,
                    principal=Principal(user),
                    row=row,
                    changes={"title": title},
                    now=row.updated_at,
                )
        except BaseException as exc:  # reported by the test's thread
            errors.append(exc)

    threads = [
        threading.Thread(target=edit, args=(uid, f"并发修改的标题 {n}"))
        for n, uid in enumerate(user_ids)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with session_scope() as session:
        row = session.get(Solution, solution_id)
        assert row is not None and row.version == 3
        queued = session.exec(
            select(OutboxEvent.version)
            .where(OutboxEvent.entity == "solution", OutboxEvent.entity_id == solution_id)
            .order_by(col(OutboxEvent.version))
        ).all()
        # The last edit to commit is the newest version in the queue, so the index ends on it.
        assert sorted(set(queued))[-2:] == [2, 3]
