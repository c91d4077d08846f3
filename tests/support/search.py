"""Put rows made by the factories into the test's search index, as the outbox would."""

from __future__ import annotations

from sqlmodel import Session

from portal.models import Demand, Solution, UseCase
from portal.search.gateway import SearchGateway
from portal.search.outbox import enqueue
from portal.search.sync import drain_all

_ENTITY = {Solution: "solution", Demand: "demand", UseCase: "use_case"}


def index(session: Session, gateway: SearchGateway, *rows: Solution | Demand | UseCase) -> None:
    for row in rows:
        assert row.id is not None
        enqueue(session, entity=_ENTITY[type(row)], entity_id=row.id, version=row.version)  # type: ignore[arg-type]
    session.flush()
    result = drain_all(session, gateway)
    assert result.error is None, result.error
