"""Mail is a row in the transaction that calls for it, rendered from a template, and
delivered after the commit: retried with back-off while the server fails, sent once by one
deliverer at a time, never sent for a transaction that rolled back."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jinja2 import UndefinedError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select
from typer.testing import CliRunner

from portal import mail as outgoing
from portal import queued
from portal.bootstrap import ensure_ready
from portal.cli import app as cli
from portal.clock import aware
from portal.db import session_scope
from portal.kit.templating import ROOT
from portal.mail import Mail, Mailer, deliver_pending, queue_mail, render_mail
from portal.models import OutgoingMail, utcnow
from portal.settings import Settings
from tests.conftest import RecordingMailer
from tests.factories import make_user
from tests.support.web import csrf_of

LINK = "https://testserver/password/reset/abc"


def test_without_smtp_mail_is_written_under_the_data_dir(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    mailer = Mailer(Settings(portal_data_dir=tmp_path, portal_smtp_host=None))
    with caplog.at_level("WARNING", logger="portal.mail"):
        mailer.send(Mail(to="a@example.com", subject="重置密码", body="链接：https://x/y"))
    [file] = (tmp_path / "mail").glob("*.eml")
    message = message_from_bytes(file.read_bytes(), policy=policy.default)
    assert message["To"] == "a@example.com" and message["Subject"] == "重置密码"
    assert "https://x/y" in message.get_content()  # type: ignore[attr-defined]
    assert "a@example.com" in caplog.text and "https://x/y" not in caplog.text


# --- texts from templates ------------------------------------------------------------------


def test_the_subject_and_body_come_from_the_template() -> None:
    subject, body = render_mail("password_reset", {"hours": 1, "link": LINK})
    template = (ROOT / "templates/mail/password_reset.txt").read_text(encoding="utf-8")
    assert subject == "重置您在湖南5G应用产业生态对接平台的密码" in template.splitlines()[0]
    assert body.startswith("您好，\n\n请在 1 小时内") and f"\n{LINK}\n" in body
    assert body.endswith("您的密码不会改变。\n")  # the final newline is kept


def test_mail_text_is_not_html_escaped_and_a_missing_value_is_an_error() -> None:
    context = {"org_name": "A&B<湘江>", "inviter": "张三", "role": "成员", "days": 7, "link": LINK}
    subject, body = render_mail("invitation", context)
    assert subject == "邀请您加入“A&B<湘江>”" and "“A&B<湘江>”" in body
    with pytest.raises(UndefinedError):  # never a mail with a blank where the link was
        render_mail("invitation", {k: v for k, v in context.items() if k != "link"})


def test_queue_mail_only_adds_a_row_to_the_callers_transaction(session: Session) -> None:
    class Refusing(Mailer):
        def send(self, mail: Mail) -> None:
            raise AssertionError("queue_mail talked to the mail server")

    row = queue_mail(
        session,
        to="a@example.com",
        template="password_reset",
        context={"hours": 1, "link": LINK},
        headers={"List-Unsubscribe": "<https://testserver/unsubscribe>"},
    )
    session.flush()
    assert row.id is not None and row.sent_at is None and row.attempts == 0
    assert row.subject == "重置您在湖南5G应用产业生态对接平台的密码"
    session.rollback()
    assert session.exec(select(OutgoingMail)).all() == []  # gone with the transaction
    assert deliver_pending(session, Refusing(Settings())).sent == 0


# --- delivery --------------------------------------------------------------------------------


def test_the_eml_file_of_development_appears_after_delivery(
    session: Session, tmp_path: Path
) -> None:
    queue_mail(
        session,
        to="a@example.com",
        template="password_reset",
        context={"hours": 1, "link": LINK},
        headers={"List-Unsubscribe": "<https://testserver/unsubscribe>"},
    )
    session.commit()
    assert not (tmp_path / "mail").exists()  # queued, not sent
    result = deliver_pending(session, Mailer(Settings(portal_data_dir=tmp_path)))
    assert result.sent == 1 and result.error is None
    [file] = (tmp_path / "mail").glob("*.eml")
    message = message_from_bytes(file.read_bytes(), policy=policy.default)
    assert message["To"] == "a@example.com"
    assert message["Subject"] == "重置您在湖南5G应用产业生态对接平台的密码"
    assert message["List-Unsubscribe"] == "<https://testserver/unsubscribe>"
    assert LINK in message.get_content()  # type: ignore[attr-defined]
    [row] = session.exec(select(OutgoingMail)).all()
    assert row.sent_at is not None and row.attempts == 1 and row.last_error is None
    assert deliver_pending(session, Mailer(Settings(portal_data_dir=tmp_path))).sent == 0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_failing_smtp_server_is_retried_later_with_back_off(
    session: Session, tmp_path: Path
) -> None:
    for n in (1, 2):
        queue_mail(
            session,
            to=f"{n}@example.com",
            template="password_reset",
            context={"hours": 1, "link": LINK},
        )
    session.commit()
    down = Mailer(Settings(portal_smtp_host="127.0.0.1", portal_smtp_port=_closed_port()))
    t0 = utcnow()
    failed = deliver_pending(session, down, now=t0)
    assert failed.sent == 0 and failed.failed == 1 and failed.error  # stops at the first failure
    first, second = session.exec(select(OutgoingMail).order_by(col(OutgoingMail.id))).all()
    session.refresh(first)
    session.refresh(second)
    assert first.attempts == 1 and first.last_error and first.sent_at is None
    assert second.attempts == 0  # not tried: the server is likely down for it too
    assert aware(first.next_attempt_at) == t0 + timedelta(minutes=1)
    # The second is due still; it fails too, and each waits its own time.
    assert deliver_pending(session, down, now=t0).failed == 1
    assert deliver_pending(session, down, now=t0 + timedelta(seconds=30)).failed == 0
    deliver_pending(session, down, now=t0 + timedelta(minutes=1))
    session.refresh(first)
    assert first.attempts == 2
    assert aware(first.next_attempt_at) == t0 + timedelta(minutes=3)
    # The server is back: each mail goes once.
    up = RecordingMailer()
    assert deliver_pending(session, up, now=t0 + timedelta(minutes=3)).sent == 2
    assert deliver_pending(session, up, now=t0 + timedelta(hours=2)).sent == 0
    assert sorted(m.to for m in up.delivered) == ["1@example.com", "2@example.com"]
    assert outgoing.pending_count(session) == 0


def test_the_retry_wait_doubles_up_to_an_hour() -> None:
    waits = [queued.retry_delay(n) for n in range(1, 10)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] == timedelta(hours=1) and max(waits) == timedelta(hours=1)
    assert queued.retry_delay(500) == timedelta(hours=1)


@pytest.fixture
def committed_mail(engine: Engine) -> Iterator[list[str]]:
    """Three mails committed to the suite's database (so other connections see them), and
    removed afterwards with the lease."""
    tag = uuid.uuid4().hex[:8]
    recipients = [f"{tag}-{n}@example.com" for n in range(3)]
    with Session(engine) as session:
        for to in recipients:
            queue_mail(
                session, to=to, template="password_reset", context={"hours": 1, "link": LINK}
            )
        session.commit()
    yield recipients
    with Session(engine) as session:
        session.execute(delete(OutgoingMail).where(col(OutgoingMail.recipient).in_(recipients)))
        session.commit()


def test_two_deliverers_at_once_send_each_mail_once(
    engine: Engine, committed_mail: list[str]
) -> None:
    """Deliverer A is sending its first mail when deliverer B starts: B must not send the
    mails A has claimed but not yet marked."""
    sending, b_done = threading.Event(), threading.Event()
    sent: list[str] = []

    class Slow(Mailer):
        def send(self, mail: Mail) -> None:
            sending.set()
            b_done.wait(timeout=30)
            sent.append(mail.to)

    class Quick(Mailer):
        def send(self, mail: Mail) -> None:
            sent.append(mail.to)

    def deliver_a() -> None:
        with Session(engine) as session:
            deliver_pending(session, Slow(Settings()))

    a = threading.Thread(target=deliver_a)
    a.start()
    try:
        assert sending.wait(timeout=30), "deliverer A never sent"
        with Session(engine) as session:
            b = deliver_pending(session, Quick(Settings()))
    finally:
        b_done.set()
        a.join()
    assert b.skipped and b.sent == 0
    assert sorted(sent) == committed_mail  # each once, by A


# --- a request's transaction ----------------------------------------------------------------


def test_a_request_whose_commit_fails_sends_no_mail(
    app: FastAPI, client: TestClient, session: Session, mailbox: RecordingMailer
) -> None:
    user = make_user(session)
    token = csrf_of(client.get("/password/forgot").text)
    refused: list[str] = []

    def refuse(committing: Session) -> None:
        if not committing.in_nested_transaction():  # the request's commit, not a savepoint's
            refused.append("commit")
            raise RuntimeError("the disk is full")

    event.listen(session, "before_commit", refuse)
    try:
        with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
            c.cookies = client.cookies
            response = c.post("/password/forgot", data={"email": user.email, "csrf_token": token})
    finally:
        event.remove(session, "before_commit", refuse)
    assert refused and response.status_code == 500
    assert mailbox.sent == []  # no link to a reset that was never saved
    assert session.exec(select(OutgoingMail)).all() == []
    # The same request, committed, mails the link.
    client.post("/password/forgot", data={"email": user.email, "csrf_token": token})
    [mail] = mailbox.sent
    assert mail.to == user.email and "/password/reset/" in mail.body


def test_portal_sync_sends_what_is_due(data_dir: Path) -> None:
    ensure_ready()
    with session_scope(write=True) as session:
        queue_mail(
            session,
            to="a@example.com",
            template="password_reset",
            context={"hours": 1, "link": LINK},
        )
    synced = CliRunner().invoke(cli, ["sync"])
    assert synced.exit_code == 0, synced.output
    assert "已发送 1 封邮件，待发送 0 封。" in synced.output and "待处理 0 条" in synced.output
    [file] = (data_dir / "mail").glob("*.eml")  # no SMTP host: the development set-up
    assert LINK in file.read_text(encoding="utf-8")
