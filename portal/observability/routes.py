"""``GET /metrics``: Prometheus's text format, for the addresses in PORTAL_METRICS_ALLOW
only (a 404 for everyone else, as if there were no such page). Not JSON, so not in OpenAPI."""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry
from starlette.exceptions import HTTPException

from portal.deps import SessionDep, client_ip
from portal.observability import gauges, metrics
from portal.settings import get_settings

router = APIRouter(include_in_schema=False)


def allowed(ip: str | None) -> bool:
    """Whether the client's address (as uvicorn reports it, X-Forwarded-For believed from
    the trusted proxies only) is in the allow list."""
    if ip is None:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in network for network in get_settings().metrics_allow)


@router.get("/metrics")
def metrics_page(request: Request, session: SessionDep) -> Response:
    if not allowed(client_ip(request)):
        raise HTTPException(status_code=404)
    backlog = CollectorRegistry(auto_describe=False)
    backlog.register(gauges.BacklogCollector(session))
    return Response(metrics.exposition(backlog), media_type=CONTENT_TYPE_LATEST)
