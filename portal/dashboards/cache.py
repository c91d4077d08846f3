"""A per-process memo of the dashboards' aggregates, valid while the data they count is
unchanged. Data versions are kept per family of tables in ``meta``: every ORM write to
solutions, demands, cases, networks, indicator values or targets stamps the key of the
families it touched (``stats_version:<family>``) with a new random token in its own
transaction (``portal.models._bump_stats_version``), so any worker sees the change at its
next request — and an aggregate is recomputed only when a family it reads has changed (a
network confirmed does not recount the solutions serving each city).

Writes that bypass the ORM (raw SQL) must stamp it themselves (``bump``): it stamps the
global ``stats_version`` key, which is part of every memo key, so it invalidates all. Raw
writes to solutions must also refill the derived ``solution_reach`` rows and then recount
``solution_serving`` (``portal.models.rebuild_solution_serving``), which the ORM's flush
listener otherwise keeps in step."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from uuid import uuid4

from sqlalchemy import ColumnElement, String, cast, event, func, literal_column, union_all
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from portal import dbloop
from portal.auth import sessions
from portal.kit.i18n import get_locale
from portal.models import STATS_FAMILIES, STATS_VERSION_KEY, Meta, OutboxEvent, stats_family_key

T = TypeVar("T")


class Memo:
    """A bounded least-recently-used memo, shared by a process's threads. Its keys must
    name everything a value depends on; nothing a client sends can grow it past ``size``.

    A value may stand on ``stands``: the stamps of what it was made from (data versions,
    where the index stands, the day), which only move forward. One value is kept per key,
    the last put, and it is answered only to a request that reads the same stamps; a newer
    value replaces it. Were the stamps part of the key, every write would leave the old
    value behind until the least-recently-used end pushed it out: under a steady stream of
    writes, a memo full of pages nobody can ask for any more (issue 19)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, key: tuple[Any, ...], compute: Callable[[], T], stands: tuple[Any, ...] = ()
    ) -> T:
        found = self.peek(key, stands)
        if found is not None:
            return found
        value = compute()  # outside the lock: two threads may compute one key, alike
        self.put(key, value, stands)
        return value

    def peek(self, key: tuple[Any, ...], stands: tuple[Any, ...] = ()) -> Any:
        """The value kept under ``key`` over ``stands``, or None."""
        with self._lock:
            entry = self._values.get(key)
            if entry is None or entry[0] != stands:
                return None
            self._values.move_to_end(key)
            return entry[1]

    def put(self, key: tuple[Any, ...], value: Any, stands: tuple[Any, ...] = ()) -> None:
        with self._lock:
            self._values[key] = (stands, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)


_memo = Memo(128)

ALL_FAMILIES: tuple[str, ...] = STATS_FAMILIES


def data_versions(session: Session, families: Iterable[str] = ALL_FAMILIES) -> tuple[str, ...]:
    """(the global stamp, then the stamp of each of ``families``), "-" where none yet."""
    families = tuple(families)
    unknown = set(families) - set(STATS_FAMILIES)
    if unknown:
        raise ValueError(f"unknown data families: {sorted(unknown)}")
    keys = (STATS_VERSION_KEY, *(stats_family_key(f) for f in families))
    found = _stamps(session)
    return tuple(found.get(k) or "-" for k in keys)


_STAMPS = "portal.dashboards.stamps"
_ALL_KEYS = (STATS_VERSION_KEY, *(stats_family_key(f) for f in STATS_FAMILIES))
# Where the search indexes stand (portal.search.sync.applied_position) comes in the same
# round trip: the lowest pending outbox event and the highest event, as two more rows. The
# memo keys of most pages need both. Built once (portal.db).
_LOWEST, _HIGHEST = "outbox:lowest", "outbox:highest"


def _constant(key: str) -> ColumnElement[str]:
    """One of the portal's own keys, written into the statement (a bound list of them would
    be expanded again at each execution)."""
    if not key.replace(":", "").replace("_", "").isalnum():
        raise ValueError(f"not a plain key: {key!r}")
    return literal_column(f"'{key}'")


