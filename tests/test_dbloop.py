"""Reads on the event loop (portal.dbloop): committed rows, detached objects, read-only
connections, one reader per loop, and a refusal wherever the read belongs in a thread."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import Row, inspect, text
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from portal import dbloop
from portal.bootstrap import ensure_ready
from portal.db import get_engine, read_engine, session_scope
from portal.models import User
from tests.factories import make_user


@pytest.fixture
def committed_user(data_dir: object) -> tuple[int, str]:
    """A fresh database through the configured engine, with one user committed."""
    ensure_ready()
    with session_scope(write=True) as db:
        user = make_user(db)
        db.flush()
        assert user.id is not None
        return user.id, user.email


def _by_id(user_id: int) -> SelectOfScalar[User]:
    return select(User).where(col(User.id) == user_id)


def test_a_read_on_the_loop_returns_committed_rows_with_their_objects_detached(
    committed_user: tuple[int, str],
) -> None:
    user_id, email = committed_user
    threads: list[threading.Thread] = []

    async def read() -> Row[Any] | None:
        threads.append(threading.current_thread())
        with Session(read_engine(get_engine())) as session:
            row = await dbloop.first(session, _by_id(user_id), {})
            assert not session.in_transaction()  # the request's session stayed untouched
        await dbloop.close_loop_reader()
        return row

    row = asyncio.run(read())
    assert row is not None
    user = row[0]
    assert user.email == email and inspect(user).detached
    assert threads == [threading.main_thread()]  # on the loop's own thread


def test_a_read_on_the_loop_returns_every_row_or_the_first(
    committed_user: tuple[int, str],
) -> None:
    with session_scope(write=True) as db:
        more = [make_user(db) for _ in range(2)]
        db.flush()
        ids = sorted([committed_user[0], *(u.id for u in more if u.id is not None)])
    everyone = select(User.id).order_by(col(User.id))

    async def read() -> tuple[list[int], list[int]]:
        try:
            with Session(read_engine(get_engine())) as session:
                rows = await dbloop.rows(session, everyone, {})
                first = await dbloop.first(session, everyone, {})
                none = await dbloop.first(session, _by_id(-1), {})
                assert none is None and first is not None
                return [row[0] for row in rows], [first[0]]
        finally:
            await dbloop.close_loop_reader()

    assert asyncio.run(read()) == (ids, ids[:1])


def test_the_loop_reads_but_never_writes(committed_user: tuple[int, str]) -> None:
    user_id, _ = committed_user

    async def write() -> None:
        try:
            with Session(get_engine()) as session:
                await dbloop.first(
                    session,
                    text("UPDATE user_account SET display_name = 'x' WHERE id = :id"),
                    {"id": user_id},
                )
        finally:
            await dbloop.close_loop_reader()

    with pytest.raises(dbloop.NotOnTheLoop):
        asyncio.run(write())
    with Session(get_engine()) as session:
        assert session.get(User, user_id).display_name != "x"  # type: ignore[union-attr]


def test_a_session_bound_to_a_connection_or_in_a_transaction_reads_in_a_thread(
    session: Session, committed_user: tuple[int, str]
) -> None:
    user_id, _ = committed_user

    async def on(db: Session) -> None:
        await dbloop.first(db, _by_id(user_id), {})

    with pytest.raises(dbloop.NotOnTheLoop):
        asyncio.run(on(session))  # the suite's session, bound to its connection
    with Session(get_engine()) as begun:
        begun.exec(select(func.count()).select_from(User)).one()
        assert begun.in_transaction()
        with pytest.raises(dbloop.NotOnTheLoop):
            asyncio.run(on(begun))


def test_each_loop_has_its_reader_until_it_is_closed(committed_user: tuple[int, str]) -> None:
    user_id, _ = committed_user
    seen: list[object] = []

    async def twice() -> None:
        for _ in range(2):
            with Session(get_engine()) as session:
                assert await dbloop.first(session, _by_id(user_id), {}) is not None
            seen.append(dbloop._READERS[asyncio.get_running_loop()])
        await dbloop.close_loop_reader()
        assert asyncio.get_running_loop() not in dbloop._READERS

    asyncio.run(twice())
    asyncio.run(twice())
    assert seen[0] is seen[1] and seen[2] is seen[3] and seen[0] is not seen[2]


def test_a_connection_the_server_dropped_fails_one_read_and_the_next_one_works(
    committed_user: tuple[int, str],
) -> None:
    if get_engine().dialect.name != "postgresql":
        pytest.skip("a server to drop the connection: PostgreSQL")
    user_id, _ = committed_user

    async def read() -> object:
        with Session(get_engine()) as session:
            return await dbloop.first(session, _by_id(user_id), {})

    def terminate_the_others() -> None:
        with session_scope(write=True) as db:
            db.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )

    async def scenario() -> list[str]:
        outcomes = []
        try:
            assert await read() is not None
            await asyncio.to_thread(terminate_the_others)
            for _ in range(2):
                try:
                    outcomes.append("read" if await read() is not None else "none")
                except dbloop.NotOnTheLoop:
                    outcomes.append("refused")
        finally:
            await dbloop.close_loop_reader()
        return outcomes

    assert asyncio.run(scenario()) == ["refused", "read"]
