"""Per request: the request id, the route's count and latency, the JSON access line.

A plain ASGI middleware, outermost, so it sees every answer (the body limit's 413 and the
error pages too) at the cost of a header scan, a clock read and two in-memory samples: no
database, no route matching of its own (the router leaves the route it chose in the scope).
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.observability import logs, metrics
from portal.settings import get_settings

access_log = logging.getLogger("portal.access")
_REQUEST_ID_HEADER = b"x-request-id"


def route_of(scope: Scope) -> str:
    """The path template of the route that served the request; one label for the rest."""
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    if template:
        return str(template)
    if scope["path"].startswith(metrics.STATIC + "/"):
        return metrics.STATIC
    return metrics.UNMATCHED


class Observability:
    def __init__(self, app: ASGIApp, *, access_lines: bool) -> None:
        self.app = app
        self.access_lines = access_lines  # JSON logs: ours replace uvicorn's access log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked = next((v for k, v in scope["headers"] if k == _REQUEST_ID_HEADER), None)
        request_id = logs.request_id_from(asked.decode("latin-1") if asked else None)
        echoed = (_REQUEST_ID_HEADER, request_id.encode())
        status = 500  # if the app fails before it answers, the server sends a 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        token = logs.REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - start
            route = route_of(scope)
            metrics.observe(route, scope["method"], status, seconds)
            if self.access_lines:
                client = scope.get("client")
                access_log.info(
                    "%s %s %d",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={
                        "method": scope["method"],
                        "route": route,
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                        "client": client[0] if client else None,
                    },
                )
            logs.REQUEST_ID.reset(token)


def observed(app: ASGIApp) -> Observability:
    """``app`` inside the middleware, as the settings say (access lines with JSON logs)."""
    return Observability(app, access_lines=get_settings().portal_log_format == "json")
