"""Keeping the search index in step with the database.

Every listing change writes an outbox row in its own transaction (:mod:`portal.search.outbox`).
The drainer applies pending rows in batches: it reads the *current* row for each changed id,
so applying an event twice, or late, leaves the index right (idempotent by id and version).
When the backend is down the events stay pending, with their attempts counted, and the
drainer backs off; nothing is lost. ``reindex`` rebuilds by swap; ``index_check`` compares
the index with the database and repairs drift.

These functions are job boundaries, like a request: they commit their own transactions.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from matching.search import SearchBackendError
from portal.models import Demand, Organization, OutboxEvent, Solution, UseCase, utcnow
from portal.search.documents import (
    INDEX_SETTINGS,
    EntityType,
    demand_document,
    solution_document,
    use_case_document,
)
from portal.search.gateway import SearchGateway

log = logging.getLogger("portal.search")
BATCH = 500
_MODELS: dict[EntityType, type[Solution] | type[Demand] | type[UseCase]] = {
    "solution": Solution,
    "demand": Demand,
    "use_case": UseCase,
}


def _core_name(name: str) -> str:
    """An organisation's name without a trailing parenthetical (（示例）, （湖南移动） …)."""
    return re.sub(r"[（(][^）)]*[）)]$", "", name.strip())


def track_records(session: Session, orgs: Iterable[Organization]) -> dict[int, dict[str, int]]:
    """Benchmark cases per industry that name each organisation among their providers."""
    cases = session.exec(select(UseCase.industry, UseCase.providers)).all()
    out: dict[int, dict[str, int]] = {}
    for org in orgs:
        if org.id is None:
            continue
        core = _core_name(org.name)
        record: dict[str, int] = {}
        for industry, providers in cases:
            if any(p == org.name or (core and core == _core_name(p)) for p in providers):
                record[industry] = record.get(industry, 0) + 1
        out[org.id] = record
    return out


def _orgs(session: Session, org_ids: set[int]) -> dict[int | None, Organization]:
    rows = session.exec(select(Organization).where(col(Organization.id).in_(org_ids)))
    return {o.id: o for o in rows}


def _documents(
    session: Session, gateway: SearchGateway, entity: EntityType, ids: list[int]
) -> dict[int, dict[str, Any]]:
    """The current documents of the rows ``ids`` that exist (a missing id is a deletion)."""
    pipeline = gateway.pipeline
    if entity == "use_case":
        cases = session.exec(select(UseCase).where(col(UseCase.id).in_(ids))).all()
        return {c.id: use_case_document(pipeline, c) for c in cases if c.id is not None}
    if entity == "solution":
        solutions = session.exec(select(Solution).where(col(Solution.id).in_(ids))).all()
        orgs = _orgs(session, {r.org_id for r in solutions})
        return {
            r.id: solution_document(pipeline, r, orgs[r.org_id])
            for r in solutions
            if r.id is not None
        }
    demands = session.exec(select(Demand).where(col(Demand.id).in_(ids))).all()
    orgs = _orgs(session, {r.org_id for r in demands})
    return {r.id: demand_document(pipeline, r, orgs[r.org_id]) for r in demands if r.id is not None}


def iter_documents(
    session: Session, gateway: SearchGateway, entity: EntityType, *, batch: int = 1_000
) -> Iterator[dict[str, Any]]:
    """Every row of ``entity`` as a document, read in batches of ids."""
    model = _MODELS[entity]
    last = 0
    while True:
        ids = list(
            session.exec(
                select(model.id).where(col(model.id) > last).order_by(col(model.id)).limit(batch)
            )
        )
        if not ids:
            return
        docs = _documents(session, gateway, entity, [i for i in ids if i is not None])
        for doc_id in ids:
            if doc_id in docs:
                yield docs[doc_id]
        last = ids[-1] or last


@dataclass
class DrainResult:
    processed: int = 0
    upserted: int = 0
    deleted: int = 0
    failed: int = 0
    error: str | None = None


def drain_once(session: Session, gateway: SearchGateway, *, batch: int = BATCH) -> DrainResult:
    """Apply up to ``batch`` pending outbox events; commit which ones were applied."""
    events = session.exec(
        select(OutboxEvent)
        .where(col(OutboxEvent.processed_at).is_(None))
        .order_by(col(OutboxEvent.id))
        .limit(batch)
    ).all()
    if not events:
        return DrainResult()
    event_ids = [e.id for e in events]
    changed: dict[EntityType, set[int]] = defaultdict(set)
    for event in events:
        changed[event.entity].add(event.entity_id)  # type: ignore[index]
    upserts: dict[EntityType, list[dict[str, Any]]] = {}
    deletes: dict[EntityType, list[str]] = {}
    for entity, ids in changed.items():
        docs = _documents(session, gateway, entity, sorted(ids))
        upserts[entity] = list(docs.values())
        deletes[entity] = [str(i) for i in sorted(ids) if i not in docs]
    session.commit()  # end the read before talking to the backend
    result = DrainResult(processed=len(events))
    try:
        for entity in changed:
            index = gateway.index(entity)
            gateway.backend.upsert(index, upserts[entity])
            gateway.backend.delete(index, deletes[entity])
            gateway.backend.wait(index)
            result.upserted += len(upserts[entity])
            result.deleted += len(deletes[entity])
    except SearchBackendError as exc:
        session.execute(
            update(OutboxEvent)
            .where(col(OutboxEvent.id).in_(event_ids))
            .values(attempts=OutboxEvent.attempts + 1, last_error=str(exc)[:500])
        )
        session.commit()
        return DrainResult(failed=len(events), error=str(exc))
    session.execute(
        update(OutboxEvent)
        .where(col(OutboxEvent.id).in_(event_ids), col(OutboxEvent.processed_at).is_(None))
        .values(processed_at=utcnow())
    )
    session.commit()
    return result


