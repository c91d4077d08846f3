"""The request's unit of work (``SessionDep``) as the app runs it, without the test
session the other tests put in its place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from portal.bootstrap import migrate
from portal.db import get_engine, write_on_read_path
from portal.deps import SessionDep
from portal.models import Meta
from tests.conftest import DB_KIND


@pytest.fixture
def client(data_dir: Path) -> Iterator[TestClient]:
    migrate(get_engine())
    app = FastAPI()

    @app.get("/unused")
    async def unused(session: SessionDep) -> str:
        return "ok"

    @app.get("/read")
    def read(session: SessionDep) -> JSONResponse:
        return JSONResponse(session.exec(select(Meta.value).where(Meta.key == "k")).all())

    @app.get("/touch")
    def touch(session: SessionDep) -> JSONResponse:
        """A read that writes a little on its way (as a session's last-seen time does)."""
        write_on_read_path(session, lambda: session.add(Meta(key="touched", value="yes")))
        return JSONResponse(session.exec(select(Meta.value).where(Meta.key == "k")).all())

    @app.post("/write")
    def write(session: SessionDep) -> None:
        session.add(Meta(key="k", value="kept"))

    @app.post("/fail")
    def fail(session: SessionDep) -> None:
        session.add(Meta(key="k", value="lost"))
        session.flush()
        raise RuntimeError("after the flush")

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_a_write_is_committed_and_a_failure_rolled_back(client: TestClient) -> None:
    assert client.post("/fail").status_code == 500
    assert client.get("/read").json() == []
    assert client.post("/write").status_code == 200
    assert client.get("/read").json() == ["kept"]
    assert get_engine().pool.checkedout() == 0  # every connection given back
    with Session(get_engine()) as session:
        assert session.get(Meta, "k") is not None


def test_a_session_never_used_costs_no_worker_thread(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening and closing a request's session that never reached the database is no
    database work: it takes no worker-thread hop (most visitors' requests carry one)."""
    hops: list[Any] = []
    run_sync = anyio.to_thread.run_sync

    async def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(func)
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    assert client.get("/unused").status_code == 200
    assert hops == []
    assert client.get("/read").status_code == 200
    if get_engine().dialect.name == "postgresql":
        assert len(hops) == 1  # the handler; the autocommitted read ends with no I/O
    else:
        assert len(hops) == 2  # the handler, then the commit and the connection given back


def _in_transaction_per_statement(engine: Engine) -> tuple[list[bool], Any]:
    """A list filled with whether each statement ``engine`` runs is inside a transaction
    (psycopg's autocommit off), and the listener to remove."""
    seen: list[bool] = []

    def note(conn: Any, *_: object) -> None:
        seen.append(not conn.connection.dbapi_connection.autocommit)

    event.listen(engine, "before_cursor_execute", note)
    return seen, note


@pytest.mark.skipif(DB_KIND != "postgresql", reason="PostgreSQL's autocommitted reads")
def test_postgresql_reads_autocommit_and_writes_keep_their_transaction(
    client: TestClient,
) -> None:
    """A read sends no BEGIN and no COMMIT (each statement is its own transaction, as
    READ COMMITTED reads anyway); a write, and the write a read makes on its way, run in a
    transaction, committed whole; the connections go back to the pool as they came."""
    engine = get_engine()
    seen, note = _in_transaction_per_statement(engine)
    try:
        assert client.get("/read").status_code == 200
        assert seen and not any(seen)
        seen.clear()
        assert client.post("/write").status_code == 200
        assert seen and all(seen)
        seen.clear()
        assert client.get("/touch").json() == ["kept"]
        # The write on the read path in a transaction; the read after it too (rare: it
        # stays on the engine of writes rather than switch back).
        assert seen and all(seen)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    with Session(engine) as session:
        assert session.get(Meta, "touched") is not None
    assert engine.pool.checkedout() == 0
    with engine.connect() as connection:  # a connection given back is in a transaction again
        assert not connection.connection.dbapi_connection.autocommit
