"""Public pages as visitors without credentials see them, memoized (issue 19): most
requests of the home page, the progress page and the catalog searches come from visitors,
and each page is the same for all of them until what it shows changes.

A page is kept under its path and query, its language, the htmx request (a fragment or the
page) and ``data``: the route's own stamps of what the page is made of — the data families'
stamps (:func:`portal.dashboards.cache.data_versions`, written in the transaction of every
change, so a write in any process is seen at the next request of every process), where the
search indexes stand (:func:`portal.search.sync.applied_position`, for pages made from the
index, which is updated after the commit) and the day. It keeps one page per request, the
last made: a page over newer stamps replaces the one before (``Memo``'s stands). A
signed-in request (or one carrying a token) is never served from it, nor kept.

A signed-in viewer's page can be kept too (:func:`for_viewer`), for the viewer alone: under
the same key plus who they are (their :class:`~portal.auth.context.Viewer`: the layout shows
their name and role) and their unread count (the bell). It is made with a stand-in for the
session's CSRF token, which each answer puts back: the token is the only part of such a page
that differs between two sessions of one viewer."""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from portal.auth import context as auth_context
from portal.dashboards.cache import Memo, read_stamps_on_loop
from portal.kit.i18n import get_locale


class _Building:
    """A page being built: its lock, and how many requests hold or wait for it (the entry
    goes when the last one leaves, so that no two locks ever stand for one page)."""

    __slots__ = ("lock", "waiting")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting = 0


_pages = Memo(256)
_viewer_pages = Memo(256)
# Letters only, so it reads the same in HTML, in an attribute and in JSON (``tojson``).
_TOKEN_STAND_IN = "csrfstandin" + secrets.token_hex(16)
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")  # secrets.token_urlsafe's alphabet
_building: dict[tuple[object, ...], _Building] = {}  # the pages being built now
_guard = threading.Lock()


def for_visitors(
    request: Request, build: Callable[[], Response], *, data: tuple[object, ...]
) -> Response:
    """``build()``; for a visitor without credentials, the page kept for the same request
    over the same ``data``."""
    if not _for_visitors(request):
        return build()
    key = _request_key(request)
    kept = _pages.peek(key, data)
    if kept is None:
        with _one_build(("visitors", *key, *data)):
            kept = _pages.peek(key, data)
            if kept is None:
                response = build()
                if not _shareable(request, response):
                    return response
                kept = (bytes(response.body), list(response.raw_headers))
                _pages.put(key, kept, data)
    return _page(kept)


async def kept_on_loop(
    request: Request, session: Session, data: Callable[[], tuple[object, ...]]
) -> Response | None:
    """The page :func:`for_visitors` kept for this visitor's request over ``data()``, found on
    the event loop, the stamps read there too (:mod:`portal.dbloop`): no worker thread for
    most of a public page's requests. None when there is none, or when this request is not
    a visitor's; the handler then makes the page in a worker thread, with the stamps read
    here (no second round trip)."""
    if not _for_visitors(request) or not await read_stamps_on_loop(session):
        return None
    kept = _pages.peek(_request_key(request), data())
    return _page(kept) if kept is not None else None


def _for_visitors(request: Request) -> bool:
    """A visitor's read without credentials: the kind of request whose pages are shared."""
    return (
        request.method == "GET"
        and not auth_context.carries_credentials(request)
        and getattr(request.state, "user", None) is None
    )


def _page(kept: tuple[bytes, list[tuple[bytes, bytes]]]) -> Response:
    body, headers = kept
    page = Response(body)
    page.raw_headers = list(headers)
    return page


@contextmanager
def _one_build(key: tuple[object, ...]) -> Iterator[None]:
    """One build of a page at a time: the requests asking for it meanwhile wait for it and
    then take the kept page, rather than build it too. A cold page costs tens of
    milliseconds, a cold large catalog a second; a worker starting under load (or a viewer's
    tabs reloading at once) would otherwise build it once per request in flight, each
    slowed by the others."""
    with _guard:
        building = _building.setdefault(key, _Building())
        building.waiting += 1
    try:
        with building.lock:
            yield
    finally:
        with _guard:
            building.waiting -= 1
            if not building.waiting:
                del _building[key]


