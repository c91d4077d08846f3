"""``portal reindex`` reads the whole catalogue in one transaction for minutes, then marks the
events it covered: another connection's write meanwhile (the lease's own renewal, at least)
must not make that last step fail."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from portal.bootstrap import ensure_ready
from portal.db import get_engine, session_scope
from portal.models import Meta, OutboxEvent
from portal.search.gateway import get_gateway
from portal.search.outbox import enqueue
from portal.search.sync import ensure_search_ready, pending_count, reindex
from tests.factories import make_solution


def test_a_write_elsewhere_during_the_rebuild_does_not_fail_the_reindex(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ensure_ready()
    gateway = get_gateway()
    ensure_search_ready(get_engine(), gateway)
    with session_scope(write=True) as session:
        solution = make_solution(session, status="published")
        enqueue(session, entity="solution", entity_id=solution.id or 0, version=solution.version)
    rebuild = gateway.backend.rebuild
    writes = itertools.count()

    def rebuild_while_another_connection_writes(*args: Any, **kwargs: Any) -> int:
        count = rebuild(*args, **kwargs)
        with session_scope(write=True) as other:
            other.add(Meta(key=f"written-during-rebuild-{next(writes)}", value="x"))
        return count

    monkeypatch.setattr(gateway.backend, "rebuild", rebuild_while_another_connection_writes)
    with Session(get_engine()) as session:
        counts = reindex(session, gateway)
    assert counts["solution"] >= 1
    with Session(get_engine()) as session:
        assert pending_count(session) == 0
        assert session.exec(select(OutboxEvent)).all()
