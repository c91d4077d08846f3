"""One background runner for every outbox: each drain on its own schedule, a failing one
backing off without holding the others back, and a commit that wrote outbox rows waking
them all."""

from __future__ import annotations

import threading

from sqlmodel import Session

from portal import outbox
from portal.mail import queue_mail
from portal.outbox import OutboxRunner, Round
from portal.search.sync import OutboxDrainer

HOUR = 3600.0  # an interval no test waits for: a drain runs again only when due or woken


class Recording:
    def __init__(self, name: str, *results: Round) -> None:
        self.name = name
        self.results = list(results)
        self.rounds = 0
        self.ran = threading.Event()

    def round(self) -> Round:
        self.rounds += 1
        self.ran.set()
        if len(self.results) > 1:
            return self.results.pop(0)
        return self.results[0] if self.results else Round()


class Broken:
    name = "broken"

    def round(self) -> Round:
        raise RuntimeError("the database is gone")


def test_each_drain_runs_on_its_own_schedule() -> None:
    busy = Recording("busy", Round(processed=500, more=True))
    failing = Recording("failing", Round(error="SMTP 服务器无法连接"))
    idle = Recording("idle")
    runner = OutboxRunner([busy, failing, Broken(), idle], interval=HOUR)
    runner.run_due()
    assert (busy.rounds, failing.rounds, idle.rounds) == (1, 1, 1)  # a raising drain stops none
    # More is waiting for one: it runs again at once; the failing one backs off, the idle
    # one waits for its interval.
    runner.run_due()
    assert (busy.rounds, failing.rounds, idle.rounds) == (2, 1, 1)


def test_a_commit_that_queued_mail_wakes_the_runner(session: Session) -> None:
    drain = Recording("mail")
    runner = OutboxRunner([drain], interval=HOUR)
    runner.start()
    stop_waking = outbox.on_commit(runner.wake)
    try:
        assert drain.ran.wait(timeout=30)  # the first round, at start
        drain.ran.clear()
        session.commit()  # nothing queued: no wake
        queue_mail(
            session,
            to="a@example.com",
            template="password_reset",
            context={"hours": 1, "link": "x"},
        )
        session.commit()
        assert drain.ran.wait(timeout=30), "the commit did not wake the runner"
        assert drain.rounds == 2
    finally:
        stop_waking()
        runner.stop()


def test_a_search_drain_that_fails_says_why_for_healthz() -> None:
    def no_database() -> Session:
        raise RuntimeError("数据库暂时无法连接")

    drainer = OutboxDrainer(no_database, gateway=None)  # type: ignore[arg-type]
    result = drainer.round()
    assert result.error == drainer.last_error == "数据库暂时无法连接"
