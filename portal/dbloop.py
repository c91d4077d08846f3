"""Reads on the event loop (issue 19), without a worker thread: a signed-in read's one
query (its session, user and stamps), and the stamps a visitor's kept page stands on.

A request's unit of work (:mod:`portal.db`) is a synchronous session: its database calls run
in worker threads, and each hop to one cost 0.3–0.5 ms of CPU under load on two cores (the
README's eleventh and twelfth rounds), more than the query. A read whose only database work
is that query (a kept page, the match API of a ranking already made) now makes it here,
through the driver itself: SQLAlchemy's execution of a statement (its asyncio layer, the
ORM's session, the pool) cost more CPU than the round trip, a third of a kept public page's
on PostgreSQL (the README's thirteenth round). A statement read here is a :class:`Plain`,
compiled once per database by SQLAlchemy and then sent as it is:

- **PostgreSQL**: psycopg's async connections, a pool of the loop's own, each statement its
  own read-only transaction (autocommit, ``default_transaction_read_only``): the loop waits
  on the socket and serves other requests meanwhile.
- **SQLite**: a connection of the loop's own, read-only (``PRAGMA query_only``) and without
  a busy wait: in WAL mode a reader takes no lock a writer holds, so a read of the local
  file is computation like rendering a template, and runs on the loop the same way. The
  rare busy answer (another process recovering the WAL) is a failure, below.

Each event loop has its reader (a driver's async connection belongs to the loop it was
made on), made at its first read and closed by :func:`close_loop_reader` (the app's
lifespan). Values come back as SQLAlchemy would give them (its result processing per
column type: JSON, dates on SQLite), and :func:`detached` makes a model's object of its
columns, as a closed session leaves what it loaded: the models have no relationships, so
nothing is loaded from them later.

Whatever stops a read here (a session bound to the test suite's connection, a database
without a reader, a connection the server dropped, a busy file) raises
:class:`NotOnTheLoop`: the caller makes the read in a worker thread, as before.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import weakref
from collections.abc import Callable, Sequence
from functools import cache, partial
from typing import Any, TypeVar

import psycopg
from sqlalchemy import ColumnElement
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import class_mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session, SQLModel

from portal.db import writes_on

log = logging.getLogger("portal.db")

# The loop's own PostgreSQL connections: a read holds one for a round trip. Requests in
# flight beyond the pool wait for one (on the loop, without blocking it): a connection
# opened for a burst and closed after it is a new server process each time, which under
# load cost more than the thread it saves (the README's twelfth round).
LOOP_POOL_SIZE = 10

M = TypeVar("M", bound=SQLModel)
_Processor = Callable[[Any], Any] | None


class NotOnTheLoop(Exception):
    """This read is to be made through the request's session, in a worker thread."""


class Plain:
    """A statement read on the loop through the driver: compiled once per database, its
    rows given back as tuples, each value processed as SQLAlchemy's result would."""

    __slots__ = ("_compiled", "statement")

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = _Compiled(self.statement, dialect)
        return found


class _Compiled:
    """A statement's SQL for one database, its parameters' own values, the names of its
    positional parameters in order (None where the driver takes them by name), and each
    column's result processor."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)  # a statement, not DDL
        self.sql = str(compiled)
        self.own = dict(compiled.params)
        self.positions = tuple(compiled.positiontup) if compiled.positiontup else None
        columns = getattr(statement, "selected_columns", ())
        processors = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        self.processors: tuple[_Processor, ...] | None = (
            tuple(processors) if any(processors) else None
        )

    def arguments(self, params: dict[str, Any]) -> tuple[str, Any]:
        values = {**self.own, **params}
        if self.positions is not None:
            return self.sql, tuple(values[name] for name in self.positions)
        return self.sql, values

    def processed(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        processors = self.processors
        if processors is None:
            return rows
        return [
            tuple(
                v if p is None or v is None else p(v) for p, v in zip(processors, row, strict=True)
            )
            for row in rows
        ]


def columns_of(model: type[SQLModel]) -> tuple[ColumnElement[Any], ...]:
    """The columns of ``model``'s table, in the order :func:`detached` takes their values."""
    return _layout(model)[0]


