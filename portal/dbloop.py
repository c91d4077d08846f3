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
import sqlite3
import weakref
from functools import partial
from typing import Any

import psycopg
from sqlalchemy import Row
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
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
# And the connections of the driver's own, for the plain reads (a visitor's stamps).
LOOP_PLAIN_POOL_SIZE = 5


class NotOnTheLoop(Exception):
    """This read is to be made through the request's session, in a worker thread."""


class Plain:
    """A statement whose rows are plain values (text, numbers: nothing for SQLAlchemy to
    make of them, no ORM entities), read on the loop through the driver itself. SQLAlchemy's
    execution of a statement costs more CPU than the driver's round trip (a third of a kept
    public page's on PostgreSQL: the README's thirteenth round), so a statement every request
    reads is compiled once per database and sent as it is."""

    __slots__ = ("_compiled", "statement")

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple[str, dict[str, Any], tuple[str, ...] | None]] = {}

    def compiled(self, dialect: Dialect) -> tuple[str, dict[str, Any], tuple[str, ...] | None]:
        """The SQL for ``dialect``, its parameters' own values, and the names of its
        positional parameters in order (None where the driver takes them by name)."""
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            assert isinstance(compiled, SQLCompiler)  # a statement, not DDL
            positions = tuple(compiled.positiontup) if compiled.positiontup else None
            found = (str(compiled), dict(compiled.params), positions)
            self._compiled[dialect.name] = found
        return found

    def arguments(self, dialect: Dialect, params: dict[str, Any]) -> tuple[str, Any]:
        sql, own, positions = self.compiled(dialect)
        values = {**own, **params}
        return sql, values if positions is None else tuple(values[name] for name in positions)


class _DriverPool:
    """psycopg's own async connections, for :class:`Plain` reads: at most ``size`` open, each
    reused while it answers; a read beyond them waits for one (on the loop). A connection
    whose read failed or was interrupted (a client gone mid-read) is in no known state:
    closed, not reused."""

    def __init__(self, engine: Engine, size: int) -> None:
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        options = " ".join(filter(None, (kwargs.pop("options", None), _READ_ONLY)))
        self._connect = partial(
            psycopg.AsyncConnection.connect, *args, **kwargs, autocommit=True, options=options
        )
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._slots = asyncio.Semaphore(size)

    async def fetch(self, sql: str, params: Any) -> list[tuple[Any, ...]]:
        async with self._slots:
            connection = self._idle.pop() if self._idle else await self._connect()
            try:
                async with connection.cursor() as cursor:
                    await cursor.execute(sql, params)
                    rows = await cursor.fetchall()
            except BaseException:
                connection.pgconn.finish()
                raise
            self._idle.append(connection)
            return rows

    async def close(self) -> None:
        while self._idle:
            await self._idle.pop().close()


# Each statement is its own transaction (autocommit), and each is read-only.
_READ_ONLY = "-c default_transaction_read_only=on"


class _PostgresReader:
    def __init__(self, engine: Engine) -> None:
        self.source = engine
        self.engine: AsyncEngine = create_async_engine(
            engine.url,
            isolation_level="AUTOCOMMIT",
            pool_size=LOOP_POOL_SIZE,
            max_overflow=LOOP_POOL_OVERFLOW,
            execution_options={LOOP_READ: True},
            connect_args={"options": _READ_ONLY},
        )
        self.plain = _DriverPool(engine, LOOP_PLAIN_POOL_SIZE)

    async def first(self, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        async with AsyncSession(self.engine, expire_on_commit=False) as session:
            result = await session.execute(statement, params)
            return result.first()

    async def plain_rows(self, plain: Plain, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return await self.plain.fetch(*plain.arguments(self.source.dialect, params))

    async def close(self) -> None:
        await self.plain.close()
        await self.engine.dispose()


class _SqliteReader:
    """One connection of the loop's own, for SQLAlchemy's reads and the driver's alike."""

    def __init__(self, engine: Engine) -> None:
        self.source = engine
        (database,), options = engine.dialect.create_connect_args(engine.url)
        options.update(check_same_thread=False, isolation_level=None)  # autocommit
        self.connection = sqlite3.connect(database, **options)
        self.connection.execute("PRAGMA query_only=ON")
        self.connection.execute("PRAGMA busy_timeout=0")  # never wait on the loop
        self.engine = create_engine(
            engine.url,
            poolclass=StaticPool,
            creator=lambda: self.connection,
            execution_options={LOOP_READ: True},
        )

    async def first(self, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.execute(statement, params).first()

    async def plain_rows(self, plain: Plain, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return self.connection.execute(*plain.arguments(self.source.dialect, params)).fetchall()

    async def close(self) -> None:
        self.engine.dispose()
        self.connection.close()


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
    reader = await _reader_on(session)
    try:
        return await reader.first(statement, params)
    except (DBAPIError, PoolTimeout) as exc:
        log.info("read on the event loop failed, made in a worker thread: %s", exc)
        raise NotOnTheLoop(str(exc)) from exc


async def plain_rows(
    session: Session, plain: Plain, params: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """Every row of ``plain``, read as :func:`first` reads, through the driver itself."""
    reader = await _reader_on(session)
    try:
        return await reader.plain_rows(plain, params)
    except (psycopg.Error, sqlite3.Error) as exc:
        log.info("read on the event loop failed, made in a worker thread: %s", exc)
        raise NotOnTheLoop(str(exc)) from exc


async def _reader_on(session: Session) -> _Reader:
    bind = session.bind
    if not isinstance(bind, Engine) or session.in_transaction():
        raise NotOnTheLoop("the session is bound to a connection or already in a transaction")
    return await _reader_for(writes_on(bind))


async def close_loop_reader() -> None:
    """Close the running loop's reader and its connections (the app's lifespan, at exit)."""
    reader = _READERS.pop(asyncio.get_running_loop(), None)
    if reader is not None:
        await reader.close()
