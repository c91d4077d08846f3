"""The inbox, the notification settings, unsubscribing, and the owner's "still current"
(pages without JavaScript: forms and 303 redirects; htmx swaps the inbox in place)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from portal.auth.permissions import Principal
from portal.deps import (
    ClockDep,
    FormDataDep,
    RequestAuth,
    SessionDep,
    SignedIn,
    WebSessionDep,
    client_ip,
)
from portal.kit.errors import FieldErrors, NotFound
from portal.kit.i18n import _
from portal.kit.redirects import safe_next, see_other
from portal.kit.templating import render, templates
from portal.listings import service as listings
from portal.listings.registry import KINDS as LISTING_KINDS
from portal.models import Membership, Organization, OrgWebhook
from portal.notifications import service
from portal.notifications.kinds import KINDS, MODES
from portal.notifications.scans import confirm_current

router = APIRouter(tags=["pages"], include_in_schema=False)


async def load_unread(request: Request, session: SessionDep, _: RequestAuth) -> None:
    """App-wide: the bell's unread count for a signed-in user's pages. The query that loads
    the session counts it (``service.UNREAD_COUNT``); async, so that no request waits for a
    worker thread for it."""
    viewer = getattr(request.state, "viewer", None)
    request.state.unread_notifications = 0
    if viewer is None or request.scope["path"].startswith("/api/"):  # no URL object built
        return
    counted = getattr(request.state, "session_counts", {}).get(service.UNREAD_COUNT)
    if counted is None:  # a viewer not loaded through the session's query
        counted = await run_in_threadpool(service.unread_count, session, viewer.id)
    request.state.unread_notifications = counted


@router.get("/notifications", name="notifications")
def inbox_page(
    request: Request, session: SessionDep, principal: SignedIn, unread: str | None = None
) -> Response:
    rows = service.inbox(session, principal.user_id, unread_only=bool(unread))
    return render(
        request,
        "notifications/inbox.html",
        {"items": rows, "unread_only": bool(unread), "kinds": KINDS},
        block="inbox",
    )


@router.get("/notifications/bell", name="notification_bell")
def bell_fragment(request: Request, _principal: SignedIn) -> Response:
    """The bell alone, for htmx to refresh the count in place."""
    return templates.TemplateResponse(request, "base.html", {}, block_name="bell")


@router.post("/notifications/{notification_id}/read", name="notification_read")
def read_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    form: FormDataDep,
    notification_id: int,
) -> Response:
    row = service.mark_read(
        session, user_id=principal.user_id, notification_id=notification_id, now=clock.now()
    )
    if form.get("open"):
        return see_other(safe_next(row.url, default="/notifications"))
    return see_other(str(request.app.url_path_for("notifications")))


@router.post("/notifications/read-all", name="notifications_read_all")
def read_all_submit(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn
) -> Response:
    service.mark_all_read(session, user_id=principal.user_id, now=clock.now())
    return see_other(str(request.app.url_path_for("notifications")) + "?all_read=1")


# --- settings ----------------------------------------------------------------------------


def _owned_orgs(session: Session, principal: Principal) -> list[Organization]:
    return list(
        session.exec(
            select(Organization)
            .join(Membership, col(Membership.org_id) == col(Organization.id))
            .where(Membership.user_id == principal.user_id, Membership.role == "owner")
            .order_by(col(Organization.name))
        )
    )


def _settings_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    official = principal.user.role in ("official", "admin")
    kinds = [k for k in KINDS.values() if official or not k.officials]
    orgs = _owned_orgs(session, principal)
    hooks = {o.id: session.get(OrgWebhook, o.id) for o in orgs}
    return render(
        request,
        "notifications/settings.html",
        {
            "kinds": kinds,
            "modes": MODES,
            "chosen": service.modes_of(session, principal.user_id),
            "orgs": orgs,
            "hooks": hooks,
            "errors": errors or {},
            "saved": saved,
        },
        status_code=status_code,
    )


@router.get("/notifications/settings", name="notification_settings")
def settings_page(
    request: Request, session: SessionDep, principal: SignedIn, saved: str | None = None
) -> Response:
    return _settings_page(request, session, principal, saved=bool(saved))


@router.post("/notifications/settings", name="notification_settings_save")
def settings_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    form: FormDataDep,
) -> Response:
    modes = {
        code: str(form.get(f"mode_{code}"))
        for code in KINDS
        if isinstance(form.get(f"mode_{code}"), str)
    }
    errors: dict[str, str] = {}
    try:
        service.set_modes(session, user_id=principal.user_id, modes=modes)
        for org in _owned_orgs(session, principal):
            url, mode = form.get(f"webhook_{org.id}"), form.get(f"webhook_mode_{org.id}")
            if not isinstance(url, str) or not isinstance(mode, str):
                continue
            try:
                service.set_webhook(
                    session, principal=principal, org=org, url=url, mode=mode, now=clock.now()
                )
            except FieldErrors as refused:
                errors |= {f"{k}_{org.id}": v for k, v in refused.errors.items()}
    except FieldErrors as refused:
        errors |= refused.errors
    if errors:
        session.rollback()
        return _settings_page(request, session, principal, errors=errors, status_code=400)
    return see_other(str(request.app.url_path_for("notification_settings")) + "?saved=1")


# --- unsubscribing from a mail -----------------------------------------------------------


def _unsubscribe_context(token: str) -> dict[str, Any]:
    try:
        _user, kind = service.read_unsubscribe_token(token)
    except FieldErrors as refused:
        return {"token": token, "error": refused.errors["token"]}
    what = _("每日摘要中的所有通知") if kind == "*" else f"“{KINDS[kind].label}”"
    return {"token": token, "what": what, "error": None}


@router.get("/notifications/unsubscribe", name="unsubscribe")
def unsubscribe_page(request: Request, _web: WebSessionDep, token: str = "") -> Response:
    context = _unsubscribe_context(token)
    return render(
        request,
        "notifications/unsubscribe.html",
        context,
        status_code=400 if context["error"] else 200,
    )


@router.post("/notifications/unsubscribe", name="unsubscribe_confirm")
def unsubscribe_submit(request: Request, session: SessionDep, form: FormDataDep) -> Response:
    token = form.get("token")
    context = _unsubscribe_context(token if isinstance(token, str) else "")
    if context["error"]:
        return render(request, "notifications/unsubscribe.html", context, status_code=400)
    service.unsubscribe(session, token=context["token"])
    return render(request, "notifications/unsubscribe.html", {**context, "done": True})


# --- "still current?" ---------------------------------------------------------------------


@router.post("/listings/{kind}/{listing_id}/confirm", name="listing_confirm")
def confirm_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    kind: str,
    listing_id: int,
) -> Response:
    listing_kind = LISTING_KINDS.get(kind)
    if listing_kind is None:
        raise NotFound(_("找不到该发布"))
    row = listings.get(session, listing_kind, listing_id)
    confirm_current(
        session,
        principal=principal,
        kind=listing_kind,
        row=row,
        now=clock.now(),
        ip=client_ip(request),
    )
    return see_other(f"/{listing_kind.plural}/{listing_id}?confirmed=1")
