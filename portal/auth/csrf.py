"""Cross-site request forgery defences for every state-changing request.

1. A browser that says where the request came from must say it came from us:
   ``Sec-Fetch-Site`` is ``same-origin`` (or ``none``, typed by the user), and ``Origin``,
   when sent, is our own origin.
2. The session's own token comes back, in the form field ``csrf_token`` (plain forms) or
   the ``X-CSRF-Token`` header (htmx, and JSON calls made with a session).

Requests carrying ``Authorization: Bearer`` to the JSON API are exempt: a browser never
attaches that header to a cross-site request by itself.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from portal.kit.errors import Forbidden
from portal.kit.i18n import N_, _
from portal.models import WebSession

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

EXPIRED_MESSAGE = N_("页面已过期或缺少安全校验，请刷新页面后重试。")


def own_origin(request: Request) -> str:
    host = request.headers.get("host") or request.url.netloc
    return f"{request.url.scheme}://{host}"


def foreign_origin(request: Request) -> bool:
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    return origin is not None and origin != own_origin(request)


async def submitted_token(request: Request) -> str:
    token = request.headers.get(CSRF_HEADER)
    if token:
        return token
    if request.url.path.startswith("/api/"):
        return ""  # the JSON API takes the header only
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def enforce(request: Request, web_session: WebSession | None) -> None:
    """Raise :class:`Forbidden` unless this state-changing request is our own."""
    if foreign_origin(request):
        raise Forbidden(_("拒绝来自其他网站的请求。"))
    if web_session is None:
        raise Forbidden(EXPIRED_MESSAGE)
    token = await submitted_token(request)
    if not token or not hmac.compare_digest(token.encode(), web_session.csrf_token.encode()):
        raise Forbidden(EXPIRED_MESSAGE)
