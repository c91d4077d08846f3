"""Public pages as visitors without credentials see them, memoized (issue 19): most
requests of the home page, the progress page and the catalog searches come from visitors,
and each page is the same for all of them until what it shows changes.

A page is kept under its path and query, its language, the htmx request (a fragment or the
page) and ``data``: the route's own stamps of what the page is made of — the data families'
stamps (:func:`portal.dashboards.cache.data_versions`, written in the transaction of every
change, so a write in any process is seen at the next request of every process), where the
search indexes stand (:func:`portal.search.sync.applied_position`, for pages made from the
index, which is updated after the commit) and the day. A signed-in request (or one carrying
a token) is never served from it, nor kept."""

from __future__ import annotations

import threading
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response

from portal.auth import context as auth_context
from portal.dashboards.cache import Memo
from portal.kit.i18n import get_locale

_pages = Memo(256)
_building: dict[tuple[object, ...], threading.Lock] = {}  # the pages being built now
_guard = threading.Lock()


def for_visitors(
    request: Request, build: Callable[[], Response], *, data: tuple[object, ...]
) -> Response:
    """``build()``; for a visitor without credentials, the page kept for the same request
    over the same ``data``."""
    if (
        request.method != "GET"
        or auth_context.carries_credentials(request)
        or getattr(request.state, "user", None) is not None
    ):
        return build()
    key = (
        request.url.path,
        request.url.query,
        request.headers.get("hx-request"),
        request.headers.get("hx-target"),
        get_locale(),
        *data,
    )
    kept = _pages.peek(key)
    if kept is None:
        # One build per page at a time: the visitors asking for it meanwhile wait for it
        # rather than build it too (a cold page of a large catalog takes a second).
        with _guard:
            building = _building.setdefault(key, threading.Lock())
        try:
            with building:
                kept = _pages.peek(key)
                if kept is None:
                    response = build()
                    if not _shareable(request, response):
                        return response
                    kept = (bytes(response.body), list(response.raw_headers))
                    _pages.put(key, kept)
        finally:
            with _guard:
                _building.pop(key, None)
    body, headers = kept
    page = Response(body)
    page.raw_headers = list(headers)
    return page


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


def forget() -> None:
    _pages.clear()
