"""The outbox: index changes recorded in the same transaction as the change itself.

Whoever applies them (the drainer of this process) may ask to be told when a transaction
that wrote outbox rows has committed, so the index follows within moments instead of at
the next poll; other processes still find the rows by polling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from sqlalchemy import event
from sqlmodel import Session

from portal.models import OutboxEvent

Entity = Literal["solution", "demand", "use_case"]

_WROTE = "portal_outbox_written"  # session.info key: this transaction wrote outbox rows
_listeners: list[Callable[[], None]] = []


def enqueue(
    session: Session, *, entity: Entity, entity_id: int, version: int, op: str = "upsert"
) -> None:
    session.add(OutboxEvent(entity=entity, entity_id=entity_id, version=version, op=op))
    session.info[_WROTE] = True


def on_commit(listener: Callable[[], None]) -> Callable[[], None]:
    """Call ``listener`` after each commit that wrote outbox rows; returns the way to stop."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_WROTE, False):
        for listener in list(_listeners):
            listener()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_WROTE, None)
