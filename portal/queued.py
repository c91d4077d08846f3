"""Queued messages sent after the commit (mail, WeCom robots): one process at a time under a
database lease, each message marked in a transaction of its own right after the other side
took it, a failure counted and retried after 1, 2, 4 … minutes (at most an hour), nothing
dropped. :func:`attempt` is one such send; the callers decide what a failure means for the
rest of their round (a mail server that refuses one mail likely refuses the next; one
organisation's broken robot says nothing of the others')."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import update
from sqlmodel import Session, SQLModel, col

from portal import leases
from portal.db import begin_write
from portal.models import utcnow

RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)


@dataclass
class Tally:
    """What a round of sending did."""

    sent: int = 0
    failed: int = 0
    error: str | None = None
    skipped: bool = False  # another process held the lease, or this one is stopping


def retry_delay(attempts: int) -> timedelta:
    """How long a message that failed ``attempts`` times waits: 1, 2, 4 … minutes, at most
    an hour."""
    return min(RETRY_MAX, RETRY_FIRST * 2 ** min(attempts - 1, 16))


def mark(session: Session, model: type[SQLModel], row_id: int, **values: Any) -> None:
    """Write ``values`` on an unsent row, in a write transaction of its own."""
    table: Any = model
    begin_write(session)
    session.execute(
        update(table).where(col(table.id) == row_id, col(table.sent_at).is_(None)).values(**values)
    )
    session.commit()


def attempt(
    session: Session,
    lease: leases.HeldLease,
    model: type[SQLModel],
    *,
    row_id: int,
    attempts: int,
    send: Callable[[], None],
    tally: Tally,
    now: datetime,
    log: logging.Logger,
    label: str,
    to: str = "",
) -> Literal["sent", "failed", "lost"]:
    """Send one queued row (``send()``) and mark it sent, or failed and due again later;
    "lost" when the lease was lost first (nothing sent: the new holder sends it). Logged as
    ``label`` (a failure names the recipient ``to`` too)."""
    try:
        lease.keep()  # still ours, with time to spare for this send
    except leases.LeaseLost as exc:
        log.warning("%s: delivery stopped: %s", label, exc)
        tally.skipped = True
        return "lost"
    try:
        send()
    except Exception as exc:  # refused, unreachable, or an answer that is not a yes
        error = str(exc)[:500] or type(exc).__name__
        mark(
            session,
            model,
            row_id,
            attempts=attempts + 1,
            last_error=error,
            next_attempt_at=now + retry_delay(attempts + 1),
        )
        log.warning("%s%s failed (attempt %d): %s", label, to and f" to {to}", attempts + 1, error)
        tally.failed += 1
        tally.error = error
        return "failed"
    mark(session, model, row_id, attempts=attempts + 1, last_error=None, sent_at=utcnow())
    log.info("%s sent (attempt %d)", label, attempts + 1)
    tally.sent += 1
    return "sent"
