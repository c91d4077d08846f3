"""JSON log lines: a request's carry its id, and so do the lines of the worker's job that
delivers what the request queued."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.models import OutgoingMail
from portal.notifications import worker
from portal.observability.logs import JsonFormatter
from portal.search.gateway import SearchGateway
from portal.settings import get_settings
from tests.conftest import RecordingMailer
from tests.factories import make_user
from tests.support.web import csrf_of


class Lines(logging.Handler):
    """Formats each record as it is logged, in the logging call's context, as the
    production stream handler does."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def json_lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lines]:
    """PORTAL_LOG_FORMAT=json for the app made after it; the root logger's lines, parsed."""
    monkeypatch.setenv("PORTAL_LOG_FORMAT", "json")
    get_settings.cache_clear()
    root, handler = logging.getLogger(), Lines()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)
    get_settings.cache_clear()


def test_a_request_and_the_job_it_queued_log_the_same_id(
    json_lines: Lines, client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    user = make_user(session)
    token = csrf_of(client.get("/password/forgot").text)
    answer = client.post(
        "/password/forgot",
        data={"email": user.email, "csrf_token": token},
        headers={"X-Request-ID": "req-19-forgot"},
    )
    assert answer.status_code == 200
    assert answer.headers["x-request-id"] == "req-19-forgot"
    [access] = [
        line
        for line in json_lines.lines
        if line["logger"] == "portal.access" and line["request_id"] == "req-19-forgot"
    ]
    assert access["route"] == "/password/forgot" and access["status"] == 200
    assert access["method"] == "POST" and access["duration_ms"] >= 0
    assert {"time", "level", "message"} <= access.keys()
    queued = session.exec(select(OutgoingMail).where(OutgoingMail.recipient == user.email)).one()
    assert queued.request_id == "req-19-forgot"

    worker.run_once(session.connection(), gateway=gateway, mailer=RecordingMailer())
    [sent] = [
        line
        for line in json_lines.lines
        if line["logger"] == "portal.mail" and f"mail {queued.id} sent" in line["message"]
    ]
    assert sent["request_id"] == "req-19-forgot"