def _request_key(request: Request) -> tuple[object, ...]:
    """What a kept page is asked by: its path and query, the htmx request (a fragment or the
    page) and the language."""
    return (
        request.url.path,
        request.url.query,
        request.headers.get("hx-request"),
        request.headers.get("hx-target"),
        get_locale(),
    )


def _shareable(request: Request, response: Response) -> bool:
    """A plain page: not a redirect or an error, and nothing made for this one visitor (a
    cookie, or an anonymous session whose CSRF token a form of the page would carry)."""
    state = request.state
    return (
        response.status_code == 200
        and b"set-cookie" not in dict(response.raw_headers)
        and getattr(state, "web_session", None) is None
        and getattr(state, "session_cookie", None) is None
    )


def for_viewer(
    request: Request, build: Callable[[], Response], *, data: tuple[object, ...]
) -> Response:
    """``build()``; for a signed-in viewer's page, the page kept for the same viewer,
    request, unread count and ``data`` (which must name everything else the page shows,
    including what the viewer may do there), with this session's CSRF token put in."""
    state = request.state
    found = viewer_key(request, data)
    if found is None:
        return build()
    key, stands = found
    token = state.csrf_token
    kept = _viewer_pages.peek(key, stands)
    if kept is None:
        with _one_build(("viewer", *key, *stands)):
            kept = _viewer_pages.peek(key, stands)
            if kept is None:
                state.csrf_token = _TOKEN_STAND_IN
                try:
                    response = build()
                finally:
                    state.csrf_token = token
                if response.status_code != 200 or b"set-cookie" in dict(response.raw_headers):
                    return _with_token(bytes(response.body), response, token)
                kept = (bytes(response.body), list(response.raw_headers))
                _viewer_pages.put(key, kept, stands)
    return _kept_page(kept, token)


def kept_for_viewer(request: Request, *, data: tuple[object, ...]) -> Response | None:
    """The page :func:`for_viewer` kept for this viewer, request and ``data``, without
    building it; None when there is none."""
    found = viewer_key(request, data)
    kept = _viewer_pages.peek(*found) if found is not None else None
    return _kept_page(kept, request.state.csrf_token) if kept is not None else None


def _kept_page(kept: tuple[bytes, list[tuple[bytes, bytes]]], token: str) -> Response:
    body, headers = kept
    page = Response()
    page.raw_headers = list(headers)
    return _with_token(body, page, token)


def viewer_key(
    request: Request, data: tuple[object, ...]
) -> tuple[tuple[object, ...], tuple[object, ...]] | None:
    """What a viewer's page (or answer) is kept under, and what it stands on (a
    :class:`~portal.dashboards.cache.Memo`'s key and stands): the request and who they are;
    their unread count and ``data``. None for a request whose page is not kept (not a GET,
    no signed-in session, a token's call)."""
    state = request.state
    viewer = getattr(state, "viewer", None)
    token = getattr(state, "csrf_token", None)
    if (
        request.method != "GET"
        or viewer is None
        or token is None
        or not _PLAIN_TOKEN.fullmatch(token)
        or getattr(state, "bearer_used", False)
    ):
        return None
    return (*_request_key(request), viewer), (getattr(state, "unread_notifications", None), *data)


def _with_token(body: bytes, response: Response, token: str) -> Response:
    """``response`` answering ``body`` with the stand-in replaced by the session's token."""
    response.body = body.replace(_TOKEN_STAND_IN.encode(), token.encode())
    response.raw_headers = [
        (name, value) for name, value in response.raw_headers if name != b"content-length"
    ]
    response.raw_headers.append((b"content-length", str(len(response.body)).encode()))
    return response


def forget() -> None:
    _pages.clear()
    _viewer_pages.clear()
