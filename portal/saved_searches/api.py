"""Saved searches in the JSON API (session + CSRF header, or Bearer token)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from portal.clock import aware
from portal.deps import ApiPrincipal, ClockDep, SearchDep, SessionDep
from portal.kit.errors import Forbidden
from portal.kit.i18n import _
from portal.models import SavedSearch
from portal.saved_searches import service
from portal.saved_searches.schemas import SavedSearchCreate, SavedSearchPublic, SavedSearchUpdate

router = APIRouter(prefix="/api/v1", tags=["saved searches"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid Bearer token or session"},
    403: {"description": "a read-only token"},
    404: {"description": "no such saved search (or not yours)"},
    422: {"description": "a field is invalid: `errors` lists each field with its reason"},
}


def public(row: SavedSearch) -> SavedSearchPublic:
    assert row.id is not None
    return SavedSearchPublic(
        id=row.id,
        type=row.type,
        name=row.name,
        q=row.q,
        filters=row.filters,
        paused=row.paused,
        url=service.search_url(row),
        created_at=aware(row.created_at),
    )


def _writer(principal: ApiPrincipal) -> None:
    if principal.scope != "write":
        raise Forbidden(_("只读令牌不能修改保存的搜索"))


@router.post(
    "/saved-searches",
    status_code=201,
    response_model=SavedSearchPublic,
    summary="Save a search of solutions or demands; new matching listings alert",
    responses=PROBLEMS,
)
def create(
    body: SavedSearchCreate,
    session: SessionDep,
    principal: ApiPrincipal,
    clock: ClockDep,
    search: SearchDep,
) -> SavedSearchPublic:
    _writer(principal)
    row = service.create(
        session,
        search.pipeline,
        user_id=principal.user_id,
        type=body.type,
        q=body.q,
        filters=body.filters,
        name=body.name,
        now=clock.now(),
    )
    return public(row)


@router.get(
    "/saved-searches",
    response_model=list[SavedSearchPublic],
    summary="The signed-in user's saved searches",
    responses={401: PROBLEMS[401]},
)
def list_saved(session: SessionDep, principal: ApiPrincipal) -> list[SavedSearchPublic]:
    return [public(r) for r in service.of_user(session, principal.user_id)]


@router.patch(
    "/saved-searches/{search_id}",
    response_model=SavedSearchPublic,
    summary="Rename, pause or resume a saved search",
    responses=PROBLEMS,
)
def change(
    search_id: int, body: SavedSearchUpdate, session: SessionDep, principal: ApiPrincipal
) -> SavedSearchPublic:
    _writer(principal)
    row = service.change(
        session, user_id=principal.user_id, search_id=search_id, name=body.name, paused=body.paused
    )
    return public(row)


@router.delete(
    "/saved-searches/{search_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a saved search",
    responses={401: PROBLEMS[401], 403: PROBLEMS[403], 404: PROBLEMS[404]},
)
def delete(search_id: int, session: SessionDep, principal: ApiPrincipal) -> Response:
    _writer(principal)
    service.delete(session, user_id=principal.user_id, search_id=search_id)
    return Response(status_code=204)
