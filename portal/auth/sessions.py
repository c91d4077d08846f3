"""Server-side browser sessions.

The cookie holds a 128-bit random id (``__Host-`` prefix: Secure, Path=/, no Domain);
the database holds only its SHA-256. A session ends after ``idle`` without a request, or
``absolute`` after it began, whichever is first. Signing in always starts a new session
(a new id), signing out deletes it, and disabling a user deletes all of theirs.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from fastapi import Request
from sqlalchemy import ColumnElement, Select, bindparam, delete
from sqlalchemy.sql.selectable import ScalarSelect
from sqlmodel import Session, col, select

from portal import dbloop
from portal.clock import aware
from portal.db import write_on_read_path
from portal.models import User, WebSession
from portal.settings import Settings

SESSION_COOKIE = "__Host-portal_session"
# Anonymous sessions (holding only a CSRF token or an OIDC flow in progress) live briefly.
ANONYMOUS_LIFETIME = timedelta(hours=2)
# ``last_seen_at`` is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        return cls(
            idle=timedelta(minutes=settings.portal_session_idle_minutes),
            absolute=timedelta(hours=settings.portal_session_absolute_hours),
        )


def hash_id(raw_id: str) -> str:
    """SHA-256 of a secret shown once (session id, reset, verification and invitation
    tokens): only the digest is stored."""
    return hashlib.sha256(raw_id.encode()).hexdigest()


def create(
    session: Session,
    *,
    user_id: int | None,
    now: datetime,
    policy: SessionPolicy,
    ip: str | None = None,
    user_agent: str | None = None,
) -> tuple[str, WebSession]:
    raw_id = secrets.token_urlsafe(16)  # 16 bytes = 128 bits
    lifetime = policy.absolute if user_id is not None else min(policy.absolute, ANONYMOUS_LIFETIME)
    row = WebSession(
        id_hash=hash_id(raw_id),
        user_id=user_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        ip=ip,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(row)
    session.flush()
    return raw_id, row


def is_live(row: WebSession, *, now: datetime, policy: SessionPolicy) -> bool:
    return aware(row.expires_at) > now and aware(row.last_seen_at) + policy.idle > now


def load(
    session: Session, raw_id: str, *, now: datetime, policy: SessionPolicy
) -> WebSession | None:
    """The live session with this cookie value, touched now and then; None (and deleted)
    when expired."""
    found = load_with_user(session, raw_id, now=now, policy=policy)
    return found.row if found is not None else None


# What a signed-in page shows besides its user, counted by the query that loads the session
# (a round trip fewer per page): by name, a function of the user id column giving a
# correlated scalar subquery. Registered by the domains at import (the bell's count).
SESSION_COUNTS: dict[str, Callable[[Any], ScalarSelect[Any]]] = {}


def count_with_session(name: str, count: Callable[[Any], ScalarSelect[Any]]) -> None:
    SESSION_COUNTS[name] = count
    _with_user.cache_clear()
    _with_user_on_loop.cache_clear()


class Rider(NamedTuple):
    """Values any request of a session needs, whoever it is (issue 19: the data stamps
    that key the kept pages), read by the same query: ``columns`` (scalar subqueries of
    their own), and ``received``, which is given the session and what they read."""

    columns: tuple[ColumnElement[Any], ...]
    received: Callable[[Session, tuple[Any, ...]], None]


SESSION_RIDERS: dict[str, Rider] = {}


def read_with_session(name: str, rider: Rider) -> None:
    SESSION_RIDERS[name] = rider
    _with_user.cache_clear()
    _with_user_on_loop.cache_clear()


def _session_query(*leading: Any) -> Select[Any]:
    """The session and its user (``leading``), the registered counts and the riders'
    columns, by the session's id hash."""
    counts = [count(WebSession.user_id).label(name) for name, count in SESSION_COUNTS.items()]
    riders = [column for rider in SESSION_RIDERS.values() for column in rider.columns]
    return (
        select(*leading, *counts, *riders)
        .outerjoin(User, col(User.id) == col(WebSession.user_id))
        .where(col(WebSession.id_hash) == bindparam("id_hash"))
    )


@cache
def _with_user() -> Select[Any]:
    """The session's query, built once (portal.db)."""
    return _session_query(WebSession, User)


@cache
def _with_user_on_loop() -> dbloop.Plain:
    """The session's query for the loop's reader: the two tables' columns, then the rest."""
    columns = (*dbloop.columns_of(WebSession), *dbloop.columns_of(User))
    return dbloop.Plain(_session_query(*columns))


def _hand_over(session: Session, values: tuple[Any, ...]) -> None:
    """The riders' values (what the query read after the counts), to each rider."""
    start = 0
    for rider in SESSION_RIDERS.values():
        rider.received(session, values[start : start + len(rider.columns)])
        start += len(rider.columns)


