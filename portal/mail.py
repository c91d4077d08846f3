"""Outgoing mail: queued in the caller's transaction, delivered after the commit.

:func:`queue_mail` renders ``templates/mail/<name>.txt`` and adds an :class:`OutgoingMail`
row in the caller's transaction; it never talks to a mail server. So a request holds no
write lock while SMTP answers, and a transaction that rolls back (a failed commit) mails
nothing, never a link to a row that does not exist. A mail template's first line is the
subject, the second is empty, the rest is the body (plain text, nothing escaped).

:func:`deliver_pending` sends due rows, run by the outbox runner after each commit that
queued mail and by ``portal sync``. It holds the database lease ``mail-outbox``, so one
process delivers at a time, and marks each mail sent in a transaction of its own right after
the server took it. A failure counts an attempt and makes the mail due again later, the
wait doubling from a minute up to an hour; nothing is dropped.

Delivery is at least once: a process that dies (or loses the lease, paused past its
``ttl``) after the server took a mail and before the mark was committed leaves the mail
due, and it is sent again once the lease expires. Only that window, one mail wide, repeats.

With ``PORTAL_SMTP_HOST`` set, mail goes through SMTP; otherwise (the development set-up)
each message is written as an ``.eml`` file under ``PORTAL_DATA_DIR/mail`` and logged, so a
developer or a browser test can read it.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from secrets import token_hex
from typing import Any

from jinja2 import StrictUndefined
from sqlmodel import Session, col, func, select

from portal import leases, outbox, queued
from portal.kit.templating import templates
from portal.models import OutgoingMail, utcnow
from portal.observability import logs
from portal.queued import Tally
from portal.settings import Settings, get_settings

log = logging.getLogger("portal.mail")

BATCH = 50
LEASE = "mail-outbox"
# Renewed before each send when less than half is left: a send (each SMTP step times out
# after 20 s) starts with minutes to spare. A deliverer that died holds mail back this long.
LEASE_TTL = timedelta(minutes=5)

# The pages' templates folder and filters, but plain text: nothing is HTML-escaped, the final
# newline is kept, and a missing variable is an error rather than a blank link.
_texts = templates.env.overlay(
    autoescape=False, keep_trailing_newline=True, undefined=StrictUndefined
)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.portal_smtp_from
        message["To"] = mail.to
        message["Subject"] = mail.subject
        if mail.reply_to:
            message["Reply-To"] = mail.reply_to
        for name, value in mail.headers.items():
            message[name] = value
        message.set_content(mail.body)
        return message

    def send(self, mail: Mail) -> None:
        message = self._message(mail)
        settings = self.settings
        if settings.portal_smtp_host:
            with smtplib.SMTP(
                settings.portal_smtp_host, settings.portal_smtp_port, timeout=20
            ) as smtp:
                if settings.portal_smtp_starttls:
                    smtp.starttls()
                if settings.portal_smtp_user and settings.portal_smtp_password:
                    smtp.login(settings.portal_smtp_user, settings.portal_smtp_password)
                smtp.send_message(message)
            log.info("mail sent to %s: %s", mail.to, mail.subject)
            return
        path = self.write_file(message, settings.mail_dir)
        # The file, not the log, holds the body: links in it are secrets.
        log.warning("mail to %s written to %s (no SMTP host configured)", mail.to, path)

    @staticmethod
    def write_file(message: EmailMessage, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = directory / f"{stamp}-{token_hex(4)}.eml"
        # Written aside, then renamed: whoever watches the folder never reads half a mail.
        partial = path.with_suffix(".part")
        partial.write_bytes(bytes(message))
        partial.replace(path)
        return path


def get_mailer() -> Mailer:
    return Mailer(get_settings())


# --- queueing ------------------------------------------------------------------------------


def render_mail(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """The subject and body of ``templates/mail/<template>.txt`` for ``context``."""
    text = _texts.get_template(f"mail/{template}.txt").render(context)
    subject, _, rest = text.partition("\n")
    blank, _, body = rest.partition("\n")
    if not subject.strip() or blank.strip():
        raise ValueError(f"mail/{template}.txt: the subject line, then an empty line")
    return subject.strip(), body


def queue_mail(
    session: Session,
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> OutgoingMail:
    """Add the mail to the caller's transaction; it is sent after the commit, never before."""
    subject, body = render_mail(template, context)
    row = OutgoingMail(
        recipient=to, subject=subject, body=body, reply_to=reply_to, headers=headers or {}
    )
    session.add(row)
    outbox.written(session)
    return row


# --- delivery ------------------------------------------------------------------------------


Delivery = Tally  # what a round of delivery did


