"""Fixtures for the unit and integration suite.

The suite runs once per database: ``PORTAL_TEST_DB=sqlite`` (default) or ``postgresql``
(a throwaway cluster is started unless ``PORTAL_TEST_DATABASE_URL`` names one). Every test
gets a session inside a transaction that is rolled back afterwards.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matching.embedded import EmbeddedBackend
from portal.app import create_app
from portal.bootstrap import migrate
from portal.clock import FrozenClock
from portal.db import make_engine, unit_of_work
from portal.deps import SAFE_METHODS, get_search, get_session, request_clock
from portal.mail import Mail, Mailer, deliver_all
from portal.reference.service import load_reference
from portal.search.gateway import SearchGateway, get_pipeline
from portal.settings import Settings
from tests.support.pgcluster import ThrowawayCluster

DB_KIND = os.environ.get("PORTAL_TEST_DB", "sqlite")


def pytest_report_header(config: pytest.Config) -> str:
    return f"portal test database: {DB_KIND}"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[ThrowawayCluster | None]:
    if DB_KIND != "postgresql" or os.environ.get("PORTAL_TEST_DATABASE_URL"):
        yield None
        return
    cluster = ThrowawayCluster()
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def database_url(
    tmp_path_factory: pytest.TempPathFactory, pg_cluster: ThrowawayCluster | None
) -> str:
    if DB_KIND == "postgresql":
        if url := os.environ.get("PORTAL_TEST_DATABASE_URL"):
            return url
        assert pg_cluster is not None
        return pg_cluster.create_database("portal_suite")
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    with Session(engine) as session:
        load_reference(session)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def gateway(tmp_path: Path) -> SearchGateway:
    """A real embedded search backend in a fresh folder, with every index created."""
    gateway = SearchGateway(EmbeddedBackend(tmp_path / "index", prefix="test"), get_pipeline())
    gateway.ensure_indexes()
    return gateway


@pytest.fixture
def app() -> FastAPI:
    # No background drainer: tests drain the outbox themselves, inside their transaction.
    return create_app(background_sync=False)


@pytest.fixture(scope="session", autouse=True)
def _no_database_calls_on_the_event_loop() -> Iterator[None]:
    """A blocking database call on the event loop stalls every request of the process, and
    deadlocks it when the call waits for a lock held by a request that needs the loop to
    commit. Sync handlers and dependencies run in worker threads; async ones must not touch
    the database through SQLAlchemy: the loop's own reader (:mod:`portal.dbloop`) reads
    through the drivers, never waiting on a lock (SQLite) or waiting without blocking
    (PostgreSQL)."""

    def refuse(*_: object) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread, or no event loop at all
        raise AssertionError("a database call on the event loop (use a def handler/dependency)")

    event.listen(Engine, "before_cursor_execute", refuse)
    yield
    event.remove(Engine, "before_cursor_execute", refuse)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """argon2 at its lowest cost: the suite signs in hundreds of times. The cost parameters
    travel inside each hash, so verification stays the real argon2id code path."""
    from argon2 import PasswordHasher

    from portal.auth import passwords

    real = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = real


class RecordingMailer(Mailer):
    """Keeps sent mail in a list instead of sending or writing it. Reading ``sent`` first
    delivers what the test's transaction queued, through the real delivery code, as the
    outbox runner does after each commit."""

    def __init__(self, session: Session | None = None) -> None:
        super().__init__(Settings())
        self.session = session
        self.delivered: list[Mail] = []

    def send(self, mail: Mail) -> None:
        self.delivered.append(mail)

    @property
    def sent(self) -> list[Mail]:
        if self.session is not None:
            deliver_all(self.session, self)
        return self.delivered


@pytest.fixture
def clock() -> FrozenClock:
    """The time every request of ``client`` sees; tests move it with ``clock.advance``."""
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def mailbox(session: Session) -> RecordingMailer:
    return RecordingMailer(session)


@pytest.fixture
def client(
    app: FastAPI,
    session: Session,
    gateway: SearchGateway,
    clock: FrozenClock,
) -> Iterator[TestClient]:
    def _session_override(request: Request) -> Iterator[Session]:
        # The real unit of work, on the test's session (its commits release savepoints).
        yield from unit_of_work(session, write=request.method not in SAFE_METHODS)

    app.dependency_overrides[get_session] = _session_override
    app.dependency_overrides[get_search] = lambda: gateway
    app.dependency_overrides[request_clock] = lambda: clock
    # https, so that the Secure session cookie (__Host-) is kept and sent back.
    with TestClient(app, base_url="https://testserver") as client:
        yield client
    app.dependency_overrides.clear()


_fresh_databases = iter(range(1, 1_000_000))


@pytest.fixture
def data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_cluster: ThrowawayCluster | None
) -> Iterator[Path]:
    """A fresh data directory, and an empty database, for code that uses the configured
    engine (CLI, bootstrap): SQLite in it, or a new database in the throwaway cluster."""
    from portal.db import get_engine
    from portal.settings import get_settings

    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    if pg_cluster is not None:
        url = pg_cluster.create_database(f"fresh_{next(_fresh_databases)}")
        monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    else:
        monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    from portal.search.gateway import get_gateway

    get_settings.cache_clear()
    get_engine.cache_clear()
    get_gateway.cache_clear()
    yield tmp_path
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
    get_gateway.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_memos() -> None:
    """Each test starts with empty memos: tests share one database URL and roll back, so
    ids (and the stamps of a memo's key) come round again with other contents."""
    from portal import page_memo
    from portal.dashboards import cache
    from portal.matching import service as matching_service

    cache.clear()
    matching_service.forget_rankings()
    page_memo.forget()
