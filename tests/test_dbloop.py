"""Reads on the event loop (portal.dbloop): committed rows through the drivers, values as
SQLAlchemy gives them, detached objects like the ORM's, read-only connections, one reader per
loop, and a refusal wherever the read belongs in a thread."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, inspect, text
from sqlmodel import Session, col, select

from portal import dbloop
from portal.auth.sessions import hash_id
from portal.bootstrap import ensure_ready
from portal.clock import aware
from portal.db import get_engine, read_engine, session_scope
from portal.models import User, WebSession
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


def _by_id(user_id: int) -> dbloop.Plain:
    return dbloop.Plain(select(*dbloop.columns_of(User)).where(col(User.id) == user_id))


def _read(plain: dbloop.Plain, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """``plain`` read on a loop of its own, through the configured engine."""

    async def read() -> list[tuple[Any, ...]]:
        try:
            with Session(read_engine(get_engine())) as session:
                found = await dbloop.rows(session, plain, params or {})
                assert not session.in_transaction()  # the request's session stayed untouched
                return found
        finally:
            await dbloop.close_loop_reader()

    return asyncio.run(read())


def test_a_read_on_the_loop_gives_the_objects_a_closed_session_leaves(
    committed_user: tuple[int, str],
) -> None:
    user_id, email = committed_user
    threads: list[threading.Thread] = []

    async def read() -> list[tuple[Any, ...]]:
        threads.append(threading.current_thread())
        with Session(read_engine(get_engine())) as session:
            return await dbloop.rows(session, _by_id(user_id), {})

    (values,) = asyncio.run(read())
    assert threads == [threading.main_thread()]  # on the loop's own thread
    user = dbloop.detached(User, values)
    with Session(get_engine()) as session:
        loaded = session.get(User, user_id)
        assert loaded is not None
    assert user is not None and inspect(user).detached and not inspect(user).modified
    assert inspect(user).identity == inspect(loaded).identity == (user_id,)
    assert user.model_dump() == loaded.model_dump() and user.email == email
    with Session(get_engine()) as session:  # usable as a loaded one: merged without a query
        assert session.merge(user, load=False).email == email


def test_values_come_back_as_sqlalchemy_gives_them(committed_user: tuple[int, str]) -> None:
    """JSON and dates, which SQLite keeps as text: processed per column type."""
    user_id, _ = committed_user
    with session_scope(write=True) as db:
        now = aware(db.get(User, user_id).created_at)  # type: ignore[union-attr]
        db.add(
            WebSession(
                id_hash=hash_id("loop-read"),
                user_id=user_id,
                csrf_token="t",
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=1),
                data={"步骤": [1, 2], "ok": True},
            )
        )
    found = _read(dbloop.Plain(select(*dbloop.columns_of(WebSession))))
    row = dbloop.detached(WebSession, found[0])
    assert row is not None
    assert row.data == {"步骤": [1, 2], "ok": True}
    assert aware(row.expires_at) == now + timedelta(hours=1)
    assert dbloop.detached(User, [None] * len(dbloop.columns_of(User))) is None  # no row


def test_a_read_takes_the_statements_own_parameters_and_those_given(
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
    first, second = (_read(after, {"after": n}) for n in ids[:2])
    assert [row[0] for row in first] == ids[1:] and [row[0] for row in second] == ids[2:]
    assert first[0] == (ids[1], more[0].email)


def test_the_loop_reads_but_never_writes(committed_user: tuple[int, str]) -> None:
    user_id, _ = committed_user
    rename = dbloop.Plain(text("UPDATE user_account SET display_name = 'x' WHERE id = :id"))
    with pytest.raises(dbloop.NotOnTheLoop):
        _read(rename, {"id": user_id})
    with Session(get_engine()) as session:
        assert session.get(User, user_id).display_name != "x"  # type: ignore[union-attr]


def test_a_session_bound_to_a_connection_or_in_a_transaction_reads_in_a_thread(
    session: Session, committed_user: tuple[int, str]
) -> None:
    user_id, _ = committed_user

    async def on(db: Session) -> None:
        await dbloop.rows(db, _by_id(user_id), {})

    with pytest.raises(dbloop.NotOnTheLoop):
        asyncio.run(on(session))  # the suite's session, bound to its connection
    with Session(get_engine()) as begun:
        begun.exec(select(User.id)).first()
        assert begun.in_transaction()
        with pytest.raises(dbloop.NotOnTheLoop):
            asyncio.run(on(begun))


def test_each_loop_has_its_reader_until_it_is_closed(committed_user: tuple[int, str]) -> None:
    user_id, _ = committed_user
    seen: list[object] = []

    async def twice() -> None:
        for _ in range(2):
            with Session(get_engine()) as session:
                assert await dbloop.rows(session, _by_id(user_id), {})
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
            return await dbloop.rows(session, _by_id(user_id), {})

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
            assert await read()
            await asyncio.to_thread(terminate_the_others)
            for _ in range(2):
                try:
                    outcomes.append("read" if await read() else "none")
                except dbloop.NotOnTheLoop:
                    outcomes.append("refused")
        finally:
            await dbloop.close_loop_reader()
        return outcomes

    assert asyncio.run(scenario()) == ["refused", "read"]


def test_a_read_interrupted_mid_query_leaves_the_next_read_a_working_connection(
    committed_user: tuple[int, str],
) -> None:
    """A client gone while its read waits on PostgreSQL: the next read is answered."""
    if get_engine().dialect.name != "postgresql":
        pytest.skip("a query that waits on the server: PostgreSQL")
    user_id, _ = committed_user
    slow = dbloop.Plain(text("SELECT pg_sleep(5)"))

    async def scenario() -> list[tuple[Any, ...]]:
        try:
            with Session(get_engine()) as session:
                await dbloop.rows(session, _by_id(user_id), {})  # one connection, idle
                waiting = asyncio.create_task(dbloop.rows(session, slow, {}))
                await asyncio.sleep(0.2)
                waiting.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await waiting
                return await dbloop.rows(session, _by_id(user_id), {})
        finally:
            await dbloop.close_loop_reader()

    (values,) = asyncio.run(scenario())
    assert values[0] == user_id
