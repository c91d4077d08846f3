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
from sqlmodel import Session, select

from portal.bootstrap import migrate
from portal.db import get_engine
from portal.deps import SessionDep
from portal.models import Meta


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
    assert len(hops) == 2  # the handler, then the commit and the connection given back