_LOWEST_PENDING = cast(
    select(func.min(OutboxEvent.id))
    .where(col(OutboxEvent.processed_at).is_(None))
    .scalar_subquery(),
    String,
)
_HIGHEST_EVENT = cast(select(func.max(OutboxEvent.id)).scalar_subquery(), String)
_READ_STAMPS = union_all(
    select(Meta.key, Meta.value).where(col(Meta.key).in_([_constant(k) for k in _ALL_KEYS])),
    select(_constant(_LOWEST), _LOWEST_PENDING),
    select(_constant(_HIGHEST), _HIGHEST_EVENT),
)


_STAMPS_ON_LOOP = dbloop.Plain(_READ_STAMPS)


def _stamps(session: Session) -> dict[str, str | None]:
    """Every stamp, and the index position, read once per transaction: a page asks for them
    once per memoized aggregate (a dozen times). Reading them once keys a memo with what
    was true when the request began (a memo made from newer data under an older key is
    never served: later requests read the newer stamp); the transaction's own flushes, and
    its end, forget them (below)."""
    found: dict[str, str | None] | None = session.info.get(_STAMPS)
    if found is None:
        found = {key: value for key, value in session.execute(_READ_STAMPS).tuples()}
        session.info[_STAMPS] = found
    return found


def stamps_known(session: Session) -> bool:
    """Whether this transaction has read the stamps already: :func:`data_versions` and
    :func:`index_position` then answer without the database (on the event loop too)."""
    return _STAMPS in session.info


async def read_stamps_on_loop(session: Session) -> bool:
    """Read the stamps for ``session`` on the event loop (:mod:`portal.dbloop`), as
    :func:`_stamps` reads them in a worker thread: whether they are known now. A visitor's
    kept page is then found without a worker thread (:func:`portal.page_memo.kept_on_loop`).
    """
    if stamps_known(session):
        return True
    try:
        found = await dbloop.rows(session, _STAMPS_ON_LOOP, {})
    except dbloop.NotOnTheLoop:
        return False
    session.info[_STAMPS] = {key: value for key, value in found}
    return True


def _received_with_session(session: Session, values: tuple[Any, ...]) -> None:
    session.info[_STAMPS] = dict(zip((*_ALL_KEYS, _LOWEST, _HIGHEST), values, strict=True))


# A signed-in request reads the stamps with its session (portal.auth.sessions): the kept
# pages of viewers are then found without a round trip of their own, or a worker thread.
sessions.read_with_session(
    "stamps",
    sessions.Rider(
        columns=(
            *(
                select(Meta.value).where(col(Meta.key) == _constant(k)).scalar_subquery()
                for k in _ALL_KEYS
            ),
            _LOWEST_PENDING,
            _HIGHEST_EVENT,
        ),
        received=_received_with_session,
    ),
)


def index_position(session: Session) -> tuple[int | None, int | None]:
    """(the lowest pending outbox event, the highest event), read with the stamps."""
    found = _stamps(session)
    lowest, highest = found.get(_LOWEST), found.get(_HIGHEST)
    return (int(lowest) if lowest else None, int(highest) if highest else None)


def _forget_stamps(session: OrmSession, *_: Any) -> None:
    session.info.pop(_STAMPS, None)


# A flush may stamp a family (portal.models._bump_stats_version, or ``bump``); a new
# transaction may see other processes' stamps.
for _name in ("after_flush", "after_transaction_end"):
    event.listen(OrmSession, _name, _forget_stamps)


def data_version(session: Session) -> str:
    """One token for all the data the dashboards count (changes on any write)."""
    return "/".join(data_versions(session))


def memoized(
    session: Session,
    key: tuple[Any, ...],
    compute: Callable[[], T],
    *,
    reads: Iterable[str] = ALL_FAMILIES,
) -> T:
    """``compute()``, or its memo while none of the families in ``reads`` has changed.

    ``reads`` must name every family of tables ``compute`` reads (the default, all of
    them, is always safe)."""
    bind = session.get_bind()
    families = tuple(sorted(set(reads)))
    versions = data_versions(session, families)
    # What a memo holds may carry labels in the request's language (issue 18).
    place = (str(getattr(bind, "url", bind)), families, get_locale(), *key)
    return _memo.get(place, compute, versions)


def bump(session: Session) -> None:
    """Invalidate every memoized aggregate (for writers that bypass the ORM)."""
    row = session.get(Meta, STATS_VERSION_KEY)
    if row is None:
        session.add(Meta(key=STATS_VERSION_KEY, value=uuid4().hex))
    else:
        row.value = uuid4().hex
        session.add(row)
    session.flush()


def clear() -> None:
    _memo.clear()
