"""Security headers on every response, and the session cookie when a handler set or
cleared it (``request.state.session_cookie``); requests carrying NUL characters, and
request bodies over the configured size, refused."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.auth.sessions import cookie_header
from portal.kit.i18n import N_, _

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # htmx and ECharts set element styles; no script can be inlined.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=63072000; includeSubDomains"


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, *, production: bool = False) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state.setdefault("user", None)
        state.setdefault("viewer", None)
        state.setdefault("csrf_token", None)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}

                def add(name: str, value: str) -> None:
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode("latin-1")))

                add("content-security-policy", CSP)
                add("x-content-type-options", "nosniff")
                add("referrer-policy", "same-origin")
                add("x-frame-options", "DENY")
                add("cross-origin-opener-policy", "same-origin")
                add("permissions-policy", "camera=(), microphone=(), geolocation=()")
                if self.production:
                    add("strict-transport-security", HSTS)
                if state.get("user") is not None or state.get("web_session") is not None:
                    # Pages for a signed-in person must not outlive the sign-out in a cache.
                    headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                cookie = state.get("session_cookie")
                if cookie is not None:
                    headers.append((b"set-cookie", cookie_header(cookie).encode("latin-1")))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# Bodies read whole to look for NUL; multipart uploads are left to their parsers (an XLSX
# file is binary), and bodies over this size to the handlers' own limits.
_CHECKED_BODIES = ("application/json", "application/x-www-form-urlencoded")
_MAX_CHECKED_BODY = 1_000_000
NUL_MESSAGE = N_("提交的内容含有空字符（NUL），无法保存。请删除后重试。")


def _has_nul(raw: bytes, *, json: bool = False) -> bool:
    """A NUL as itself, or as the encoding says it: ``%00`` in URLs and forms, ``\\u0000``
    in JSON (where ``%00`` is just text)."""
    if b"\x00" in raw:
        return True
    return b"\\u0000" in raw.lower() if json else b"%00" in raw


class NulGuard:
    """A NUL character in a path, a query or a form/JSON body is refused with a 400 before
    any handler sees it: PostgreSQL text cannot hold one, so it would otherwise surface as
    a database error halfway through a request (SQLite would store it silently)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _has_nul(scope.get("raw_path") or scope["path"].encode()) or _has_nul(
            scope.get("query_string", b"")
        ):
            await self._refuse(scope, receive, send)
            return
        content_type = Request(scope).headers.get("content-type", "").lower()
        if not content_type.startswith(_CHECKED_BODIES):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if message["type"] != "http.request" or not message.get("more_body"):
                break
            if size > _MAX_CHECKED_BODY:
                break
        body = b"".join(m.get("body", b"") for m in messages)
        is_json = content_type.startswith("application/json")
        if size <= _MAX_CHECKED_BODY and _has_nul(body, json=is_json):
            await self._refuse(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        from portal.kit.errors import refusal

        await refusal(Request(scope, receive), 400, NUL_MESSAGE)(scope, receive, send)


def _size_text(size: int) -> str:
    for unit, bytes_ in (("MB", 2**20), ("KB", 2**10)):
        if size >= bytes_:
            return f"{size / bytes_:g} {unit}"
    return _("{size} 字节").format(size=size)


class BodyLimit:
    """A request body over ``max_bytes`` is refused with a 413 before a handler holds it:
    at once when Content-Length says so, without reading it; a chunked body as soon as the
    bytes received pass the limit — the app is then told the client left, and the 413
    replaces whatever it answers to that."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        exceeded = started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def answer(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, answer)
        except Exception:
            # A handler reading the form itself fails on the "disconnect"; that is the 413.
            if not exceeded or started:
                raise
        if exceeded and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        from portal.kit.errors import refusal

        message = _("提交的内容过大（最多 {value}）。").format(value=_size_text(self.max_bytes))
        await refusal(Request(scope, receive), 413, message)(scope, receive, send)
