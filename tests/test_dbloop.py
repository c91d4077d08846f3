"""Reads on the event loop (portal.dbloop): committed rows, detached objects, read-only
connections, one reader per loop, and a refusal wherever the read belongs in a thread."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import Row, bindparam, inspect, text
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


def test_a_plain_read_returns_every_row_through_the_driver(
    committed_user: tuple[int, str],
) -> None:
    with session_scope(write=True) as db:
        more = [make_user(db) for _ in range(3)]
        db.flush()
        ids = sorted([committed_user[0], *(u.id for u in more if u.id is not None)])
    # A parameter of the statement's own (the email) and one given at each read (the id).
    after = dbloop.Plain(
        select(User.id, User.email)
        .where(col(User.id) > bindparam("after"), col(User.email) != "nobody@example.com")
        .order_by(col(User.id))
    )

    async def read() -> list[list[tuple[object, ...]]]:
        try:
            with Session(read_engine(get_engine())) as session:
                found = [await dbloop.plain_rows(session, after, {"after": n}) for n in ids[:2]]
                assert not session.in_transaction()
                return found
        finally:
            await dbloop.close_loop_reader()

    first, second = asyncio.run(read())
    assert [row[0] for row in first] == ids[1:] and [row[0] for row in second] == ids[2:]
    assert first[0] == (ids[1], more[0].email)  # plain tuples, as the driver reads them


def test_a_plain_read_never_writes(committed_user: tuple[int, str]) -> None:
    user_id, _ = committed_user
    rename = dbloop.Plain(text("UPDATE user_account SET display_name = 'x' WHERE id = :id"))

    async def write() -> None:
        try:
            with Session(get_engine()) as session:
                await dbloop.plain_rows(session, rename, {"id": user_id})
        finally:
            await dbloop.close_loop_reader()

    with pytest.raises(dbloop.NotOnTheLoop):
        asyncio.run(write())
    with Session(get_engine()) as session:
        assert session.get(User, user_id).display_name != "x"  # type: ignore[union-attr]


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


@pytest.mark.parametrize("through", ["sqlalchemy", "driver"])
def test_a_connection_the_server_dropped_fails_one_read_and_the_next_one_works(
    committed_user: tuple[int, str], through: str
) -> None:
    if get_engine().dialect.name != "postgresql":
        pytest.skip("a server to drop the connection: PostgreSQL")
    user_id, _ = committed_user
    plain = dbloop.Plain(select(User.id).where(col(User.id) == user_id))

    async def read() -> object:
        with Session(get_engine()) as session:
            if through == "driver":
                return (await dbloop.plain_rows(session, plain, {})) or None
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


def test_a_read_interrupted_mid_query_leaves_no_connection_behind_in_a_used_state(
    committed_user: tuple[int, str],
) -> None:
    """A client gone while its read waits on PostgreSQL: the connection, its query still
    running, is closed rather than given to the next read."""
    if get_engine().dialect.name != "postgresql":
        pytest.skip("a query that waits on the server: PostgreSQL")
    user_id, _ = committed_user
    slow = dbloop.Plain(text("SELECT pg_sleep(5)"))
    plain = dbloop.Plain(select(User.id).where(col(User.id) == user_id))

    async def scenario() -> list[tuple[object, ...]]:
        try:
            with Session(get_engine()) as session:
                await dbloop.plain_rows(session, plain, {})  # one connection, idle
                waiting = asyncio.create_task(dbloop.plain_rows(session, slow, {}))
                await asyncio.sleep(0.2)
                waiting.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await waiting
                return await dbloop.plain_rows(session, plain, {})
        finally:
            await dbloop.close_loop_reader()

    assert asyncio.run(scenario()) == [(user_id,)]
