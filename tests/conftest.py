"""Fixtures for the unit and integration suite.

The suite runs once per database: ``PORTAL_TEST_DB=sqlite`` (default) or ``postgresql``
(a throwaway cluster is started unless ``PORTAL_TEST_DATABASE_URL`` names one). Every test
gets a session inside a transaction that is rolled back afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from portal.bootstrap import migrate
from portal.db import make_engine
from portal.deps import get_session
from portal.reference.service import load_reference
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
def client(session: Session) -> Iterator[TestClient]:
    from portal.main import app

    def _session_override() -> Iterator[Session]:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    app.dependency_overrides[get_session] = _session_override
    with TestClient(app) as client:
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
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield tmp_path
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
