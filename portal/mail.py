"""Outgoing mail. With ``PORTAL_SMTP_HOST`` set, mail goes through SMTP; otherwise (the
development set-up) each message is written as an ``.eml`` file under
``PORTAL_DATA_DIR/mail`` and logged, so a developer or a browser test can read it."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from secrets import token_hex

from portal.settings import Settings, get_settings

log = logging.getLogger("portal.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.portal_smtp_from
        message["To"] = mail.to
        message["Subject"] = mail.subject
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
        path.write_bytes(bytes(message))
        return path


def get_mailer() -> Mailer:
    return Mailer(get_settings())
