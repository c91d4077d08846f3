from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from matching.search import SearchUnavailable
from portal.deps import SearchDep
from portal.kit.errors import ServiceUnavailable
from portal.kit.i18n import _
from portal.kit.pagination import MAX_PER_PAGE
from portal.search.schemas import SearchResultPublic, SearchType, SortOption
from portal.search.service import SearchQuery, search

router = APIRouter(prefix="/api/v1", tags=["search"])


@router.get(
    "/search",
    response_model=SearchResultPublic,
    summary="Faceted search over published solutions, demands, benchmark cases, funding "
    "calls, shared technology platforms or incubation cohorts",
    responses={503: {"description": "the search backend is unavailable"}},
)
def search_api(
    gateway: SearchDep,
    type: SearchType,
    q: Annotated[str, Query(max_length=200)] = "",
    industry: str | None = None,
    scenario: str | None = None,
    capability: str | None = None,
    city: str | None = None,
    zone: str | None = None,
    org_kind: str | None = None,
    evidence: str | None = None,
    stage: str | None = None,
    platform_capability: str | None = None,
    access: str | None = None,
    support: str | None = None,
    sort: SortOption = "relevance",
    page: Annotated[int, Query(ge=1, le=500)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
) -> SearchResultPublic:
    query = SearchQuery(
        type=type,
        q=q,
        industry=industry or None,
        scenario=scenario or None,
        capability=capability or None,
        city=city or None,
        zone=zone or None,
        org_kind=org_kind or None,
        evidence=evidence or None,
        stage=stage or None,
        platform_capability=platform_capability or None,
        access=access or None,
        support=support or None,
        sort=sort,
        page=page,
        per_page=per_page,
    )
    try:
        return search(gateway, query)
    except SearchUnavailable as exc:
        raise ServiceUnavailable(_("搜索服务暂时不可用，请稍后再试"), reason=str(exc)) from exc
