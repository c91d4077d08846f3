"""The admins' page of the audit log, with filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from portal.audit import service
from portal.auth.permissions import Action, authorize
from portal.deps import SessionDep, SignedIn
from portal.kit.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


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
        since=datetime.combine(since_day, datetime.min.time(), UTC) if since_day else None,
        until=(
            datetime.combine(until_day, datetime.min.time(), UTC) + timedelta(days=1)
            if until_day
            else None
        ),
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
