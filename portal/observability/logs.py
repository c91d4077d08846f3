"""Structured logs: one JSON object a line, each carrying the request id of the work it
belongs to.

A request's id comes from a sane ``X-Request-ID`` or is made up (:func:`request_id_from`),
is echoed in the response and lives in a context variable for the request (thread-pool
handlers included: they run in a copy of the context). Mail and WebHook messages queued
during a request record it (the listeners below), and their delivery, in ``portal worker``
or the server's outbox thread, logs under it again (:func:`carrying`).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from portal.models import OutgoingMail, WebhookDelivery

REQUEST_ID: ContextVar[str | None] = ContextVar("portal_request_id", default=None)
# Bounded and plain: the id goes into log lines, a response header and a database column.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# What the access line adds to the base fields (see portal.observability.middleware).
ACCESS_FIELDS = ("method", "route", "path", "status", "duration_ms", "client")


def request_id_from(header: str | None) -> str:
    """The client's id when it is sane, else a new one."""
    if header and _SANE_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


@contextmanager
def carrying(request_id: str | None) -> Iterator[None]:
    """Log lines inside the block carry ``request_id`` (a job done for that request)."""
    token = REQUEST_ID.set(request_id)
    try:
        yield
    finally:
        REQUEST_ID.reset(token)


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id; the access line's fields; the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        for name in ACCESS_FIELDS:
            if name in record.__dict__:
                entry[name] = record.__dict__[name]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def json_formatter() -> JsonFormatter:
    """The formatter, made where the logging is set up (each server process, the worker):
    Python's warnings become log lines too, so that every line of the output is JSON."""
    logging.captureWarnings(True)
    return JsonFormatter()


def log_config(log_format: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` (and uvicorn ``log_config``) for ``log_format``:
    everything, uvicorn's own lines included, to stderr at INFO."""
    formatter: dict[str, Any] = (
        {"()": json_formatter}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    propagate = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"portal": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "portal",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": "INFO"},
        "loggers": {
            "uvicorn": {"level": "INFO", **propagate},
            "uvicorn.error": {"level": "INFO", **propagate},
            "uvicorn.access": {"level": "INFO", **propagate},
        },
    }


def _stamp(mapper: Any, connection: Any, target: OutgoingMail | WebhookDelivery) -> None:
    if target.request_id is None:
        target.request_id = REQUEST_ID.get()


for _model in (OutgoingMail, WebhookDelivery):
    event.listen(_model, "before_insert", _stamp)
