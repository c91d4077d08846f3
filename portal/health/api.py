from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from portal.deps import SearchDep, SessionDep

router = APIRouter(tags=["health"])


class SearchHealth(BaseModel):
    backend: str
    status: Literal["ok", "unavailable"]


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"]
    database: Literal["ok", "unavailable"]
    search: SearchHealth


@router.get(
    "/healthz",
    response_model=Health,
    summary="Liveness and the state of the database and the search backend",
    responses={503: {"model": Health, "description": "the database is unreachable"}},
)
def healthz(session: SessionDep, gateway: SearchDep) -> JSONResponse:
    try:
        session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        database: Literal["ok", "unavailable"] = "ok"
    except Exception:
        database = "unavailable"
    search = SearchHealth(
        backend=gateway.backend.name, status="ok" if gateway.backend.health() else "unavailable"
    )
    status: Literal["ok", "degraded", "down"] = "ok"
    if database != "ok":
        status = "down"
    elif search.status != "ok":
        status = "degraded"  # pages still render and writes still succeed
    body = Health(status=status, database=database, search=search)
    return JSONResponse(body.model_dump(), status_code=200 if database == "ok" else 503)
