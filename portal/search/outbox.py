"""The outbox: index changes recorded in the same transaction as the change itself."""

from __future__ import annotations

from typing import Literal

from sqlmodel import Session

from portal.models import OutboxEvent

Entity = Literal["solution", "demand", "use_case"]


def enqueue(
    session: Session, *, entity: Entity, entity_id: int, version: int, op: str = "upsert"
) -> None:
    session.add(OutboxEvent(entity=entity, entity_id=entity_id, version=version, op=op))
