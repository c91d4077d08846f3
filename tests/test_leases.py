"""Leases in the database: one holder at a time, taken over only once expired."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete

from portal import leases
from portal.models import Lease, utcnow

TTL = timedelta(seconds=30)


def test_one_holder_at_a_time(session: Session) -> None:
    bind = session.get_bind()
    now = utcnow()
    assert leases.acquire(bind, "job", holder="a", ttl=TTL, now=now)
    assert not leases.acquire(bind, "job", holder="b", ttl=TTL, now=now)
    assert leases.holder_of(bind, "job", now=now) == "a"
    # The holder takes it again (a renewal); another name is another lease.
    assert leases.acquire(bind, "job", holder="a", ttl=TTL, now=now + TTL / 2)
    assert leases.acquire(bind, "other-job", holder="b", ttl=TTL, now=now)
    # Renewed at now + TTL/2, it is still held at now + TTL.
    assert not leases.acquire(bind, "job", holder="b", ttl=TTL, now=now + TTL)
    assert leases.renew(bind, "job", holder="a", ttl=TTL, now=now + TTL)
    assert not leases.renew(bind, "job", holder="b", ttl=TTL, now=now + TTL)


def test_an_expired_lease_is_taken_over_and_the_old_holder_knows(session: Session) -> None:
    bind = session.get_bind()
    now = utcnow()
    assert leases.acquire(bind, "job", holder="a", ttl=TTL, now=now)
    later = now + TTL + timedelta(seconds=1)  # "a" died, or stopped renewing
    assert leases.holder_of(bind, "job", now=later) is None
    assert leases.acquire(bind, "job", holder="b", ttl=TTL, now=later)
    assert leases.holder_of(bind, "job", now=later) == "b"
    assert not leases.renew(bind, "job", holder="a", ttl=TTL, now=later)
    leases.release(bind, "job", holder="a")  # not a's any more: nothing happens
    assert leases.holder_of(bind, "job", now=later) == "b"
    leases.release(bind, "job", holder="b")
    assert leases.holder_of(bind, "job", now=later) is None
    assert leases.acquire(bind, "job", holder="a", ttl=TTL, now=later)


def test_a_held_lease_renews_itself_and_says_when_it_was_lost(session: Session) -> None:
    bind = session.get_bind()
    now = utcnow()
    held = leases.try_hold(bind, "job", ttl=TTL, now=now)
    assert held is not None
    assert leases.try_hold(bind, "job", ttl=TTL, now=now) is None  # another holder
    held.keep(now=now + TTL * 0.6)  # less than half left: renewed
    assert leases.holder_of(bind, "job", now=now + TTL * 1.2) == held.holder
    leases.release(bind, "job", holder=held.holder)  # as if it had expired and moved on
    assert leases.acquire(bind, "job", holder="someone-else", ttl=TTL, now=now)
    with pytest.raises(leases.LeaseLost):
        held.keep(now=now + TTL * 1.2)
    held.release()  # not its own any more: leaves the other holder alone
    assert leases.holder_of(bind, "job", now=now) == "someone-else"


def test_waiting_for_a_lease_gives_up_with_the_holder_named(session: Session) -> None:
    bind = session.get_bind()
    assert leases.acquire(bind, "job", holder="host:123:abc", ttl=TTL)
    with pytest.raises(leases.LeaseBusy, match="host:123:abc"):
        leases.hold(bind, "job", ttl=TTL, wait=0)


@pytest.fixture
def lease_name(engine: Engine) -> Iterator[str]:
    """A lease name of this test alone, in the committed database; removed afterwards."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    yield name
    with Session(engine) as session:
        session.execute(delete(Lease).where(col(Lease.name) == name))
        session.commit()


def test_processes_racing_for_a_lease_get_it_once(engine: Engine, lease_name: str) -> None:
    """Eight connections ask at the same instant, each in its own transaction: one wins."""
    racers = 8
    start = threading.Barrier(racers)
    won: list[str] = []

    def race(holder: str) -> None:
        start.wait()
        if leases.acquire(engine, lease_name, holder=holder, ttl=TTL):
            won.append(holder)

    threads = [threading.Thread(target=race, args=(f"racer-{i}",)) for i in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    assert leases.holder_of(engine, lease_name) == won[0]


def test_a_busy_search_index_says_so_in_the_requests_language(session: Session) -> None:
    from matching.search import SearchUnavailable
    from portal.kit.i18n import using
    from portal.search.sync import LEASE, outbox_lease

    assert leases.acquire(session.get_bind(), LEASE, holder="host:123:abc", ttl=TTL)
    with using("en"), pytest.raises(SearchUnavailable) as refused, outbox_lease(session, wait=0):
        pass
    assert str(refused.value) == (
        "Another process (host:123:abc) is updating the search index and did not finish "
        "within 0 seconds; please try again shortly"
    )