def pending_count(session: Session) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(OutboxEvent)
            .where(col(OutboxEvent.processed_at).is_(None))
        ).one()
    )


def drain_all(session: Session, gateway: SearchGateway) -> DrainResult:
    """Drain until nothing is pending, or until the backend fails."""
    total = DrainResult()
    while True:
        step = drain_once(session, gateway)
        total.processed += step.processed
        total.upserted += step.upserted
        total.deleted += step.deleted
        if step.error:
            total.failed, total.error = step.failed, step.error
            return total
        if step.processed == 0:
            return total


def reindex(session: Session, gateway: SearchGateway) -> dict[str, int]:
    """Rebuild every index from the database by filling a shadow index and swapping it in."""
    high_water = session.exec(select(func.max(OutboxEvent.id))).one() or 0
    counts: dict[str, int] = {}
    for entity, settings in INDEX_SETTINGS.items():
        counts[entity] = gateway.backend.rebuild(
            gateway.index(entity), settings, iter_documents(session, gateway, entity)
        )
    # Events up to the high-water mark are reflected in the rebuilt indexes; later ones
    # stay pending and are applied by the drainer.
    session.execute(
        update(OutboxEvent)
        .where(col(OutboxEvent.id) <= high_water, col(OutboxEvent.processed_at).is_(None))
        .values(processed_at=utcnow())
    )
    session.commit()
    return counts


@dataclass
class Drift:
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def index_check(
    session: Session, gateway: SearchGateway, *, repair: bool = True
) -> dict[str, Drift]:
    """Compare each index with the database (ids and versions); with ``repair``, fix it."""
    report: dict[str, Drift] = {}
    for entity in INDEX_SETTINGS:
        model = _MODELS[entity]
        in_db = {str(i): v for i, v in session.exec(select(model.id, model.version)).all()}
        in_index = gateway.backend.versions(gateway.index(entity))
        drift = Drift(
            missing=sorted(set(in_db) - set(in_index), key=int),
            stale=sorted(
                (k for k in in_db.keys() & in_index.keys() if in_db[k] != in_index[k]), key=int
            ),
            extra=sorted(set(in_index) - set(in_db), key=lambda k: (len(k), k)),
        )
        report[entity] = drift
        if repair and not drift.clean:
            ids = [int(i) for i in drift.missing + drift.stale]
            docs = _documents(session, gateway, entity, ids)
            index = gateway.index(entity)
            gateway.backend.upsert(index, list(docs.values()))
            gateway.backend.delete(index, drift.extra)
            gateway.backend.wait(index)
    session.commit()
    return report


def ensure_search_ready(engine: Engine, gateway: SearchGateway) -> list[EntityType]:
    """Create the indexes; fill any that were (re)created empty; apply pending events."""
    created = gateway.ensure_indexes()
    with Session(engine) as session:
        for entity in created:
            gateway.backend.rebuild(
                gateway.index(entity),
                INDEX_SETTINGS[entity],
                iter_documents(session, gateway, entity),
            )
        drain_all(session, gateway)
    return created


class OutboxDrainer:
    """A background thread that drains the outbox, backing off while the backend is down."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        gateway: SearchGateway,
        *,
        interval: float = 1.0,
        max_backoff: float = 30.0,
    ) -> None:
        self._session_factory = session_factory
        self._gateway = gateway
        self._interval = interval
        self._max_backoff = max_backoff
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.backoff = 0.0
        self.last_error: str | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-drainer", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._session_factory() as session:
                    result = drain_once(session, self._gateway)
            except Exception as exc:  # the database itself may be briefly unavailable
                result = DrainResult(error=str(exc))
            if result.error:
                self.last_error = result.error
                self.backoff = min(self._max_backoff, max(1.0, self.backoff * 2))
                log.warning(
                    "search sync failed, retrying in %.0f s: %s", self.backoff, result.error
                )
            else:
                self.last_error = None
                self.backoff = 0.0
                if result.processed >= BATCH:
                    continue  # more is waiting
            self._wake.wait(self._interval + self.backoff)
            self._wake.clear()