@cache
def _layout(
    model: type[SQLModel],
) -> tuple[tuple[ColumnElement[Any], ...], tuple[str, ...], tuple[int, ...]]:
    """``model``'s table columns, the attribute each is mapped to, and where its primary key
    stands among them: looked up once, not at every read."""
    mapper = class_mapper(model)
    columns = tuple(mapper.local_table.columns)
    keys = tuple(mapper.get_property_by_column(column).key for column in columns)
    primary_key = tuple(
        i for i, column in enumerate(columns) if any(column is k for k in mapper.primary_key)
    )
    return columns, keys, primary_key


def detached(model: type[M], values: Sequence[Any]) -> M | None:
    """The object of ``model`` whose columns (:func:`columns_of`) hold ``values``, as a
    session that loaded it leaves it once closed: detached, nothing pending. None when its
    primary key is empty (the outer side of a join found no row)."""
    columns, keys, primary_key = _layout(model)
    if len(values) != len(columns):
        raise ValueError(f"{model.__name__} has {len(columns)} columns, not {len(values)}")
    if all(values[i] is None for i in primary_key):
        return None
    instance: M = class_mapper(model).class_manager.new_instance()
    for key, value in zip(keys, values, strict=True):
        set_committed_value(instance, key, value)
    make_transient_to_detached(instance)
    return instance


class _PostgresReader:
    """psycopg's own async connections: at most :data:`LOOP_POOL_SIZE` open, each reused
    while it answers. A connection whose read failed or was interrupted (a client gone
    mid-read) is in no known state: closed, not reused."""

    def __init__(self, engine: Engine) -> None:
        self.source = engine
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        # Each statement is its own transaction (autocommit), and each is read-only.
        read_only = "-c default_transaction_read_only=on"
        options = " ".join(filter(None, (kwargs.pop("options", None), read_only)))
        self._connect = partial(
            psycopg.AsyncConnection.connect, *args, **kwargs, autocommit=True, options=options
        )
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._slots = asyncio.Semaphore(LOOP_POOL_SIZE)

    async def rows(self, sql: str, params: Any) -> list[tuple[Any, ...]]:
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


class _SqliteReader:
    def __init__(self, engine: Engine) -> None:
        self.source = engine
        (database,), options = engine.dialect.create_connect_args(engine.url)
        # Each statement its own transaction; never waiting for a lock on the loop.
        options.update(check_same_thread=False, isolation_level=None)
        self.connection = sqlite3.connect(database, **options)
        self.connection.execute("PRAGMA query_only=ON")
        self.connection.execute("PRAGMA busy_timeout=0")

    async def rows(self, sql: str, params: Any) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, params).fetchall()

    async def close(self) -> None:
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


async def rows(session: Session, plain: Plain, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every row of ``plain``, read on the event loop from the database ``session`` is bound
    to (committed data only: ``session`` must not have written yet)."""
    bind = session.bind
    if not isinstance(bind, Engine) or session.in_transaction():
        raise NotOnTheLoop("the session is bound to a connection or already in a transaction")
    engine = writes_on(bind)
    reader = await _reader_for(engine)
    compiled = plain.compiled(engine.dialect)
    try:
        found = await reader.rows(*compiled.arguments(params))
    except (psycopg.Error, sqlite3.Error) as exc:
        log.info("read on the event loop failed, made in a worker thread: %s", exc)
        raise NotOnTheLoop(str(exc)) from exc
    return compiled.processed(found)


async def close_loop_reader() -> None:
    """Close the running loop's reader and its connections (the app's lifespan, at exit)."""
    reader = _READERS.pop(asyncio.get_running_loop(), None)
    if reader is not None:
        await reader.close()
