"""Several processes draining one outbox into one index: a stale document never replaces a
newer one. Two guarantees, each tested on its own: one drainer at a time (the lease
"search-outbox" in the database), and the embedded index comparing versions inside its
writer lock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session

import portal.search.sync as sync
from matching.embedded import EmbeddedBackend
from portal.models import Solution
from portal.search.gateway import SearchGateway
from portal.search.outbox import enqueue
from portal.search.sync import drain_all, drain_once, index_check, pending_count
from tests.search.test_sync import write_solution


@pytest.fixture
def other_session(session: Session) -> Iterator[Session]:
    """Another process's session. It shares the test's connection (so that everything is
    rolled back at the end) but commits on its own, as a second process would."""
    other = Session(
        bind=session.get_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield other
    other.close()


@pytest.fixture
def other_gateway(gateway: SearchGateway) -> SearchGateway:
    """Another process's view of the same index folder: its own handles and writer."""
    backend = gateway.backend
    assert isinstance(backend, EmbeddedBackend)
    other = SearchGateway(EmbeddedBackend(backend.root, prefix=backend.prefix), gateway.pipeline)
    assert other.ensure_indexes() == []
    return other


def edit(session: Session, solution_id: int, title: str) -> int:
    """What the service layer does on an edit: change, bump the version, queue, commit."""
    row = session.get(Solution, solution_id)
    assert row is not None
    row.title = title
    row.version += 1
    session.add(row)
    session.flush()
    enqueue(session, entity="solution", entity_id=solution_id, version=row.version)
    session.commit()
    return row.version


def indexed_version(gateway: SearchGateway, solution_id: int) -> int | None:
    doc = gateway.backend.get("solutions", str(solution_id))
    return None if doc is None else int(doc["version"])


def test_a_drainer_that_read_version_1_never_applies_it_over_version_2(
    session: Session,
    gateway: SearchGateway,
    other_session: Session,
    other_gateway: SearchGateway,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Process A reads version 1; the solution is edited (version 2); process B drains; then
    A applies what it read. Before the lease, B applied version 2, A then wrote version 1
    over it and both events were marked done: the index stayed at version 1, nothing pending."""
    row = write_solution(session, title="岸桥远控一期")
    assert row.id is not None
    session.commit()
    read = sync._documents
    meanwhile: list[Any] = []

    def read_then_let_b_run(*args: Any, **kwargs: Any) -> Any:
        docs = read(*args, **kwargs)
        if not meanwhile:  # only A's read; B's own read goes straight through
            meanwhile.append(edit(other_session, row.id or 0, "岸桥远控二期"))
            meanwhile.append(drain_once(other_session, other_gateway))
        return docs

    monkeypatch.setattr(sync, "_documents", read_then_let_b_run)
    first = drain_once(session, gateway)
    monkeypatch.undo()
    version, b = meanwhile
    assert version == 2 and first.processed == 1
    assert b.processed == 0, "B drained while A held the batch"
    drain_all(other_session, other_gateway)
    assert pending_count(session) == 0
    assert indexed_version(gateway, row.id) == 2
    assert all(d.clean for d in index_check(session, gateway, repair=False).values())


def _doc(solution_id: int, version: int, title: str) -> dict[str, Any]:
    return {"id": str(solution_id), "seq": solution_id, "version": version, "title": title}


def test_the_embedded_index_never_replaces_a_newer_version(
    gateway: SearchGateway, other_gateway: SearchGateway
) -> None:
    """The last line of defence when two writers race anyway (a drainer paused past its
    lease): the embedded backend compares versions under its writer lock, which is also a
    lock between processes."""
    other_gateway.backend.upsert("solutions", [_doc(41, 2, "第二版")])
    gateway.backend.upsert("solutions", [_doc(41, 1, "第一版")])  # late, from another process
    assert indexed_version(gateway, 41) == 2
    assert indexed_version(other_gateway, 41) == 2
    # The same version again replaces (an idempotent re-apply); a newer one replaces.
    gateway.backend.upsert("solutions", [_doc(41, 2, "第二版（重放）"), _doc(42, 1, "另一条")])
    assert (gateway.backend.get("solutions", "41") or {})["title"] == "第二版（重放）"
    other_gateway.backend.upsert("solutions", [_doc(41, 3, "第三版")])
    assert indexed_version(gateway, 41) == 3
    # Within one batch the newest of the same id wins, whatever the order.
    gateway.backend.upsert("solutions", [_doc(43, 2, "新"), _doc(43, 1, "旧")])
    assert (gateway.backend.get("solutions", "43") or {})["title"] == "新"
    # A delete carries only the id and is never refused.
    gateway.backend.delete("solutions", ["41"])
    assert indexed_version(other_gateway, 41) is None


def test_index_check_repairs_an_index_ahead_of_the_database(
    session: Session, gateway: SearchGateway
) -> None:
    """A database restored from a backup is behind the index: the repair writes the
    database's (lower) version anyway, which a drain never would."""
    row = write_solution(session, title="烟花仓储监控")
    assert row.id is not None
    drain_all(session, gateway)
    gateway.backend.upsert("solutions", [_doc(row.id, 7, "来自未来的版本")])
    drift = index_check(session, gateway, repair=True)["solution"]
    assert drift.stale == [str(row.id)]
    assert indexed_version(gateway, row.id) == row.version
    assert all(d.clean for d in index_check(session, gateway, repair=False).values())