@dataclass(frozen=True)
class _Due:
    id: int
    attempts: int
    mail: Mail
    request_id: str | None = None  # the request that queued it: its log lines carry it


def _due(session: Session, *, now: datetime, limit: int) -> list[_Due]:
    rows = session.exec(
        select(OutgoingMail)
        .where(col(OutgoingMail.sent_at).is_(None), col(OutgoingMail.next_attempt_at) <= now)
        .order_by(col(OutgoingMail.id))
        .limit(limit)
    ).all()
    # Plain values: reading an expired row after the commit would start a read transaction
    # that each mark would then have to turn into a write one.
    due = [
        _Due(
            row.id,
            row.attempts,
            Mail(row.recipient, row.subject, row.body, row.reply_to, dict(row.headers)),
            row.request_id,
        )
        for row in rows
        if row.id is not None
    ]
    session.commit()  # end the read: the lease and each mark run in transactions of their own
    return due


def _deliver_held(
    session: Session,
    mailer: Mailer,
    lease: leases.HeldLease,
    *,
    batch: int,
    now: datetime,
    stop: threading.Event | None = None,
) -> Delivery:
    """Send up to ``batch`` due mails, in order, holding ``lease``; stop at the first failure
    (the server is likely down: the others wait for the next round)."""
    result = Delivery()
    for due in _due(session, now=now, limit=batch):
        if stop is not None and stop.is_set():  # the process is stopping: the rest waits
            result.skipped = True
            return result
        with logs.carrying(due.request_id):
            if not _deliver_one(session, mailer, lease, due, result, now=now):
                return result
    return result


def _deliver_one(
    session: Session,
    mailer: Mailer,
    lease: leases.HeldLease,
    due: _Due,
    result: Delivery,
    *,
    now: datetime,
) -> bool:
    """Send one mail and mark it; False when delivery must stop for this round: the lease
    was lost, or the server refused (it likely refuses the next one too)."""
    outcome = queued.attempt(
        session,
        lease,
        OutgoingMail,
        row_id=due.id,
        attempts=due.attempts,
        send=lambda: mailer.send(due.mail),
        tally=result,
        now=now,
        log=log,
        label=f"mail {due.id}",
        to=due.mail.to,
    )
    return outcome == "sent"


def _any_due(session: Session, now: datetime) -> bool:
    return bool(_due(session, now=now, limit=1))


def deliver_pending(
    session: Session, mailer: Mailer, *, batch: int = BATCH, now: datetime | None = None
) -> Delivery:
    """Send up to ``batch`` due mails when this process can have the ``mail-outbox`` lease;
    when another process holds it, skip (``skipped``): that one is delivering."""
    now = now or utcnow()
    if not _any_due(session, now):
        return Delivery()
    lease = leases.try_hold(session.get_bind(), LEASE, ttl=LEASE_TTL)
    if lease is None:
        return Delivery(skipped=True)
    try:
        return _deliver_held(session, mailer, lease, batch=batch, now=now)
    finally:
        lease.release()


def deliver_all(
    session: Session,
    mailer: Mailer,
    *,
    wait: float = 0,
    now: datetime | None = None,
    stop: threading.Event | None = None,
) -> Delivery:
    """Send every due mail, stopping at a failure; ``skipped`` when another process held the
    lease for longer than ``wait`` seconds, or ``stop`` was set (after the mail under way)."""
    now = now or utcnow()
    if not _any_due(session, now):
        return Delivery()
    try:
        lease = leases.hold(session.get_bind(), LEASE, ttl=LEASE_TTL, wait=wait)
    except leases.LeaseBusy:
        return Delivery(skipped=True)
    total = Delivery()
    try:
        while True:
            step = _deliver_held(session, mailer, lease, batch=BATCH, now=now, stop=stop)
            total.sent += step.sent
            total.failed += step.failed
            if step.error or step.skipped or step.sent < BATCH:
                total.error, total.skipped = step.error, step.skipped
                return total
    finally:
        lease.release()


def pending_count(session: Session) -> int:
    """Mails not yet sent, due now or waiting to be retried."""
    unsent = (
        select(func.count()).select_from(OutgoingMail).where(col(OutgoingMail.sent_at).is_(None))
    )
    return int(session.exec(unsent).one())


class MailDrain:
    """The mail outbox's drain, run by the process's :class:`portal.outbox.OutboxRunner`."""

    name = "mail"

    def __init__(self, session_factory: Callable[[], Session], mailer: Mailer) -> None:
        self._session_factory = session_factory
        self._mailer = mailer

    def round(self) -> outbox.Round:
        with self._session_factory() as session:
            result = deliver_pending(session, self._mailer)
        return outbox.Round(processed=result.sent, error=result.error, more=result.sent >= BATCH)
