"""The search index under faults: a folder that cannot be written, a folder deleted at rest
or while the portal runs, and several processes draining one outbox into one index."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col

import portal.search.sync as sync
from matching.embedded import EmbeddedBackend
from matching.search import SearchUnavailable
from portal.bootstrap import ensure_ready
from portal.db import get_engine, session_scope
from portal.models import OutboxEvent, Solution
from portal.search.gateway import SearchGateway, get_gateway, get_pipeline, make_backend
from portal.search.outbox import enqueue
from portal.search.sync import (
    OutboxDrainer,
    drain_all,
    drain_once,
    ensure_search_ready,
    index_check,
    pending_count,
)
from portal.settings import get_settings
from tests.factories import make_org, make_solution
from tests.search.test_sync import search_titles, write_solution

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def unwritable(path: Path, *, recursive: bool) -> Iterator[None]:
    """Nothing can be created in ``path`` (nor, with ``recursive``, changed under it): the
    immutable attribute as root, who ignores permission bits; no write permission otherwise."""
    flags = ["-R"] if recursive else []
    if os.geteuid() == 0:
        if subprocess.run(["chattr", *flags, "+i", str(path)], capture_output=True).returncode:
            pytest.skip("chattr +i is not permitted here")
        undo = ["chattr", *flags, "-i", str(path)]
    else:
        subprocess.run(["chmod", *flags, "a-w", str(path)], check=True)
        undo = ["chmod", *flags, "u+w", str(path)]
    try:
        yield
    finally:
        subprocess.run(undo, check=True)


def live_folder(gateway: SearchGateway, index: str) -> Path:
    """The folder of the live generation of ``index`` (see matching.embedded's layout)."""
    backend = gateway.backend
    assert isinstance(backend, EmbeddedBackend)
    folder = backend.root / f"{backend.prefix}_{index}"
    return folder / (folder / "CURRENT").read_text().strip()


# --- an index that cannot be written ---------------------------------------------------


@pytest.mark.parametrize("recursive", [True, False], ids=["whole-tree", "live-folder"])
def test_an_index_that_cannot_be_written_is_degraded_and_said_so(
    client: TestClient, session: Session, gateway: SearchGateway, recursive: bool
) -> None:
    write_solution(session, title="陶瓷窑炉能耗监测")
    drain_all(session, gateway)
    assert client.get("/healthz").json()["search"]["status"] == "ok"
    assert isinstance(gateway.backend, EmbeddedBackend)
    target = gateway.backend.root if recursive else live_folder(gateway, "solutions")
    with unwritable(target, recursive=recursive):
        health = client.get("/healthz")
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "degraded", body
        assert body["search"]["status"] == "read_only"
        assert "不可写" in body["search"]["detail"]
        # A write is kept in the outbox; the drain says why it failed, and whose fault it is.
        write_solution(session, title="只读期间新增的方案")
        result = drain_once(session, gateway)
        assert result.error is not None
        assert "不可写" in result.error and "其他进程" not in result.error
        assert pending_count(session) == 1
        assert search_titles(gateway, "窑炉") == ["陶瓷窑炉能耗监测"]  # reads still work
        assert client.get("/healthz").json()["search"]["status"] == "read_only"
    drain_all(session, gateway)
    assert pending_count(session) == 0
    assert search_titles(gateway, "只读期间") == ["只读期间新增的方案"]
    assert client.get("/healthz").json()["status"] == "ok"


def test_a_failing_drain_makes_healthz_degraded(
    app: FastAPI, client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    """The drainer's last error in this process, and events another process failed to
    apply (their error is on the outbox row), both count."""

    drainer = OutboxDrainer(lambda: session, gateway)
    drainer.last_error = "索引写入失败：磁盘已满"  # what its last round reported
    app.state.drainer = drainer
    try:
        body = client.get("/healthz").json()
        assert body["status"] == "degraded" and body["search"]["status"] == "read_only"
        assert "磁盘已满" in body["search"]["detail"]
    finally:
        del app.state.drainer
    assert client.get("/healthz").json()["status"] == "ok"
    row = write_solution(session, title="另一进程未能写入的方案")
    session.flush()
    session.execute(
        update(OutboxEvent)
        .where(col(OutboxEvent.entity_id) == row.id)
        .values(attempts=1, last_error="索引目录不可写（另一进程的记录）")
    )
    body = client.get("/healthz").json()
    assert body["search"]["status"] == "read_only"
    assert "索引目录不可写" in body["search"]["detail"]
    drain_all(session, gateway)
    assert client.get("/healthz").json()["status"] == "ok"


# --- a deleted index folder --------------------------------------------------------------


def _committed_solution(title: str) -> int:
    with session_scope(write=True) as session:
        row = make_solution(session, org=make_org(session, kind="integrator"), title=title)
        assert row.id is not None
        enqueue(session, entity="solution", entity_id=row.id, version=row.version)
        return row.id


def test_a_deleted_index_folder_is_rebuilt_at_start(data_dir: Path) -> None:
    ensure_ready()
    _committed_solution("港口岸桥远控")
    gateway = get_gateway()
    ensure_search_ready(get_engine(), gateway)
    assert search_titles(gateway, "岸桥") == ["港口岸桥远控"]
    shutil.rmtree(data_dir / "index")
    # The next start (a new process: a new backend on the same folder).
    restarted = SearchGateway(make_backend(get_settings()), get_pipeline())
    ensure_search_ready(get_engine(), restarted)
    assert search_titles(restarted, "岸桥") == ["港口岸桥远控"]
    with Session(get_engine()) as session:
        assert pending_count(session) == 0
        assert all(d.clean for d in index_check(session, restarted, repair=False).values())


def test_a_folder_deleted_while_running_is_said_so_and_rebuilt(data_dir: Path) -> None:
    ensure_ready()
    _committed_solution("港口岸桥远控")
    gateway = get_gateway()
    ensure_search_ready(get_engine(), gateway)
    shutil.rmtree(data_dir / "index")
    with pytest.raises(SearchUnavailable, match="不存在"):
        search_titles(gateway, "岸桥")
    # Nothing pending: the drainer's next round notices and rebuilds from the database.
    drainer = OutboxDrainer(lambda: Session(get_engine()), gateway, probe_every=0)
    drainer.step()
    assert search_titles(gateway, "岸桥") == ["港口岸桥远控"]
    # With a change pending, the next drain rebuilds too, and applies it.
    shutil.rmtree(data_dir / "index")
    _committed_solution("矿山井下定位")
    with Session(get_engine()) as session:
        result = drain_once(session, gateway)
        assert result.error is None, result.error
        assert pending_count(session) == 0
        assert all(d.clean for d in index_check(session, gateway, repair=False).values())
    assert sorted(search_titles(gateway, "岸桥 定位")) == ["港口岸桥远控", "矿山井下定位"]


# --- several processes ----------------------------------------------------------------------


def _wait_for(condition: Any, what: str, *, seconds: float = 120) -> None:
    """Wait until ``condition()`` holds (other processes are working towards it)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def drain_loop(workdir: str, role: str) -> None:
    """Another process's drainer, run by the test below through ``python -c``: drain the
    configured outbox back to back until ``workdir/stop`` exists.

    The ``paused`` process stops after its first read of documents (it has read version 2)
    until the test says ``go``, and afterwards dawdles a little after every read, as a
    process descheduled on a busy machine would; it notes when the paused batch is through.
    The ``eager`` process starts draining when
    the test says ``start``, and notes when it found the outbox taken by the other."""
    folder = Path(workdir)
    engine, gateway = get_engine(), get_gateway()
    ensure_search_ready(engine, gateway)
    (folder / f"ready-{role}").touch()
    if role == "paused":
        read = sync._documents

        def paused(*args: Any, **kwargs: Any) -> Any:
            docs = read(*args, **kwargs)
            if docs and not (folder / "read").exists():
                (folder / "read").touch()
                _wait_for((folder / "go").exists, "go")
            time.sleep(0.02)
            return docs

        sync._documents = paused
    else:
        _wait_for((folder / "start").exists, "start")
    while not (folder / "stop").exists():
        with Session(engine) as session:
            result = drain_once(session, gateway)
        if (folder / "read").exists() and role == "paused":
            (folder / "applied").touch()  # the batch read before the pause is through
        if getattr(result, "skipped", False):
            (folder / "skipped").touch()
        time.sleep(0.002)


def _edit(solution_id: int, n: int) -> None:
    with session_scope(write=True) as session:
        row = session.get(Solution, solution_id)
        assert row is not None
        row.title = f"多进程方案{solution_id}第{n}版"
        row.version += 1
        session.add(row)
        session.flush()
        enqueue(session, entity="solution", entity_id=solution_id, version=row.version)


def _pending() -> int:
    with Session(get_engine()) as session:
        return pending_count(session)


def test_two_processes_draining_one_outbox_leave_the_index_right(data_dir: Path) -> None:
    """Process P reads version 2 of some solutions and stalls; they are edited again
    (version 3); process E drains; P goes on. Before the lease, E applied version 3, P
    wrote version 2 over it, and nothing was left pending. Then a burst of edits while both
    drain freely. The index must end equal to the database with nothing pending."""
    ensure_ready()
    handshake = [_committed_solution(f"交接方案{i}") for i in range(4)]
    burst = [_committed_solution(f"并发方案{i}") for i in range(8)]
    ensure_search_ready(get_engine(), get_gateway())
    loops = [
        subprocess.Popen(
            [sys.executable, "-c", f"from {__name__} import drain_loop; drain_loop(*{args!r})"],
            cwd=ROOT,
            env=os.environ.copy(),
        )
        for args in [(str(data_dir), "paused"), (str(data_dir), "eager")]
    ]
    try:
        _wait_for(
            lambda: all((data_dir / f"ready-{r}").exists() for r in ("paused", "eager")), "ready"
        )
        for solution_id in handshake:
            _edit(solution_id, 2)
        _wait_for((data_dir / "read").exists, "P's read")
        for solution_id in handshake:
            _edit(solution_id, 3)
        (data_dir / "start").touch()
        _wait_for(lambda: _pending() == 0 or (data_dir / "skipped").exists(), "E's drain")
        (data_dir / "go").touch()
        _wait_for((data_dir / "applied").exists, "P's batch")
        for n in range(80):
            _edit(burst[n % len(burst)], n)
        _wait_for(lambda: _pending() == 0, "an empty outbox")
    finally:
        (data_dir / "go").touch()
        (data_dir / "start").touch()
        (data_dir / "stop").touch()
        codes = [loop.wait(60) for loop in loops]
    assert codes == [0, 0]
    gateway = get_gateway()
    with Session(get_engine()) as session:
        assert pending_count(session) == 0
        report = index_check(session, gateway, repair=False)
    assert all(d.clean for d in report.values()), report
