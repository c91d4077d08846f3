"""``portal worker`` on SIGTERM: the step under way finishes (a job commits its run), the
rest of the round stays queued in the database for the next start."""

from __future__ import annotations

import threading
from datetime import datetime

from apscheduler.triggers.cron import CronTrigger
from sqlmodel import Session, select

from portal.mail import Mail
from portal.models import OutgoingMail, WorkerJob, utcnow
from portal.notifications import worker
from portal.search.gateway import SearchGateway
from tests.conftest import RecordingMailer


def test_a_stop_during_a_job_leaves_the_rest_queued(
    session: Session, gateway: SearchGateway
) -> None:
    stop = threading.Event()

    def interrupted(session: Session, *, now: datetime) -> int:
        stop.set()  # SIGTERM arrives while the job runs
        return 0

    session.add(OutgoingMail(recipient="a@example.com", subject="s", body="b"))
    session.flush()
    mailer = RecordingMailer()
    report = worker.run_once(
        session.connection(),
        gateway=gateway,
        mailer=mailer,
        jobs=(worker.Job("interrupted", CronTrigger(minute="*"), interrupted),),
        stop=stop,
        now=utcnow(),
    )
    assert report.jobs == ["interrupted"]  # finished and recorded
    assert session.get(WorkerJob, "interrupted") is not None
    assert mailer.delivered == []  # not begun: still queued
    unsent = session.exec(select(OutgoingMail).where(OutgoingMail.sent_at == None)).all()  # noqa: E711
    assert len(unsent) == 1


class StoppedWhileSending(RecordingMailer):
    """SIGTERM arrives while the first mail is being sent."""

    def __init__(self, stop: threading.Event) -> None:
        super().__init__()
        self.stop = stop

    def send(self, mail: Mail) -> None:
        super().send(mail)
        self.stop.set()


def test_a_stop_during_a_send_marks_that_mail_and_leaves_the_others(
    session: Session, gateway: SearchGateway
) -> None:
    stop = threading.Event()
    for n in range(3):
        session.add(OutgoingMail(recipient=f"r{n}@example.com", subject="s", body="b"))
    session.flush()
    mailer = StoppedWhileSending(stop)
    report = worker.run_once(
        session.connection(), gateway=gateway, mailer=mailer, jobs=(), stop=stop, now=utcnow()
    )
    assert [m.to for m in mailer.delivered] == ["r0@example.com"]
    assert report.mail.sent == 1  # marked sent: not sent again at the next start
    unsent = session.exec(select(OutgoingMail.recipient).where(OutgoingMail.sent_at == None))  # noqa: E711
    assert sorted(unsent) == ["r1@example.com", "r2@example.com"]
