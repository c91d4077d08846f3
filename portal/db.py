"""Database engine and sessions.

SQLite is the default (one file under the data directory); PostgreSQL is used when
``PORTAL_DATABASE_URL`` says so. On SQLite every connection runs in WAL mode with foreign
keys on and a busy timeout, and a write transaction starts with ``BEGIN IMMEDIATE`` so two
workers queue for the write lock instead of failing with "database is locked" half-way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import Any, TypeVar

from sqlalchemy import bindparam, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlmodel import Session, SQLModel, create_engine, select
from sqlmodel.sql.expression import SelectOfScalar

from portal.settings import get_settings

T = TypeVar("T", bound=SQLModel)

SQLITE_BUSY_TIMEOUT_MS = 15_000
# A process's PostgreSQL connections for its units of work (portal.dbloop has its own).
POOL_SIZE = 10
POOL_OVERFLOW = 10
# ``session.info`` key: the session serves a read (GET, HEAD, OPTIONS) and must not write.
READ_ONLY = "portal_read_only"
log = logging.getLogger("portal.db")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
    _ping_when_idle(engine)
    return engine


# A pooled PostgreSQL connection idle this long is checked before use (see below).
IDLE_PING_SECONDS = 10.0
_RETURNED_AT = "portal_returned_at"
_monotonic = time.monotonic  # tests move it


def _ping_when_idle(engine: Engine) -> None:
    """A connection back from the pool after :data:`IDLE_PING_SECONDS` or more is pinged
    first, and replaced when the ping fails (a restarted server, a firewall's idle timeout):
    the quiet hours' failures, found before a request meets them.

    A busy connection is not pinged. SQLAlchemy's ``pool_pre_ping`` pinged at every checkout:
    a round trip more for every request, as much as the request's own query on a signed-in
    page, for a check that a connection used a moment ago rarely needs. A connection that
    broke while busy fails its statement instead; SQLAlchemy then drops every connection of
    the pool opened before that moment, so one such failure per process replaces them all."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = _monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or _monotonic() - returned < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the driver's error, whatever the failure
            # The pool drops this connection and hands out another one (SQLAlchemy's
            # documented use of DisconnectionError in a checkout listener).
            raise DisconnectionError("an idle pooled connection failed its ping") from exc


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


def read_engine(engine: Engine) -> Engine:
    """The engine of a read request: on PostgreSQL, ``engine`` with each statement committed
    on its own (psycopg's autocommit), which saves the BEGIN and the COMMIT, two of a page's
    round trips. A read loses nothing by it: under READ COMMITTED each statement takes its
    own snapshot, in a transaction or not. A read that must write goes back to ``engine``
    (:func:`begin_write`). SQLite keeps its transactions (a read's snapshot is the whole
    transaction there)."""
    if engine.dialect.name != "postgresql":
        return engine
    return _autocommitting(engine)


# Each autocommitting engine, to the engine it was made from.
_WRITES_ON: dict[Engine, Engine] = {}


@cache
def _autocommitting(engine: Engine) -> Engine:
    reads = engine.execution_options(isolation_level="AUTOCOMMIT")
    _WRITES_ON[reads] = engine
    return reads


def writes_on(engine: Engine) -> Engine:
    """The configured engine behind ``engine``: itself, or the one a read's autocommitting
    engine (:func:`read_engine`) was made from."""
    return _WRITES_ON.get(engine, engine)


def autocommits(session: Session) -> bool:
    """Whether ``session`` reads through an autocommitting engine (:func:`read_engine`):
    then ending its work (the commit, giving the connection back) sends nothing to the
    database while nothing is pending."""
    return isinstance(session.bind, Engine) and session.bind in _WRITES_ON


# Building a statement and its cache key costs more than running it on a hot path (about
# 0.1 ms each, measured): the lookups every request makes use statements built once, with
# bound parameters (``session.exec(STATEMENT, params=…)``).


@cache
def _by_id(model: type[SQLModel]) -> SelectOfScalar[Any]:
    return select(model).where(model.id == bindparam("row_id"))  # type: ignore[attr-defined]


def row_by_id(session: Session, model: type[T], row_id: int) -> T | None:
    """``session.get(model, row_id)`` for a row not loaded yet in this session, through a
    statement built once."""
    found: T | None = session.exec(_by_id(model), params={"row_id": row_id}).first()
    return found


def bump_version(row: Any) -> None:
    """Count one more change of ``row``, in the database: ``UPDATE … SET version = version + 1``.
    Two edits of one row at once on PostgreSQL (READ COMMITTED) would otherwise both read the
    same number and write the same next one, and the search index, which keeps the newer
    version of a document, would keep whichever came first. Read ``row.version`` after the
    flush (it is loaded again then)."""
    row.version = type(row).version + 1


def begin_write(session: Session) -> None:
    """Start the session's transaction as a write transaction (``BEGIN IMMEDIATE`` on SQLite).
    A session bound to a connection (the test suite's) is already in its transaction."""
    if autocommits(session) and not session.in_transaction():
        # A read's autocommitting engine (:func:`read_engine`): a write needs a
        # transaction, on the engine it was made from.
        session.bind = _WRITES_ON[session.bind]  # type: ignore[index]
    if not isinstance(session.bind, Connection):
        session.connection(execution_options={"portal_write": True})


def unit_of_work(session: Session, *, write: bool) -> Generator[Session, None, None]:
    """A request's transaction: committed when the handler returns, rolled back on error.

    Used as a function-scoped dependency, so the commit happens before any byte of the
    response leaves: a failed commit is a 5xx, never a 2xx/3xx, and the page a redirect
    leads to sees what was written. A read (``write=False``) may not write at all, except
    through :func:`write_on_read_path`.
    """
    if write:
        begin_write(session)
    session.info[READ_ONLY] = not write
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(READ_ONLY, None)


class WriteOnReadPath(RuntimeError):
    """A read request tried to write; such writes go through :func:`write_on_read_path`."""


@event.listens_for(Session, "before_flush")
def _refuse_flush_on_read(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    if session.info.get(READ_ONLY) and (
        session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)
    ):
        raise WriteOnReadPath("a read request changed rows; use write_on_read_path")


@event.listens_for(Session, "do_orm_execute")
def _refuse_dml_on_read(state: ORMExecuteState) -> None:
    if state.session.info.get(READ_ONLY) and (
        state.is_insert or state.is_update or state.is_delete
    ):
        raise WriteOnReadPath("a read request ran an INSERT/UPDATE/DELETE; use write_on_read_path")


def write_on_read_path(session: Session, write: Callable[[], None]) -> bool:
    """A small write that a read needs (a session's last-seen time, a token's last use, the
    anonymous session of a sign-in form).

    In a write transaction it simply joins it. In a read transaction it never turns that
    transaction into a write one (on SQLite the upgrade fails once another connection has
    written since the read began, and no GET may fail because someone else writes): the read
    transaction ends (it wrote nothing), the write runs in a short write transaction of its
    own, committed at once, and the request reads on in a new transaction. When the write
    lock cannot be had, the write is skipped and False returned: these writes are best effort.
    """
    if not session.info.get(READ_ONLY):
        write()
        session.flush()
        return True
    try:
        become_write(session)
        write()
        session.commit()
        return True
    except OperationalError as exc:
        session.rollback()
        log.warning("write on a read path skipped: %s", exc)
        return False
    finally:
        session.info[READ_ONLY] = True


def become_write(session: Session) -> None:
    """End a read request's transaction (it wrote nothing) and go on in a write transaction.
    For :func:`write_on_read_path`, and for the few GET routes that change state by design
    (an OpenID sign-in's redirect and callback)."""
    if session.info.get(READ_ONLY):
        session.commit()
        session.info[READ_ONLY] = False
        begin_write(session)


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