class Loaded(NamedTuple):
    row: WebSession
    user: User | None
    counts: dict[str, int]  # SESSION_COUNTS for a signed-in session, else empty


def load_with_user(
    session: Session, raw_id: str, *, now: datetime, policy: SessionPolicy
) -> Loaded | None:
    """:func:`load`, with the session's user (None for an anonymous session) and the
    registered counts in the same query: every signed-in page needs them."""
    if not raw_id or len(raw_id) > 64:
        return None
    found = session.execute(_with_user(), params={"id_hash": hash_id(raw_id)}).first()
    if found is None:
        return None
    row = found[0]
    _hand_over(session, tuple(found[2 + len(SESSION_COUNTS) :]))
    if not is_live(row, now=now, policy=policy):
        expired = row
        write_on_read_path(session, lambda: session.delete(expired))
        return None
    if aware(row.last_seen_at) + TOUCH_EVERY <= now:
        _touch(session, row, now)
    return _loaded(row, found[1], tuple(found[2:]))


async def load_with_user_on_loop(
    session: Session, raw_id: str, *, now: datetime, policy: SessionPolicy
) -> Loaded | None:
    """:func:`load_with_user` for a read, its query made on the event loop
    (:mod:`portal.dbloop`): the objects come back detached, the riders' values go to
    ``session``. Raises :class:`~portal.dbloop.NotOnTheLoop` where :func:`load_with_user`
    would write (an expired session to delete, a session to touch) or the loop cannot read."""
    if not raw_id or len(raw_id) > 64:
        return None
    found = await dbloop.rows(session, _with_user_on_loop(), {"id_hash": hash_id(raw_id)})
    if not found:
        return None
    values = found[0]
    after_row = len(dbloop.columns_of(WebSession))
    after_user = after_row + len(dbloop.columns_of(User))
    row = dbloop.detached(WebSession, values[:after_row])
    assert row is not None  # the row the query found
    if not is_live(row, now=now, policy=policy) or aware(row.last_seen_at) + TOUCH_EVERY <= now:
        raise dbloop.NotOnTheLoop("the session is to be deleted or touched")
    _hand_over(session, values[after_user + len(SESSION_COUNTS) :])
    user = dbloop.detached(User, values[after_row:after_user])
    return _loaded(row, user, values[after_user:])


def _loaded(row: WebSession, user: User | None, rest: Sequence[Any]) -> Loaded:
    """What the query found: the session, its user, then the counts (and the riders)."""
    read = rest[: len(SESSION_COUNTS)]
    counts = dict(zip(SESSION_COUNTS, read, strict=True)) if user is not None else {}
    return Loaded(row, user, counts)


def _touch(session: Session, row: WebSession, now: datetime) -> None:
    """Best effort (a missed touch only delays the idle timeout), in a write transaction of
    its own when the request is a read."""

    def touch() -> None:
        row.last_seen_at = now
        session.add(row)

    write_on_read_path(session, touch)


def rotate(
    session: Session,
    current: WebSession | None,
    *,
    user_id: int,
    now: datetime,
    policy: SessionPolicy,
    ip: str | None,
    user_agent: str | None,
) -> tuple[str, WebSession]:
    """Sign-in: the session in use (anonymous or another user's) is dropped, a new id issued."""
    if current is not None:
        end(session, current)
    purge_expired(session, now=now, policy=policy)
    return create(session, user_id=user_id, now=now, policy=policy, ip=ip, user_agent=user_agent)


def end(session: Session, row: WebSession) -> None:
    session.delete(row)
    session.flush()


def end_all_for_user(session: Session, user_id: int) -> int:
    result = session.execute(delete(WebSession).where(col(WebSession.user_id) == user_id))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def count_for_user(session: Session, user_id: int, *, now: datetime, policy: SessionPolicy) -> int:
    rows = session.exec(select(WebSession).where(WebSession.user_id == user_id)).all()
    return sum(1 for r in rows if is_live(r, now=now, policy=policy))


def purge_expired(session: Session, *, now: datetime, policy: SessionPolicy) -> None:
    session.execute(
        delete(WebSession).where(
            (col(WebSession.expires_at) <= now)
            | (col(WebSession.last_seen_at) <= now - policy.idle)
        ),
        # SQLite hands back naive datetimes; let the database alone decide what matches.
        execution_options={"synchronize_session": False},
    )


# --- the cookie; written by portal.auth.middleware when the response starts -------------


def set_cookie(request: Request, raw_id: str) -> None:
    request.state.session_cookie = raw_id


def clear_cookie(request: Request) -> None:
    request.state.session_cookie = ""


def cookie_header(raw_id: str) -> str:
    if raw_id:
        return f"{SESSION_COOKIE}={raw_id}; Path=/; Secure; HttpOnly; SameSite=Lax"
    return (
        f"{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0; "
        "Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    )
