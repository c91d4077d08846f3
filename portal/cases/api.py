from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from portal.cases.schemas import UseCaseList
from portal.cases.service import get_case, list_cases
from portal.deps import SessionDep
from portal.kit.pagination import MAX_PER_PAGE
from portal.models import UseCasePublic

router = APIRouter(prefix="/api/v1", tags=["cases"])


@router.get("/cases", response_model=UseCaseList, summary="Benchmark cases (标杆案例)")
def cases(
    session: SessionDep,
    industry: str | None = None,
    city: str | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
) -> UseCaseList:
    result = list_cases(session, industry=industry, city=city, page=page, per_page=per_page)
    return UseCaseList(
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        items=[UseCasePublic.model_validate(c, from_attributes=True) for c in result.items],
    )


@router.get("/cases/{case_id}", response_model=UseCasePublic, summary="One benchmark case")
def case(session: SessionDep, case_id: int) -> UseCasePublic:
    return UseCasePublic.model_validate(get_case(session, case_id), from_attributes=True)
