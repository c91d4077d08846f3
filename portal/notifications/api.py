"""The inbox in the JSON API (session + CSRF header, or Bearer token), and the one-click
unsubscribe that mail clients POST to (RFC 8058: no session, the signed token decides)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from portal.clock import aware
from portal.deps import ApiPrincipal, ClockDep, SessionDep
from portal.kit.errors import Forbidden
from portal.kit.i18n import _
from portal.models import Notification
from portal.notifications import service
from portal.notifications.schemas import NotificationList, NotificationPublic, Unsubscribed

router = APIRouter(prefix="/api/v1", tags=["notifications"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid Bearer token or session"},
    403: {"description": "a read-only token"},
    404: {"description": "no such notification (or not yours)"},
}


def public(row: Notification) -> NotificationPublic:
    assert row.id is not None
    return NotificationPublic(
        id=row.id,
        kind=row.kind,
        title=row.title,
        url=row.url,
        created_at=aware(row.created_at),
        read_at=aware(row.read_at) if row.read_at else None,
    )


def _writer(principal: ApiPrincipal) -> None:
    if principal.scope != "write":
        raise Forbidden(_("只读令牌不能修改通知状态"))


@router.get(
    "/notifications",
    response_model=NotificationList,
    summary="The signed-in user's notifications and unread count",
    responses={401: PROBLEMS[401]},
)
def list_notifications(
    session: SessionDep,
    principal: ApiPrincipal,
    unread: bool = Query(False, description="only the unread ones"),
) -> NotificationList:
    rows = service.inbox(session, principal.user_id, unread_only=unread)
    return NotificationList(
        unread=service.unread_count(session, principal.user_id),
        items=[public(r) for r in rows],
    )


@router.post(
    "/notifications/{notification_id}/read",
    response_model=NotificationPublic,
    summary="Mark one notification read",
    responses=PROBLEMS,
)
def read_notification(
    notification_id: int, session: SessionDep, principal: ApiPrincipal, clock: ClockDep
) -> NotificationPublic:
    _writer(principal)
    row = service.mark_read(
        session, user_id=principal.user_id, notification_id=notification_id, now=clock.now()
    )
    return public(row)


@router.post(
    "/notifications/read-all",
    response_model=NotificationList,
    summary="Mark every notification read",
    responses={401: PROBLEMS[401], 403: PROBLEMS[403]},
)
def read_all(session: SessionDep, principal: ApiPrincipal, clock: ClockDep) -> NotificationList:
    _writer(principal)
    service.mark_all_read(session, user_id=principal.user_id, now=clock.now())
    return NotificationList(
        unread=0, items=[public(r) for r in service.inbox(session, principal.user_id)]
    )


@router.post(
    "/notifications/unsubscribe",
    response_model=Unsubscribed,
    summary="One-click unsubscribe (List-Unsubscribe-Post), by the signed token of a mail",
    responses={404: {"description": "the account is gone"}, 422: {"description": "a bad token"}},
)
def unsubscribe(
    session: SessionDep, token: str = Query(..., max_length=300, description="from the mail")
) -> Unsubscribed:
    _user, kinds = service.unsubscribe(session, token=token)
    return Unsubscribed(unsubscribed=kinds)
