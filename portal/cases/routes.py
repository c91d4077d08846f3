from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from matching.search import SearchBackendError
from portal.cases.service import get_case, list_cases, split_sources
from portal.deps import SearchDep, SessionDep
from portal.matching.service import similar_solutions
from portal.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/cases", name="cases")
def cases_page(
    request: Request,
    session: SessionDep,
    industry: Annotated[str | None, Query()] = None,
    city: Annotated[str | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    industry = industry or None
    city = city or None
    result = list_cases(session, industry=industry, city=city, page=page, per_page=12)
    return render(
        request,
        "cases/list.html",
        {"result": result, "industry": industry, "city": city},
        block="results",
    )


@router.get("/cases/{case_id}", name="case")
def case_page(request: Request, session: SessionDep, gateway: SearchDep, case_id: int) -> Response:
    case = get_case(session, case_id)
    try:
        similar = similar_solutions(gateway, case).matches
        search_down = False
    except SearchBackendError:
        similar, search_down = [], True
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "sources": split_sources(case.source),
            "similar": similar,
            "search_down": search_down,
        },
    )
