"""The search outbox: index changes recorded in the same transaction as the change itself,
applied after the commit by the search drain (:class:`portal.search.sync.OutboxDrainer`),
which the commit wakes (:mod:`portal.outbox`)."""

from __future__ import annotations

from typing import Literal

from sqlmodel import Session

from portal import outbox
from portal.models import OutboxEvent
from portal.outbox import on_commit as on_commit  # who applies them asks to be woken here

Entity = Literal["solution", "demand", "use_case", "funding", "platform", "incubation"]


def enqueue(
    session: Session, *, entity: Entity, entity_id: int, version: int, op: str = "upsert"
) -> None:
    session.add(OutboxEvent(entity=entity, entity_id=entity_id, version=version, op=op))
    outbox.written(session)
