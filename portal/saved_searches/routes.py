"""Saved searches in pages: "保存搜索并提醒我" on the search pages, and the list to rename,
pause and delete them (forms and 303 redirects, no JavaScript needed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.deps import ClockDep, FormDataDep, SearchDep, SessionDep, SignedIn
from portal.kit.errors import FieldErrors
from portal.kit.redirects import see_other
from portal.kit.templating import render
from portal.listings.search_pages import filter_names
from portal.saved_searches import service

router = APIRouter(tags=["pages"], include_in_schema=False)


def _page(
    request: Request,
    session: SessionDep,
    principal: SignedIn,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    rows = service.of_user(session, principal.user_id)
    return render(
        request,
        "saved_searches/list.html",
        {
            "items": rows,
            "urls": {r.id: service.search_url(r) for r in rows},
            "types": service.TYPES,
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/saved-searches", name="saved_searches")
def list_page(request: Request, session: SessionDep, principal: SignedIn) -> Response:
    return _page(request, session, principal)


@router.post("/saved-searches", name="saved_search_create")
def create_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    search: SearchDep,
    form: FormDataDep,
) -> Response:
    type_ = form.get("type")
    type_ = type_ if isinstance(type_, str) else ""
    names = filter_names(type_) if type_ in service.TYPES else []  # type: ignore[arg-type]
    filters = {n: v for n in names if isinstance(v := form.get(n), str) and v}
    q = form.get("q")
    try:
        service.create(
            session,
            search.pipeline,
            user_id=principal.user_id,
            type=type_,
            q=q if isinstance(q, str) else "",
            filters=filters,
            now=clock.now(),
        )
    except FieldErrors as refused:
        return _page(request, session, principal, errors=refused.errors, status_code=400)
    return see_other(str(request.app.url_path_for("saved_searches")) + "?saved=1")


@router.post("/saved-searches/{search_id}", name="saved_search_change")
def change_submit(
    request: Request, session: SessionDep, principal: SignedIn, form: FormDataDep, search_id: int
) -> Response:
    name, paused = form.get("name"), form.get("paused")
    try:
        service.change(
            session,
            user_id=principal.user_id,
            search_id=search_id,
            name=name if isinstance(name, str) else None,
            paused={"1": True, "0": False}.get(paused) if isinstance(paused, str) else None,
        )
    except FieldErrors as refused:
        return _page(request, session, principal, errors=refused.errors, status_code=400)
    return see_other(str(request.app.url_path_for("saved_searches")))


@router.post("/saved-searches/{search_id}/delete", name="saved_search_delete")
def delete_submit(
    request: Request, session: SessionDep, principal: SignedIn, search_id: int
) -> Response:
    service.delete(session, user_id=principal.user_id, search_id=search_id)
    return see_other(str(request.app.url_path_for("saved_searches")) + "?deleted=1")
