"""Reads on the event loop (issue 19), without a worker thread: a signed-in read's one
query (its session and user), and the stamps a visitor's kept page stands on.

A request's unit of work (:mod:`portal.db`) is a synchronous session: its database calls run
in worker threads, and each hop to one cost 0.3–0.5 ms of CPU under load on two cores (the
README's eleventh and twelfth rounds), more than the query. A read whose only database work
is that query (a kept page, the match API of a ranking already made) now makes it here:

- **PostgreSQL**: SQLAlchemy's asyncio engine over psycopg's async connection, committing
  each statement (as :func:`portal.db.read_engine`) in a read-only transaction, with a pool
  of its own: the loop waits on the socket and serves other requests meanwhile.
- **SQLite**: a connection of the loop's own, read-only (``PRAGMA query_only``) and without
  a busy wait: in WAL mode a reader takes no lock a writer holds, so a read of the local
  file is computation like rendering a template, and runs on the loop the same way. The
  rare busy answer (another process recovering the WAL) is a failure, below.

Each event loop has its reader (a driver's async connection belongs to the loop it was
made on), made at its first read and closed by :func:`close_loop_reader` (the app's
lifespan). Rows come back with their ORM objects detached: the models have no
relationships, so nothing is loaded from them later.

Whatever stops a read here (a session bound to the test suite's connection, a database
without a reader, a pooled connection the server dropped, a busy file) raises
:class:`NotOnTheLoop`: the caller makes the read in a worker thread, as before.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Result, Row, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import Executable
from sqlmodel import Session, create_engine

from portal.db import writes_on

log = logging.getLogger("portal.db")

# The execution option that marks the loop's own connections (the test suite's check that
# nothing else reads or writes on the event loop lets them through).
LOOP_READ = "portal_loop_read"
# The loop's own PostgreSQL connections: a read holds one for a round trip. Requests in
# flight beyond the pool wait for one (on the loop, without blocking it): an overflow
# connection would be opened and closed again at each burst, a new server process each time,
# which under load cost more than the thread it saves.
LOOP_POOL_SIZE = 10
LOOP_POOL_OVERFLOW = 0


# What a read takes from its result, before the connection goes back to the pool.
_Take = Callable[[Result[Any]], Sequence[Row[Any]]]


class NotOnTheLoop(Exception):
    """This read is to be made through the request's session, in a worker thread."""


class _PostgresReader:
    def __init__(self, engine: Engine) -> None:
        self.source = engine
        self.engine: AsyncEngine = create_async_engine(
            engine.url,
            isolation_level="AUTOCOMMIT",
            pool_size=LOOP_POOL_SIZE,
            max_overflow=LOOP_POOL_OVERFLOW,
            execution_options={LOOP_READ: True},
            # Each statement is its own transaction (autocommit), and each is read-only.
            connect_args={"options": "-c default_transaction_read_only=on"},
        )

    async def rows(
        self, statement: Executable, params: dict[str, Any], take: _Take
    ) -> Sequence[Row[Any]]:
        async with AsyncSession(self.engine, expire_on_commit=False) as session:
            return take(await session.execute(statement, params))

    async def close(self) -> None:
        await self.engine.dispose()


class _SqliteReader:
    def __init__(self, engine: Engine) -> None:
        self.source = engine
        self.engine = create_engine(
            engine.url,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            execution_options={LOOP_READ: True},
        )

        @event.listens_for(self.engine, "connect")
        def _read_only(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # each statement its own transaction
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only=ON")
            cursor.execute("PRAGMA busy_timeout=0")  # never wait on the loop
            cursor.close()

    async def rows(
        self, statement: Executable, params: dict[str, Any], take: _Take
    ) -> Sequence[Row[Any]]:
        with Session(self.engine, expire_on_commit=False) as session:
            return take(session.execute(statement, params))

    async def close(self) -> None:
        self.engine.dispose()


_Reader = _PostgresReader | _SqliteReader
_READERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Reader] = (
    weakref.WeakKeyDictionary()
)


def _reader_kind(engine: Engine) -> type[_PostgresReader] | type[_SqliteReader] | None:
    url = engine.url
    if url.get_backend_name() == "postgresql" and url.get_driver_name() == "psycopg":
        return _PostgresReader
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return _SqliteReader
    return None


async def _reader_for(engine: Engine) -> _Reader:
    loop = asyncio.get_running_loop()
    reader = _READERS.get(loop)
    if reader is not None and reader.source is engine:
        return reader
    kind = _reader_kind(engine)
    if kind is None:
        raise NotOnTheLoop(f"no loop reader for {engine.url.drivername}")
    if reader is not None:  # the configured database changed (the test suite's fixtures)
        await reader.close()
    reader = _READERS[loop] = kind(engine)
    return reader


async def first(session: Session, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
    """The first row of ``statement``, read on the event loop from the database ``session``
    is bound to (committed data only: ``session`` must not have written yet)."""
    found = await _read(session, statement, params, _first)
    return found[0] if found else None


async def rows(
    session: Session, statement: Executable, params: dict[str, Any]
) -> Sequence[Row[Any]]:
    """Every row of ``statement``, read as :func:`first` reads."""
    return await _read(session, statement, params, _all)


def _first(result: Result[Any]) -> Sequence[Row[Any]]:
    row = result.first()  # fetches one row and closes the cursor
    return () if row is None else (row,)


def _all(result: Result[Any]) -> Sequence[Row[Any]]:
    return result.all()


async def _read(
    session: Session, statement: Executable, params: dict[str, Any], take: _Take
) -> Sequence[Row[Any]]:
    bind = session.bind
    if not isinstance(bind, Engine) or session.in_transaction():
        raise NotOnTheLoop("the session is bound to a connection or already in a transaction")
    reader = await _reader_for(writes_on(bind))
    try:
        return await reader.rows(statement, params, take)
    except (DBAPIError, PoolTimeout) as exc:
        log.info("read on the event loop failed, made in a worker thread: %s", exc)
        raise NotOnTheLoop(str(exc)) from exc


async def close_loop_reader() -> None:
    """Close the running loop's reader and its connections (the app's lifespan, at exit)."""
    reader = _READERS.pop(asyncio.get_running_loop(), None)
    if reader is not None:
        await reader.close()
