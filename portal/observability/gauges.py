"""The stack's backlogs, read from the database when Prometheus scrapes: the same figures
whichever process answers, and nothing computed per request.

- ``portal_mail_outbox_pending``: mails not yet sent (due or waiting for a retry);
- ``portal_search_outbox_pending``: index changes not yet applied;
- ``portal_webhook_deliveries_pending``: WeCom messages not yet posted (digest-held apart);
- ``portal_worker_lag_seconds{job}``: how late the worker is: for each scheduled job, the
  time since it fell due without running; for ``mail``, ``webhook`` and ``publications``,
  the age of the oldest item due;
- ``portal_index_drift{entity,kind}``: what the last ``portal index-check`` found
  (missing, stale, extra documents), and ``portal_index_check_timestamp_seconds``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlmodel import Session, col, func, select

from portal import mail
from portal.clock import aware
from portal.models import (
    Meta,
    OutgoingMail,
    PublishedListing,
    WebhookDelivery,
    WorkerJob,
    utcnow,
)
from portal.notifications import worker
from portal.search import sync

INDEX_CHECK_KEY = "index-check:last"
DRIFT_KINDS = ("missing", "stale", "extra")


def record_index_check(session: Session, report: dict[str, sync.Drift], *, now: datetime) -> None:
    """Keep what an index check found (before any repair) for the drift gauge."""
    found = {
        entity: {kind: len(getattr(drift, kind)) for kind in DRIFT_KINDS}
        for entity, drift in report.items()
    }
    session.merge(
        Meta(key=INDEX_CHECK_KEY, value=json.dumps({"at": now.isoformat(), "drift": found}))
    )


def _seconds_late(since: datetime | None, now: datetime) -> float:
    return max(0.0, (now - aware(since)).total_seconds()) if since is not None else 0.0


class BacklogCollector(Collector):
    """Gauges computed from the database at scrape time, in the scrape's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def collect(self) -> Iterator[Any]:
        session, now = self._session, utcnow()
        yield _gauge(
            "portal_mail_outbox_pending", "Mails not yet sent.", mail.pending_count(session)
        )
        yield _gauge(
            "portal_search_outbox_pending",
            "Search index changes not yet applied.",
            sync.pending_count(session),
        )
        unsent_hooks = (
            col(WebhookDelivery.sent_at).is_(None),
            col(WebhookDelivery.held).is_(False),
        )
        yield _gauge(
            "portal_webhook_deliveries_pending",
            "WeCom messages not yet posted (those held for a digest apart).",
            session.exec(
                select(func.count()).select_from(WebhookDelivery).where(*unsent_hooks)
            ).one(),
        )
        lag = GaugeMetricFamily(
            "portal_worker_lag_seconds",
            "How late the worker is, by job: seconds since a due job or the oldest due item "
            "was due.",
            labels=["job"],
        )
        for job in worker.JOBS:
            last = session.get(WorkerJob, job.name)
            due = job.next_after(last.last_run_at if last else None, now)
            lag.add_metric([job.name], _seconds_late(due, now))
        oldest_mail = session.exec(
            select(func.min(OutgoingMail.next_attempt_at)).where(
                col(OutgoingMail.sent_at).is_(None), col(OutgoingMail.next_attempt_at) <= now
            )
        ).one()
        lag.add_metric(["mail"], _seconds_late(oldest_mail, now))
        oldest_hook = session.exec(
            select(func.min(WebhookDelivery.next_attempt_at)).where(
                *unsent_hooks, col(WebhookDelivery.next_attempt_at) <= now
            )
        ).one()
        lag.add_metric(["webhook"], _seconds_late(oldest_hook, now))
        oldest_publication = session.exec(
            select(func.min(PublishedListing.created_at)).where(
                col(PublishedListing.scanned_at).is_(None)
            )
        ).one()
        lag.add_metric(["publications"], _seconds_late(oldest_publication, now))
        yield lag
        yield from _index_check(session)


def _index_check(session: Session) -> Iterator[Any]:
    meta = session.get(Meta, INDEX_CHECK_KEY)
    if meta is None:
        return
    last = json.loads(meta.value)
    drift = GaugeMetricFamily(
        "portal_index_drift",
        "Documents the last `portal index-check` found missing, stale or extra, by entity.",
        labels=["entity", "kind"],
    )
    for entity, counts in sorted(last["drift"].items()):
        for kind in DRIFT_KINDS:
            drift.add_metric([entity, kind], counts.get(kind, 0))
    yield drift
    yield _gauge(
        "portal_index_check_timestamp_seconds",
        "When the last `portal index-check` ran (Unix time).",
        datetime.fromisoformat(last["at"]).timestamp(),
    )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
