import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from portal.db import make_engine, session_scope


@pytest.fixture
def sqlite_engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.begin() as c:
        c.exec_driver_sql("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        c.exec_driver_sql("INSERT INTO counter VALUES (1, 0)")
    yield engine
    engine.dispose()


def test_sqlite_pragmas(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    with sqlite_engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_concurrent_read_modify_write_never_hits_database_is_locked(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    """Writers that read first and write later would deadlock under deferred BEGIN
    ("database is locked"); BEGIN IMMEDIATE makes them queue instead."""
    errors: list[Exception] = []

    def worker() -> None:
        for _ in range(15):
            try:
                with session_scope(write=True, engine=sqlite_engine) as session:
                    n = session.exec(text("SELECT n FROM counter WHERE id = 1")).scalar_one()  # type: ignore[call-overload]
                    time.sleep(0.002)
                    session.exec(text("UPDATE counter SET n = :n WHERE id = 1").bindparams(n=n + 1))  # type: ignore[call-overload]
            except Exception as exc:  # pragma: no cover - this is what the test looks for
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(sqlite_engine) as session:
        assert session.exec(text("SELECT n FROM counter")).scalar_one() == 60  # type: ignore[call-overload]


def test_rollback_on_error_keeps_nothing(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), session_scope(write=True, engine=sqlite_engine) as session:
        session.exec(text("UPDATE counter SET n = 99"))  # type: ignore[call-overload]
        raise RuntimeError("boom")
    with Session(sqlite_engine) as session:
        assert session.exec(text("SELECT n FROM counter")).scalar_one() == 0  # type: ignore[call-overload]


@pytest.fixture
def pg_engine(database_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A PostgreSQL engine of its own (pool and all), whose idle clock the test moves."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's pooled connections")
    from portal import db

    now = [1000.0]
    monkeypatch.setattr(db, "_monotonic", lambda: now[0])
    engine = make_engine(database_url)
    yield engine, now
    engine.dispose()


def _backend_pid(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as c:
        return int(c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _end_backend(database_url: str, pid: int) -> None:
    """What a restarted server or a firewall's idle timeout does to a pooled connection."""
    other = make_engine(database_url)
    try:
        with other.connect() as c:
            assert c.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar_one()
    finally:
        other.dispose()


def test_an_idle_pooled_connection_that_died_is_replaced_before_use(
    pg_engine, database_url: str
) -> None:  # type: ignore[no-untyped-def]
    from portal.db import IDLE_PING_SECONDS

    engine, now = pg_engine
    alive = _backend_pid(engine)
    now[0] += IDLE_PING_SECONDS
    with engine.connect() as c:  # pinged on its way out of the pool
        dbapi = c.connection.dbapi_connection
        assert dbapi is not None
        assert dbapi.info.backend_pid == alive  # it answered: kept
        assert dbapi.info.transaction_status.name == "IDLE"  # the ping left no transaction
    _end_backend(database_url, alive)
    now[0] += IDLE_PING_SECONDS
    # The pool's only connection failed its ping: the query runs on a new one.
    assert _backend_pid(engine) != alive


def test_a_connection_used_a_moment_ago_is_not_pinged(pg_engine, database_url: str) -> None:  # type: ignore[no-untyped-def]
    """No round trip more per request: a busy connection goes straight to its statement.
    One that died meanwhile fails that statement, and the pool then replaces it."""
    from sqlalchemy.exc import OperationalError

    engine, now = pg_engine
    dead = _backend_pid(engine)
    _end_backend(database_url, dead)
    now[0] += 1
    with pytest.raises(OperationalError), engine.connect() as c:
        c.exec_driver_sql("SELECT 1")
    assert _backend_pid(engine) != dead
