"""Who is making this request: loaded once per request (an app-wide dependency) from the
session cookie or, for the JSON API, a Bearer token; then the CSRF check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from portal.auth import csrf, language, sessions
from portal.auth.permissions import Principal
from portal.auth.sessions import SessionPolicy
from portal.auth.tokens import principal_from_bearer
from portal.db import write_on_read_path
from portal.dbloop import NotOnTheLoop
from portal.kit.errors import (
    PortalError,
    ServiceUnavailable,
    Unauthorized,
    portal_error_handler,
    wants_json,
)
from portal.kit.i18n import _
from portal.models import User, WebSession


class SignInRequired(Unauthorized):
    """A page that needs a signed-in user: browsers are sent to the sign-in page."""


async def sign_in_required_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PortalError)
    if request.method == "GET" and not wants_json(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    return await portal_error_handler(request, exc)


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and request.url.path.startswith("/api/"):
        return value.strip()
    return None


@dataclass(frozen=True)
class Viewer:
    """What the page layout shows of the signed-in user. A plain copy, because an error
    page is rendered after the request's transaction rolled back (rows expired)."""

    id: int
    email: str
    display_name: str
    role: str


def _set(request: Request, web_session: WebSession | None, user: User | None) -> None:
    request.state.web_session = web_session
    request.state.user = user
    request.state.viewer = (
        Viewer(id=user.id or 0, email=user.email, display_name=user.display_name, role=user.role)
        if user is not None
        else None
    )
    request.state.csrf_token = web_session.csrf_token if web_session is not None else None


def carries_credentials(request: Request) -> bool:
    """A session cookie or a Bearer token to look up (:func:`load`)."""
    return _bearer(request) is not None or bool(request.cookies.get(sessions.SESSION_COOKIE))


def load_anonymous(request: Request) -> None:
    """What :func:`load` sets for a request without credentials, without the database."""
    request.state.bearer_principal = None
    request.state.bearer_used = False
    _set(request, None, None)


def load(request: Request, session: Session, *, now: datetime, policy: SessionPolicy) -> None:
    """Who is asking: the Bearer token's principal, or the cookie session and its user.
    Blocking database work: call it from a worker thread, never on the event loop."""
    request.state.bearer_principal = None
    bearer = _bearer(request)
    if bearer is not None:
        # Token calls stand alone: no cookie session, no CSRF (see portal.auth.csrf).
        request.state.bearer_used = True
        request.state.bearer_principal = principal_from_bearer(session, bearer, now=now)
        _set(request, None, None)
        return
    request.state.bearer_used = False
    raw_id = request.cookies.get(sessions.SESSION_COOKIE)
    if not raw_id:
        _set(request, None, None)
        return
    _take(request, sessions.load_with_user(session, raw_id, now=now, policy=policy))


async def load_read_on_loop(
    request: Request, session: Session, *, now: datetime, policy: SessionPolicy
) -> bool:
    """:func:`load` for the common read, a browser's live session with nothing to write,
    on the event loop (:mod:`portal.dbloop`): no worker thread. False, having set nothing,
    when the request needs :func:`load` instead (a Bearer token, a session to delete or
    touch, a language choice to save, a read the loop cannot make)."""
    raw_id = request.cookies.get(sessions.SESSION_COOKIE)
    if not raw_id or _bearer(request) is not None:
        return False
    try:
        found = await sessions.load_with_user_on_loop(session, raw_id, now=now, policy=policy)
    except NotOnTheLoop:
        return False
    if found is not None and language.must_save(request, found.user):
        return False
    request.state.bearer_principal = None
    request.state.bearer_used = False
    _take(request, found)
    return True


def _take(request: Request, found: sessions.Loaded | None) -> None:
    """The cookie's session and user, or none of them (the cookie then cleared)."""
    if found is None:
        sessions.clear_cookie(request)
        _set(request, None, None)
        return
    web_session, user = found.row, found.user
    request.state.session_counts = found.counts
    if web_session.user_id is not None and (user is None or not user.is_active):
        # Disabling a user ends their sessions; this one is only forgotten here.
        sessions.clear_cookie(request)
        _set(request, None, None)
        return
    _set(request, web_session, user)


async def check_csrf(request: Request) -> None:
    """The CSRF check of a state-changing request, after :func:`load`."""
    if request.method in csrf.SAFE_METHODS or getattr(request.state, "bearer_used", False):
        return  # token calls stand alone: no cookie session, no CSRF (see portal.auth.csrf)
    web_session: WebSession | None = request.state.web_session
    if web_session is None and request.url.path.startswith("/api/"):
        return  # nothing ambient to abuse; the route answers 401
    await csrf.enforce(request, web_session)


def ensure_web_session(
    request: Request, session: Session, *, now: datetime, policy: SessionPolicy
) -> WebSession:
    """The request's session, or a new anonymous one (it carries the CSRF token of the
    sign-in and registration forms, and the state of an OIDC sign-in)."""
    web_session: WebSession | None = getattr(request.state, "web_session", None)
    if web_session is not None:
        return web_session
    created: list[tuple[str, WebSession]] = []

    def create() -> None:
        created.append(
            sessions.create(
                session,
                user_id=None,
                now=now,
                policy=policy,
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent"),
            )
        )

    if not write_on_read_path(session, create):
        raise ServiceUnavailable(_("服务器繁忙，请稍后刷新页面重试"))
    raw_id, web_session = created[0]
    sessions.set_cookie(request, raw_id)
    _set(request, web_session, None)
    return web_session


def start_signed_in_session(
    request: Request, session: Session, user: User, *, now: datetime, policy: SessionPolicy
) -> WebSession:
    """Sign-in: a new session id, whatever session the browser had before."""
    assert user.id is not None
    raw_id, web_session = sessions.rotate(
        session,
        getattr(request.state, "web_session", None),
        user_id=user.id,
        now=now,
        policy=policy,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    sessions.set_cookie(request, raw_id)
    _set(request, web_session, user)
    return web_session


def forget(request: Request) -> None:
    """The browser's session is gone (already deleted): clear the cookie and the state."""
    sessions.clear_cookie(request)
    _set(request, None, None)


def end_session(request: Request, session: Session) -> None:
    web_session: WebSession | None = getattr(request.state, "web_session", None)
    if web_session is not None:
        sessions.end(session, web_session)
    sessions.clear_cookie(request)
    _set(request, None, None)


def page_principal(request: Request) -> Principal | None:
    user: User | None = getattr(request.state, "user", None)
    return Principal(user=user, via="session") if user is not None else None


def api_principal(request: Request) -> Principal | None:
    if getattr(request.state, "bearer_used", False):
        principal: Principal | None = request.state.bearer_principal
        return principal
    return page_principal(request)
