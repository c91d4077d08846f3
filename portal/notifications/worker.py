"""``portal worker``: delivery and the scheduled jobs, correct with several processes.

One round (:func:`run_once`; ``portal worker --once`` runs one and exits) does, in order:

1. the scans of listings just published (new matches, saved searches), each listing in a
   transaction of its own, so a crash loses none and repeats none;
2. every scheduled job that is due: its next fire time (APScheduler's cron triggers, in
   Asia/Shanghai) after its last run has come. A job runs under its own database lease,
   re-reads its last run once it holds it, and commits its work together with the new
   last run: two workers never both run it, and a job that fails is simply due again;
3. delivery: WeCom messages (:mod:`portal.notifications.delivery`) and mail
   (:func:`portal.mail.deliver_all`), each under its lease.

Events themselves need no worker: the request that causes one writes its inbox rows and
queues its mail in its own transaction (:func:`portal.notifications.service.notify`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine
from sqlmodel import Session

from portal import leases, mail
from portal.clock import HUNAN, aware
from portal.db import begin_write
from portal.models import WorkerJob, utcnow
from portal.notifications import delivery, scans
from portal.search.gateway import SearchGateway

log = logging.getLogger("portal.worker")

JOB_LEASE_TTL = timedelta(minutes=10)


def _session(bind: Engine | Any) -> Session:
    # On a connection already in a transaction (the test suite's), work in savepoints of it.
    return Session(bind, join_transaction_mode="create_savepoint", expire_on_commit=False)


@dataclass(frozen=True)
class Job:
    name: str
    trigger: CronTrigger
    run: Callable[..., int]

    def next_after(self, last_run: datetime | None, now: datetime) -> datetime:
        """When the job is next due: at once if it never ran, else its first fire time after
        the last run."""
        if last_run is None:
            return now
        after = aware(last_run) + timedelta(seconds=1)
        fire = self.trigger.get_next_fire_time(None, after.astimezone(HUNAN))
        assert fire is not None  # cron triggers without an end date always fire again
        return fire


JOBS: tuple[Job, ...] = (
    Job("introductions", CronTrigger(minute="*/5", timezone=HUNAN), scans.expire_introductions),
    Job("expiring", CronTrigger(minute=0, timezone=HUNAN), scans.scan_expiring),
    Job("freshness", CronTrigger(hour=7, minute=30, timezone=HUNAN), scans.scan_freshness),
    Job(
        "funding_deadlines",
        CronTrigger(hour=7, minute=45, timezone=HUNAN),
        scans.scan_funding_deadlines,
    ),
    # The morning digests: officials' review and declaration summaries, mail, WeCom.
    Job("digests", CronTrigger(hour=8, minute=0, timezone=HUNAN), scans.send_digests),
)


@dataclass
class Report:
    published: int = 0  # listings scanned
    raised: int = 0  # notifications written by scans and jobs
    jobs: list[str] = field(default_factory=list)  # jobs run this round
    busy: list[str] = field(default_factory=list)  # held by another worker
    webhooks: delivery.Posted = field(default_factory=delivery.Posted)
    mail: mail.Delivery = field(default_factory=mail.Delivery)
    errors: list[str] = field(default_factory=list)


def _last_run(session: Session, name: str) -> datetime | None:
    row = session.get(WorkerJob, name, populate_existing=True)
    return row.last_run_at if row is not None else None


def run_publications(
    engine: Engine | Any, gateway: SearchGateway, report: Report, *, now: datetime
) -> None:
    lease = leases.try_hold(engine, "worker:publications", ttl=JOB_LEASE_TTL)
    if lease is None:
        report.busy.append("publications")
        return
    try:
        failed = False
        while True:
            with _session(engine) as session:
                pending = scans.pending_publications(session)
                session.commit()
                for item in pending:
                    lease.keep()
                    begin_write(session)
                    try:
                        report.raised += scans.scan_publication(session, gateway, item, now=now)
                        session.commit()
                    except Exception as exc:  # the search backend down: next round
                        # One listing that cannot be scanned must not hold back the others
                        # behind it: go on with the batch, and retry the failures next round.
                        session.rollback()
                        log.warning(
                            "scan of %s %s failed: %r",
                            item.kind,
                            item.listing_id,
                            exc,
                            exc_info=True,
                        )
                        report.errors.append(f"publications: {exc!r}")
                        failed = True
                        continue
                    report.published += 1
            if failed or len(pending) < 50:
                return
    finally:
        lease.release()


def run_job(engine: Engine | Any, job: Job, report: Report, *, now: datetime) -> None:
    with _session(engine) as session:
        due = job.next_after(_last_run(session, job.name), now) <= now
        session.commit()
    if not due:
        return
    lease = leases.try_hold(engine, f"worker:{job.name}", ttl=JOB_LEASE_TTL)
    if lease is None:
        report.busy.append(job.name)
        return
    try:
        with _session(engine) as session:
            begin_write(session)
            # Another worker may have run it between our look and our lease.
            if job.next_after(_last_run(session, job.name), now) > now:
                session.rollback()
                return
            try:
                report.raised += job.run(session, now=now)
                row = session.get(WorkerJob, job.name) or WorkerJob(name=job.name, last_run_at=now)
                row.last_run_at = now
                session.add(row)
                session.commit()
            except Exception as exc:
                session.rollback()
                log.exception("worker job %s failed", job.name)
                report.errors.append(f"{job.name}: {exc}")
                return
            report.jobs.append(job.name)
    finally:
        lease.release()


def run_once(
    engine: Engine | Any,
    *,
    gateway: SearchGateway,
    mailer: mail.Mailer,
    post: delivery.Poster = delivery.post_wecom,
    now: datetime | None = None,
    jobs: tuple[Job, ...] = JOBS,
    stop: threading.Event | None = None,
) -> Report:
    """Everything due now: scans, jobs, then delivery. Once ``stop`` is set (SIGTERM), the
    step under way finishes and the rest waits in the database for the next start."""
    now = now or utcnow()
    report = Report()
    stopping = stop.is_set if stop is not None else lambda: False
    run_publications(engine, gateway, report, now=now)
    for job in jobs:
        if stopping():
            return report
        run_job(engine, job, report, now=now)
    if stopping():
        return report
    with _session(engine) as session:
        report.webhooks = delivery.deliver_webhooks(session, post=post, now=now, stop=stop)
        if report.webhooks.error:
            report.errors.append(f"webhook: {report.webhooks.error}")
    if stopping():
        return report
    with _session(engine) as session:
        # Mail rows are due by the wall clock they were queued at (portal.mail).
        report.mail = mail.deliver_all(session, mailer, stop=stop)
        if report.mail.error:
            report.errors.append(f"mail: {report.mail.error}")
    return report


def run_forever(
    engine: Engine,
    *,
    gateway: SearchGateway,
    mailer: mail.Mailer,
    interval: float,
    stop: threading.Event,
    heartbeat: Path | None = None,
) -> None:
    """Rounds every ``interval`` seconds until ``stop`` is set (SIGTERM, Ctrl-C); after each
    completed round the ``heartbeat`` file is touched (compose's health check reads it)."""
    while not stop.is_set():
        try:
            report = run_once(engine, gateway=gateway, mailer=mailer, stop=stop)
            if report.published or report.raised or report.jobs or report.errors:
                log.info("worker round: %s", report)
            if heartbeat is not None:
                heartbeat.parent.mkdir(parents=True, exist_ok=True)
                heartbeat.touch()
        except Exception:  # the database away for a moment: the next round tries again
            log.exception("worker round failed")
        stop.wait(interval)
