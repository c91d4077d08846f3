from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from matching.engine import Strategy
from matching.search import SearchUnavailable
from portal.deps import SearchDep, SessionDep
from portal.errors import NotFound, ServiceUnavailable
from portal.matching.schemas import MatchList
from portal.matching.service import matches_for_demand, matches_for_solution
from portal.models import Demand, Solution

router = APIRouter(prefix="/api/v1", tags=["matching"])
Limit = Annotated[int, Query(ge=1, le=50)]


@router.get(
    "/demands/{demand_id}/matches",
    response_model=MatchList,
    summary="Solutions that fit a published demand, ranked and explained",
    responses={
        404: {"description": "no such published demand"},
        503: {"description": "search down"},
    },
)
def demand_matches(
    session: SessionDep,
    gateway: SearchDep,
    demand_id: int,
    limit: Limit = 10,
    strategy: Strategy = "full",
) -> MatchList:
    demand = session.get(Demand, demand_id)
    if demand is None or demand.status != "published":
        raise NotFound("找不到该需求")
    try:
        return matches_for_demand(session, gateway, demand, limit=limit, strategy=strategy)
    except SearchUnavailable as exc:
        raise ServiceUnavailable("匹配服务暂时不可用，请稍后再试", reason=str(exc)) from exc


@router.get(
    "/solutions/{solution_id}/matches",
    response_model=MatchList,
    summary="Demands a published solution can serve, ranked and explained",
    responses={
        404: {"description": "no such published solution"},
        503: {"description": "search down"},
    },
)
def solution_matches(
    session: SessionDep,
    gateway: SearchDep,
    solution_id: int,
    limit: Limit = 10,
    strategy: Strategy = "full",
) -> MatchList:
    solution = session.get(Solution, solution_id)
    if solution is None or solution.status != "published":
        raise NotFound("找不到该解决方案")
    try:
        return matches_for_solution(session, gateway, solution, limit=limit, strategy=strategy)
    except SearchUnavailable as exc:
        raise ServiceUnavailable("匹配服务暂时不可用，请稍后再试", reason=str(exc)) from exc
