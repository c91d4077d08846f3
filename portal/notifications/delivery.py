"""Posting queued messages to organisations' WeCom group robots.

The robot takes ``{"msgtype": "text", "text": {"content": …}}`` by POST and answers
``{"errcode": 0, "errmsg": "ok"}``; any other answer is a failure. Delivery works as mail
does (:mod:`portal.mail`): one process at a time under the ``notify-webhook`` lease, each
message marked sent in a transaction of its own right after the robot took it, a failure
retried after 1, 2, 4 … minutes (at most an hour), nothing dropped. Only a process that
dies between the robot's answer and the mark repeats that one message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlmodel import Session, col, select

from portal import leases, queued
from portal.models import WebhookDelivery, utcnow
from portal.observability import logs
from portal.queued import Tally

log = logging.getLogger("portal.notifications")

LEASE = "notify-webhook"
LEASE_TTL = timedelta(minutes=5)
BATCH = 50

Poster = Callable[[str, dict[str, Any]], None]


class WebhookRefused(Exception):
    pass


def post_wecom(url: str, payload: dict[str, Any]) -> None:
    """POST one message to a robot; raises unless it answered errcode 0."""
    response = httpx.post(url, json=payload, timeout=10)
    response.raise_for_status()
    answer = response.json()
    if answer.get("errcode") != 0:
        raise WebhookRefused(f"errcode {answer.get('errcode')}: {answer.get('errmsg')}")


Posted = Tally  # what a round of posting did


@dataclass(frozen=True)
class _Due:
    id: int
    attempts: int
    url: str
    text: str
    request_id: str | None = None  # the request that queued it: its log lines carry it


def _due(session: Session, *, now: datetime, limit: int) -> list[_Due]:
    rows = session.exec(
        select(WebhookDelivery)
        .where(
            col(WebhookDelivery.sent_at).is_(None),
            col(WebhookDelivery.held).is_(False),
            col(WebhookDelivery.next_attempt_at) <= now,
        )
        .order_by(col(WebhookDelivery.id))
        .limit(limit)
    ).all()
    due = [_Due(r.id, r.attempts, r.url, r.text, r.request_id) for r in rows if r.id is not None]
    session.commit()  # end the read: each mark runs in a transaction of its own
    return due


def _post_one(
    session: Session,
    lease: leases.HeldLease,
    due: _Due,
    result: Posted,
    *,
    post: Poster,
    now: datetime,
) -> bool:
    """Post one message and mark it; False when delivery must stop (the lease was lost).
    A failure goes on: one organisation's broken robot holds nobody else back."""
    outcome = queued.attempt(
        session,
        lease,
        WebhookDelivery,
        row_id=due.id,
        attempts=due.attempts,
        send=lambda: post(due.url, {"msgtype": "text", "text": {"content": due.text}}),
        tally=result,
        now=now,
        log=log,
        label=f"webhook {due.id}",
    )
    return outcome != "lost"


def deliver_webhooks(
    session: Session,
    *,
    post: Poster = post_wecom,
    now: datetime | None = None,
    stop: threading.Event | None = None,
) -> Posted:
    """Post every due message, holding the lease; a failing robot waits its turn again and
    the others go on (one organisation's broken robot holds nobody else back). Once
    ``stop`` is set, the message under way is the last."""
    now = now or utcnow()
    result = Posted()
    if not _due(session, now=now, limit=1):
        return result
    lease = leases.try_hold(session.get_bind(), LEASE, ttl=LEASE_TTL)
    if lease is None:
        result.skipped = True
        return result
    try:
        while True:
            batch = _due(session, now=now, limit=BATCH)
            for due in batch:
                if stop is not None and stop.is_set():  # the process is stopping
                    result.skipped = True
                    return result
                with logs.carrying(due.request_id):
                    if not _post_one(session, lease, due, result, post=post, now=now):
                        return result
            if len(batch) < BATCH:
                return result
    finally:
        lease.release()
