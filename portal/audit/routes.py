"""The admins' page of the audit log, with filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from portal.audit import service
from portal.auth.permissions import Action, authorize
from portal.clock import HUNAN
from portal.deps import SessionDep, SignedIn
from portal.kit.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _midnight(day: date) -> datetime:
    """The start of ``day`` in Hunan, in UTC as the log stores it (SQLite compares text)."""
    return datetime.combine(day, time.min, HUNAN).astimezone(UTC)


@router.get("/admin/audit", name="audit_log")
def audit_page(
    request: Request,
    session: SessionDep,
    principal: SignedIn,
    action: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(max_length=254)] = None,
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    authorize(session, principal, Action.AUDIT_READ)
    since_day, until_day = _day(since), _day(until)
    result = service.search(
        session,
        action=action or None,
        actor=actor or None,
        # Days as the page shows times: in Hunan, from its midnight to the next.
        since=_midnight(since_day) if since_day else None,
        until=_midnight(until_day + timedelta(days=1)) if until_day else None,
        page=page,
    )
    params = {
        k: v
        for k, v in {"action": action, "actor": actor, "since": since, "until": until}.items()
        if v
    }
    return render(
        request,
        "audit/list.html",
        {
            "result": result,
            "actions": service.ACTIONS,
            "action": action or "",
            "actor": actor or "",
            "since": since or "",
            "until": until or "",
            "params": params,
        },
        block="results",
    )
