"""Leases held in the database: work that must run once per stack, not once per process.

A lease is a row (name, holder, expires_at). :func:`acquire` takes it when it is free,
expired or already ours, in one statement (``INSERT … ON CONFLICT DO UPDATE … WHERE``), so
two processes asking at once never both get it; the holder renews it while it works and
releases it when done. A holder that dies stops renewing, and after ``ttl`` the lease is free.

Every call runs in a short write transaction of its own on ``bind`` (an engine, or the
test suite's connection), never in the caller's. On SQLite, do not call while the caller
holds a write transaction: the lease would wait for it.

Time is the application servers' clock (UTC); keep ``ttl`` far above the clock skew between
hosts. A lease is not a fence: a holder paused for longer than ``ttl`` may act after losing
it. Work under a lease calls :meth:`HeldLease.keep` right before each side effect, and where
it can makes the side effect safe on its own (the search index compares versions).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col

from portal.db import begin_write
from portal.kit.i18n import _
from portal.models import Lease, utcnow

log = logging.getLogger("portal.leases")
Bind = Engine | Connection
# INSERT … ON CONFLICT, spelled the same on both databases the portal runs on.
_INSERT: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class LeaseBusy(Exception):
    """Another holder kept the lease for longer than we would wait."""

    def __init__(self, name: str, holder: str | None) -> None:
        super().__init__(
            _("{name} 正由 {holder} 处理，请稍后重试").format(
                name=name, holder=holder or _("另一进程")
            )
        )
        self.name = name
        self.holder = holder


class LeaseLost(Exception):
    """The lease expired and someone else took it: stop before the next side effect."""


def new_holder() -> str:
    """A holder id naming this host and process, unique per call."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _session(bind: Bind) -> Session:
    # On a connection already in a transaction (the test suite's), work in a savepoint of it.
    return Session(bind, join_transaction_mode="create_savepoint", expire_on_commit=False)


def acquire(
    bind: Bind, name: str, *, holder: str, ttl: timedelta, now: datetime | None = None
) -> bool:
    """Take the lease ``name`` for ``ttl`` when it is free, expired or already ``holder``'s."""
    now = now or utcnow()
    values = {"name": name, "holder": holder, "expires_at": now + ttl}
    with _session(bind) as session:
        begin_write(session)
        dialect = session.get_bind().dialect.name
        if dialect not in _INSERT:  # pragma: no cover - the portal runs on these two
            raise NotImplementedError(f"leases on {dialect}")
        stmt = _INSERT[dialect](Lease).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[Lease.name],
            set_={"holder": stmt.excluded.holder, "expires_at": stmt.excluded.expires_at},
            where=or_(col(Lease.holder) == holder, col(Lease.expires_at) <= now),
        ).returning(col(Lease.holder))
        # No row comes back when the WHERE refused the update: someone else holds it.
        taken = session.execute(stmt).first() is not None
        session.commit()
    return taken


def renew(
    bind: Bind, name: str, *, holder: str, ttl: timedelta, now: datetime | None = None
) -> bool:
    """Extend ``holder``'s lease; False when it is no longer theirs."""
    now = now or utcnow()
    with _session(bind) as session:
        begin_write(session)
        renewed = (
            session.connection()
            .execute(
                update(Lease)
                .where(col(Lease.name) == name, col(Lease.holder) == holder)
                .values(expires_at=now + ttl)
            )
            .rowcount
        )
        session.commit()
    return bool(renewed)


def release(bind: Bind, name: str, *, holder: str) -> None:
    """Give the lease up, if it is still ``holder``'s."""
    with _session(bind) as session:
        begin_write(session)
        session.execute(delete(Lease).where(col(Lease.name) == name, col(Lease.holder) == holder))
        session.commit()


def holder_of(bind: Bind, name: str, *, now: datetime | None = None) -> str | None:
    """Who holds the lease now (None: nobody, or only an expired holder)."""
    now = now or utcnow()
    with _session(bind) as session:
        holder = session.execute(
            select(col(Lease.holder)).where(col(Lease.name) == name, col(Lease.expires_at) > now)
        ).scalar()
        session.commit()
    return holder


@dataclass
class HeldLease:
    """A lease we hold, to renew while working and to release at the end."""

    bind: Bind
    name: str
    holder: str
    ttl: timedelta
    expires_at: datetime

    def keep(self, *, now: datetime | None = None) -> None:
        """Call before each side effect: renews when less than half of ``ttl`` is left, so
        that at least that much remains; raises :class:`LeaseLost` when it was taken."""
        now = now or utcnow()
        if self.expires_at - now > self.ttl / 2:
            return
        if not renew(self.bind, self.name, holder=self.holder, ttl=self.ttl, now=now):
            raise LeaseLost(f"{self.name}：租约已过期并被其他进程接手")
        self.expires_at = now + self.ttl

    def release(self) -> None:
        try:
            release(self.bind, self.name, holder=self.holder)
        except SQLAlchemyError as exc:  # it expires by itself
            log.warning("could not release the lease %s: %s", self.name, exc)


def try_hold(
    bind: Bind,
    name: str,
    *,
    ttl: timedelta,
    holder: str | None = None,
    now: datetime | None = None,
) -> HeldLease | None:
    """The lease ``name`` if it can be had now, else None."""
    holder = holder or new_holder()
    now = now or utcnow()
    if not acquire(bind, name, holder=holder, ttl=ttl, now=now):
        return None
    return HeldLease(bind, name, holder, ttl, now + ttl)


def hold(
    bind: Bind,
    name: str,
    *,
    ttl: timedelta,
    wait: float,
    holder: str | None = None,
    poll: float = 0.1,
) -> HeldLease:
    """The lease ``name``, waiting up to ``wait`` seconds for its holder to finish."""
    deadline = time.monotonic() + wait
    while True:
        held = try_hold(bind, name, ttl=ttl, holder=holder)
        if held is not None:
            return held
        if time.monotonic() >= deadline:
            raise LeaseBusy(name, holder_of(bind, name))
        time.sleep(poll)
