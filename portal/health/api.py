from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlmodel import Session

from matching.search import SearchBackendError, SearchUnavailable
from portal.deps import SearchDep, SessionDep
from portal.kit.i18n import _
from portal.search.gateway import SearchGateway
from portal.search.sync import last_failure

router = APIRouter(tags=["health"])


class SearchHealth(BaseModel):
    backend: str
    status: Literal["ok", "read_only", "unavailable"] = Field(
        description="ok; read_only: searches answer but changes do not reach the index "
        "(they wait in the outbox); unavailable: searches fail"
    )
    detail: str | None = Field(default=None, description="why it is not ok (zh-CN)")


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"]
    database: Literal["ok", "unavailable"]
    search: SearchHealth


def _search_health(
    request: Request, gateway: SearchGateway, session: Session | None
) -> SearchHealth:
    """Can the index be searched, and written: the backend's own check, then this
    process's drainer and the outbox events any process failed to apply."""
    backend = gateway.backend
    if not backend.health():
        return SearchHealth(
            backend=backend.name, status="unavailable", detail=_("搜索服务无法访问")
        )
    try:
        backend.check_writable()
    except SearchUnavailable as exc:
        return SearchHealth(backend=backend.name, status="unavailable", detail=str(exc))
    except SearchBackendError as exc:
        return SearchHealth(backend=backend.name, status="read_only", detail=str(exc))
    drainer = getattr(request.app.state, "drainer", None)
    failure = getattr(drainer, "last_error", None)
    if failure is None and session is not None:
        failure = last_failure(session)
    if failure:
        return SearchHealth(
            backend=backend.name,
            status="read_only",
            detail=_("索引同步失败，变更在排队：{failure}").format(failure=failure),
        )
    return SearchHealth(backend=backend.name, status="ok")


@router.get(
    "/healthz",
    response_model=Health,
    summary="Liveness and the state of the database and the search backend",
    responses={503: {"model": Health, "description": "the database is unreachable"}},
)
def healthz(request: Request, session: SessionDep, gateway: SearchDep) -> JSONResponse:
    try:
        session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        database: Literal["ok", "unavailable"] = "ok"
    except Exception:
        database = "unavailable"
    search = _search_health(request, gateway, session if database == "ok" else None)
    status: Literal["ok", "degraded", "down"] = "ok"
    if database != "ok":
        status = "down"
    elif search.status != "ok":
        status = "degraded"  # pages still render and writes still succeed
    body = Health(status=status, database=database, search=search)
    return JSONResponse(body.model_dump(), status_code=200 if database == "ok" else 503)
