"""Keeping the search index in step with the database.

Every listing change writes an outbox row in its own transaction (:mod:`portal.search.outbox`).
The drainer applies pending rows in batches: it reads the *current* row for each changed id,
so applying an event twice, or late, leaves the index right (idempotent by id and version).
When the backend is down the events stay pending, with their attempts counted, and the
drainer backs off; nothing is lost. ``reindex`` rebuilds by swap; ``index_check`` compares
the index with the database and repairs drift.

Any number of processes may run this (``portal serve --workers``, two servers on one data
directory, the CLI): whatever writes to the indexes holds the database lease
``search-outbox`` (:func:`outbox_lease`), so batches are read and applied one at a time, in
order. Otherwise process A could read version 1, B read version 2 and apply it, and A then
write version 1 over it, with both events marked done. The embedded backend also compares
versions under its writer lock; Meilisearch cannot condition a write on the stored
document, so there the lease is the guarantee (its task queue applies writes in the order
they were sent, and a drainer sends only while it holds the lease with time to spare).

These functions are job boundaries, like a request: they commit their own transactions.
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from matching.search import IndexMissing, SearchBackendError, SearchUnavailable
from portal import leases
from portal.dashboards.cache import index_position
from portal.db import begin_write
from portal.kit.i18n import _
from portal.leases import HeldLease
from portal.models import (
    Demand,
    Funding,
    Incubation,
    Organization,
    OutboxEvent,
    Platform,
    Solution,
    UseCase,
    utcnow,
)
from portal.outbox import Round
from portal.search.documents import (
    INDEX_SETTINGS,
    PROGRAMME_TYPES,
    EntityType,
    demand_document,
    programme_document,
    solution_document,
    use_case_document,
)
from portal.search.gateway import SearchGateway

log = logging.getLogger("portal.search")
BATCH = 500
LEASE = "search-outbox"
# Each write to the backend starts with half of it left at least, and times out well
# within that (Meilisearch's tasks: 30 s).
LEASE_TTL = timedelta(seconds=90)
LEASE_WAIT_S = 60.0  # how long set-up, reindex and check wait for another process's work
_MODELS: dict[EntityType, type[Any]] = {
    "solution": Solution,
    "demand": Demand,
    "use_case": UseCase,
    "funding": Funding,
    "platform": Platform,
    "incubation": Incubation,
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
    if entity in PROGRAMME_TYPES:
        model = _MODELS[entity]
        rows = session.exec(select(model).where(col(model.id).in_(ids))).all()
        owners = _orgs(session, {r.org_id for r in rows})
        return {
            r.id: programme_document(pipeline, entity, r, owners[r.org_id])
            for r in rows
            if r.id is not None
        }
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
    skipped: bool = False  # another process held the outbox; it drains meanwhile
    rebuilt: list[EntityType] = field(default_factory=list)  # indexes found missing

    def add(self, step: DrainResult) -> None:
        self.processed += step.processed
        self.upserted += step.upserted
        self.deleted += step.deleted
        self.rebuilt += step.rebuilt


@contextmanager
def outbox_lease(session: Session, *, wait: float) -> Iterator[HeldLease]:
    """The lease ``search-outbox``: whoever writes to the indexes holds it (drains, set-up,
    rebuilds, checks), so one process at a time reads the database and writes the index,
    in order. Waits up to ``wait`` seconds for another process to finish."""
    try:
        lease = leases.hold(session.get_bind(), LEASE, ttl=LEASE_TTL, wait=wait)
    except leases.LeaseBusy as exc:
        raise SearchUnavailable(
            _("搜索索引正由另一进程（{holder}）更新，{seconds:.0f} 秒内未完成，请稍后重试").format(
                holder=exc.holder or _("未知"), seconds=wait
            )
        ) from exc
    try:
        yield lease
    finally:
        lease.release()


def _pending_exists(session: Session) -> bool:
    pending = session.exec(
        select(OutboxEvent.id).where(col(OutboxEvent.processed_at).is_(None)).limit(1)
    ).first()
    session.commit()  # end the read: the lease is taken in a transaction of its own
    return pending is not None


def record_failure(session: Session, event_ids: list[int], error: str) -> None:
    """Count a failed attempt on the events; the error stays on them until applied."""
    session.execute(
        update(OutboxEvent)
        .where(col(OutboxEvent.id).in_(event_ids))
        .values(attempts=OutboxEvent.attempts + 1, last_error=error[:500])
    )
    session.commit()


_LAST_FAILURE = (  # built once: every /healthz asks (portal.db)
    select(OutboxEvent.last_error)
    .where(col(OutboxEvent.processed_at).is_(None), col(OutboxEvent.attempts) > 0)
    .order_by(col(OutboxEvent.id).desc())
    .limit(1)
)


def last_failure(session: Session) -> str | None:
    """Why the index is behind: the error of a pending event that failed (in any process)."""
    return session.exec(_LAST_FAILURE).first()


def applied_position(session: Session) -> tuple[int | None, int | None]:
    """Where the indexes stand, as the database says: the lowest pending outbox event and
    the highest event. Events are applied in id order and marked applied only once the
    index holds them, so a memo of search results keyed on this is computed from an index
    at least as new as its key, and forgotten (a new key) once the next change is applied —
    by whichever process applied it. Read once per transaction, with the data stamps (one
    round trip for both)."""
    return index_position(session)


def _kept(documents: Iterable[dict[str, Any]], lease: HeldLease) -> Iterator[dict[str, Any]]:
    """``documents``, renewing the lease as a long rebuild goes (stopping it if lost)."""
    for doc in documents:
        lease.keep()
        yield doc


def _restore(session: Session, gateway: SearchGateway, lease: HeldLease) -> list[EntityType]:
    """Create the indexes that are missing (never made, or their folder deleted) or whose
    settings changed, and fill them from the database."""
    created = gateway.ensure_indexes()
    for entity in created:
        documents = _kept(iter_documents(session, gateway, entity), lease)
        gateway.backend.rebuild(gateway.index(entity), INDEX_SETTINGS[entity], documents)
    session.commit()
    return created


def _drain_batch(
    session: Session, gateway: SearchGateway, lease: HeldLease, *, batch: int
) -> DrainResult:
    """Apply up to ``batch`` pending events, holding ``lease``; commit which were applied."""
    events = session.exec(
        select(OutboxEvent)
        .where(col(OutboxEvent.processed_at).is_(None))
        .order_by(col(OutboxEvent.id))
        .limit(batch)
    ).all()
    if not events:
        session.commit()
        return DrainResult()
    event_ids = [e.id for e in events if e.id is not None]
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
            lease.keep()  # still ours, with time to spare for this write
            gateway.backend.upsert(index, upserts[entity])
            lease.keep()
            gateway.backend.delete(index, deletes[entity])
            gateway.backend.wait(index)
            result.upserted += len(upserts[entity])
            result.deleted += len(deletes[entity])
    except IndexMissing as exc:
        # Its folder was deleted under us: rebuilt from the database, which holds this
        # batch's changes too, so the batch is done.
        log.warning("search index missing, rebuilding it from the database: %s", exc)
        try:
            result.rebuilt = _restore(session, gateway, lease)
        except SearchBackendError as failure:
            record_failure(session, event_ids, str(failure))
            return DrainResult(failed=len(events), error=str(failure))
    except SearchBackendError as exc:
        record_failure(session, event_ids, str(exc))
        return DrainResult(failed=len(events), error=str(exc))
    except leases.LeaseLost as exc:
        log.warning("search sync stopped: %s", exc)
        return DrainResult(skipped=True)
    session.execute(
        update(OutboxEvent)
        .where(col(OutboxEvent.id).in_(event_ids), col(OutboxEvent.processed_at).is_(None))
        .values(processed_at=utcnow())
    )
    session.commit()
    return result


def drain_once(session: Session, gateway: SearchGateway, *, batch: int = BATCH) -> DrainResult:
    """Apply up to ``batch`` pending outbox events, when this process can have the outbox
    lease; when another process holds it, skip (``skipped``): that one is draining."""
    if not _pending_exists(session):
        return DrainResult()
    lease = leases.try_hold(session.get_bind(), LEASE, ttl=LEASE_TTL)
    if lease is None:
        return DrainResult(skipped=True)
    try:
        return _drain_batch(session, gateway, lease, batch=batch)
    finally:
        lease.release()


def pending_count(session: Session) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(OutboxEvent)
            .where(col(OutboxEvent.processed_at).is_(None))
        ).one()
    )


def _drain_held(session: Session, gateway: SearchGateway, lease: HeldLease) -> DrainResult:
    total = DrainResult()
    while True:
        step = _drain_batch(session, gateway, lease, batch=BATCH)
        total.add(step)
        if step.error or step.skipped:
            total.failed, total.error, total.skipped = step.failed, step.error, step.skipped
            return total
        if step.processed == 0:
            return total


def drain_all(session: Session, gateway: SearchGateway, *, wait: float = 0) -> DrainResult:
    """Drain until nothing is pending, or until the backend fails; ``skipped`` when another
    process held the outbox for longer than ``wait`` seconds."""
    if not _pending_exists(session):
        return DrainResult()
    try:
        lease = leases.hold(session.get_bind(), LEASE, ttl=LEASE_TTL, wait=wait)
    except leases.LeaseBusy:
        return DrainResult(skipped=True)
    try:
        return _drain_held(session, gateway, lease)
    finally:
        lease.release()


def reindex(
    session: Session, gateway: SearchGateway, *, wait: float = LEASE_WAIT_S
) -> dict[str, int]:
    """Rebuild every index from the database by filling a shadow index and swapping it in."""
    with outbox_lease(session, wait=wait) as lease:
        high_water = session.exec(select(func.max(OutboxEvent.id))).one() or 0
        counts: dict[str, int] = {}
        for entity, settings in INDEX_SETTINGS.items():
            documents = _kept(iter_documents(session, gateway, entity), lease)
            counts[entity] = gateway.backend.rebuild(gateway.index(entity), settings, documents)
        # Events up to the high-water mark are reflected in the rebuilt indexes; later ones
        # stay pending and are applied by the drainer (which waited for the lease: it did
        # not write to the indexes being replaced). The long read ends first: on SQLite a
        # read transaction cannot become a write one once another connection has written
        # since it began — the lease's own renewals do, during a rebuild of minutes.
        session.commit()
        lease.keep()
        begin_write(session)
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
    session: Session, gateway: SearchGateway, *, repair: bool = True, wait: float = LEASE_WAIT_S
) -> dict[str, Drift]:
    """Compare each index with the database (ids and versions); with ``repair``, fix it."""
    report: dict[str, Drift] = {}
    with outbox_lease(session, wait=wait) as lease:
        for entity in INDEX_SETTINGS:
            model = _MODELS[entity]
            in_db = {str(i): v for i, v in session.exec(select(model.id, model.version)).all()}
            in_index = gateway.backend.versions(gateway.index(entity))
            drift = Drift(
                missing=sorted(set(in_db) - set(in_index), key=int),
                stale=sorted(
                    (k for k in in_db.keys() & in_index.keys() if in_db[k] != in_index[k]),
                    key=int,
                ),
                extra=sorted(set(in_index) - set(in_db), key=lambda k: (len(k), k)),
            )
            report[entity] = drift
            if repair and not drift.clean:
                lease.keep()
                index = gateway.index(entity)
                # An index ahead of the database (a database restored from a backup) would
                # refuse the older version: remove those documents first.
                ahead = [k for k in drift.stale if in_index[k] > in_db[k]]
                gateway.backend.delete(index, drift.extra + ahead)
                ids = [int(i) for i in drift.missing + drift.stale]
                docs = _documents(session, gateway, entity, ids)
                lease.keep()
                gateway.backend.upsert(index, list(docs.values()))
                gateway.backend.wait(index)
        session.commit()
    return report


def ensure_search_ready(
    engine: Engine, gateway: SearchGateway, *, wait: float = LEASE_WAIT_S
) -> list[EntityType]:
    """Create the indexes; fill any that were (re)created empty; apply pending events."""
    with Session(engine) as session:
        return prepare(session, gateway, wait=wait)


def prepare(session: Session, gateway: SearchGateway, *, wait: float) -> list[EntityType]:
    """:func:`ensure_search_ready` on ``session``. Under the outbox lease, so that processes
    starting together (``--workers``) build a missing index once, and no drain writes to an
    index that is being filled. Pending events that fail stay pending (the drainer retries)."""
    with outbox_lease(session, wait=wait) as lease:
        created = _restore(session, gateway, lease)
        _drain_held(session, gateway, lease)
    return created


class OutboxDrainer:
    """The search outbox's drain, run by the process's :class:`portal.outbox.OutboxRunner`
    (which backs off while it fails).

    Every process runs one; the outbox lease lets one drain at a time. When idle it checks
    now and then (``probe_every`` seconds) that the indexes are still there, and rebuilds
    one whose folder was deleted. ``last_error`` is its last round's failure, for /healthz."""

    name = "search"

    def __init__(
        self,
        session_factory: Callable[[], Session],
        gateway: SearchGateway,
        *,
        probe_every: float = 10.0,
        ready: bool = True,
    ) -> None:
        self._session_factory = session_factory
        self._gateway = gateway
        self._probe_every = probe_every
        self._probed = time.monotonic()
        self._ready = ready  # False: set-up at start failed; done again before draining
        self.last_error: str | None = None

    def step(self) -> DrainResult:
        """One round: the set-up if it has not succeeded yet, a batch, and (idle, when due)
        the check that the indexes are still there. Raises what the set-up raised."""
        with self._session_factory() as session:
            if not self._ready:
                prepare(session, self._gateway, wait=0)
                self._ready = True
            result = drain_once(session, self._gateway)
            due = time.monotonic() - self._probed >= self._probe_every
            if result.processed or result.error or not due:
                return result
            self._probed = time.monotonic()
            try:
                self._gateway.backend.check_writable()
            except IndexMissing as exc:
                log.warning("search index missing, rebuilding it from the database: %s", exc)
                result.rebuilt = prepare(session, self._gateway, wait=0)
            except SearchBackendError:
                pass  # /healthz says so; the next write fails and is retried
            return result

    def round(self) -> Round:
        try:
            result = self.step()
        except Exception as exc:  # the database itself may be briefly unavailable
            result = DrainResult(error=str(exc))
        self.last_error = result.error
        return Round(processed=result.processed, error=result.error, more=result.processed >= BATCH)
