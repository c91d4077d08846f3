"""Outboxes: work a change calls for (an index update, a mail), recorded as rows in the same
transaction as the change and carried out after the commit, so a rolled-back change leaves
nothing behind and a committed one nothing undone.

Each outbox has a drain (:class:`Drain`: the search index's, the mail's) that applies its
pending rows in rounds. One background thread per process (:class:`OutboxRunner`) runs
every drain, each on its own schedule: again at once while a round says more is waiting,
after ``interval`` when idle, backing off while a drain fails. A transaction that wrote
outbox rows wakes the runner when it commits (:func:`written`, :func:`on_commit`), so the
work follows within moments; rows written by other processes are found by polling. Drains
that must run once per stack hold a database lease (:mod:`portal.leases`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import event
from sqlmodel import Session

log = logging.getLogger("portal.outbox")

_WROTE = "portal_outbox_written"  # session.info key: this transaction wrote outbox rows
_listeners: list[Callable[[], None]] = []


def written(session: Session) -> None:
    """Note that the session's transaction wrote outbox rows: its commit wakes the drains."""
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


@dataclass
class Round:
    """What one round of a drain did."""

    processed: int = 0
    error: str | None = None  # the drain failed: back off before the next round
    more: bool = False  # a full batch: more is waiting, run again at once


class Drain(Protocol):
    name: str

    def round(self) -> Round:
        """Apply one batch of pending rows (in transactions of its own)."""
        ...


@dataclass
class _Schedule:
    drain: Drain
    due: float = 0.0  # time.monotonic() of the next round
    backoff: float = 0.0


class OutboxRunner:
    """A background thread running every drain, each on its own schedule. A wake (a commit
    that wrote outbox rows) runs them all at once, even one backing off."""

    def __init__(
        self, drains: Sequence[Drain], *, interval: float = 1.0, max_backoff: float = 30.0
    ) -> None:
        self._schedules = [_Schedule(drain) for drain in drains]
        self._interval = interval
        self._max_backoff = max_backoff
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-runner", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_due(self) -> float:
        """One pass: a round of each drain that is due; returns the seconds until the next."""
        for schedule in self._schedules:
            if schedule.due <= time.monotonic():
                self._round(schedule)
        return min(s.due for s in self._schedules) - time.monotonic()

    def _round(self, schedule: _Schedule) -> None:
        drain = schedule.drain
        try:
            result = drain.round()
        except Exception as exc:  # a drain must never stop the others
            log.exception("%s outbox: the round failed", drain.name)
            result = Round(error=str(exc))
        now = time.monotonic()
        if result.error:
            schedule.backoff = min(self._max_backoff, max(1.0, schedule.backoff * 2))
            schedule.due = now + self._interval + schedule.backoff
            log.warning(
                "%s outbox failed, retrying in %.0f s: %s",
                drain.name,
                schedule.backoff,
                result.error,
            )
        else:
            schedule.backoff = 0.0
            schedule.due = now if result.more else now + self._interval

    def _run(self) -> None:
        while not self._stop.is_set():
            wait = self.run_due()
            if wait > 0 and self._wake.wait(wait):
                self._wake.clear()
                for schedule in self._schedules:
                    schedule.due = 0.0
