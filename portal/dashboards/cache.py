"""A per-process memo of the dashboards' aggregates, valid while the data they count is
unchanged: every ORM write to solutions, demands, cases, networks, indicator values or
targets stamps ``meta.stats_version`` with a new random token in its own transaction
(``portal.models._bump_stats_version``), so any worker sees a change at its next request.
Writes that bypass the ORM (raw SQL) must stamp it themselves (``bump``)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import uuid4

from sqlmodel import Session, select

from portal.models import STATS_VERSION_KEY, Meta

T = TypeVar("T")
_MAX = 64
_memo: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_lock = threading.Lock()


def data_version(session: Session) -> str:
    value = session.exec(select(Meta.value).where(Meta.key == STATS_VERSION_KEY)).first()
    return value or "-"


def memoized(session: Session, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    bind = session.get_bind()
    full_key = (str(getattr(bind, "url", bind)), data_version(session), *key)
    with _lock:
        if full_key in _memo:
            _memo.move_to_end(full_key)
            return _memo[full_key]
    value = compute()
    with _lock:
        _memo[full_key] = value
        while len(_memo) > _MAX:
            _memo.popitem(last=False)
    return value


def bump(session: Session) -> None:
    row = session.get(Meta, STATS_VERSION_KEY)
    if row is None:
        session.add(Meta(key=STATS_VERSION_KEY, value=uuid4().hex))
    else:
        row.value = uuid4().hex
        session.add(row)
    session.flush()


def clear() -> None:
    with _lock:
        _memo.clear()
