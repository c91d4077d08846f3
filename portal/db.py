"""Database engine and sessions.

SQLite is the default (one file under the data directory); PostgreSQL is used when
``PORTAL_DATABASE_URL`` says so. On SQLite every connection runs in WAL mode with foreign
keys on and a busy timeout, and a write transaction starts with ``BEGIN IMMEDIATE`` so two
workers queue for the write lock instead of failing with "database is locked" half-way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from portal.settings import get_settings

SQLITE_BUSY_TIMEOUT_MS = 15_000


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("portal_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    if settings.database_url.startswith("sqlite"):
        settings.portal_data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.database_url)


def begin_write(session: Session) -> None:
    """Start the session's transaction as a write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
    session.connection(execution_options={"portal_write": True})


@contextmanager
def session_scope(*, write: bool = False, engine: Engine | None = None) -> Iterator[Session]:
    """A unit of work outside a request: commit on success, roll back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        if write:
            begin_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
