"""Security headers on every response, and the session cookie when a handler set or
cleared it (``request.state.session_cookie``)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.auth.sessions import cookie_header

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
