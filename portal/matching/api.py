"""Ranked matches in the JSON API: a demand's solutions and a solution's demands. Like the
demand page and the vendors' opportunities page, they are for the listing's own
organisation and officials (``Action.LISTING_VIEW_PRIVATE``, the rule those pages use)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from matching.engine import Strategy
from matching.search import SearchUnavailable
from portal.auth.permissions import Action, Principal, authorize
from portal.clock import get_clock
from portal.dashboards.cache import data_versions, stamps_known
from portal.deps import ApiPrincipal, SearchDep, SessionDep
from portal.kit.errors import NotFound, ServiceUnavailable
from portal.kit.i18n import _
from portal.listings import service as listings
from portal.listings.registry import DEMAND, SOLUTION, ListingKind
from portal.matching.schemas import MatchList
from portal.matching.service import demand_ranking_json, matches_for_solution, viewer_answers
from portal.models import Organization
from portal.page_memo import viewer_key
from portal.search.gateway import SearchGateway
from portal.search.sync import applied_position

router = APIRouter(prefix="/api/v1", tags=["matching"])
Limit = Annotated[int, Query(ge=1, le=50)]

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid Bearer token or session"},
    403: {"description": "not a member of the owning organisation, nor an official"},
    503: {"description": "search down"},
}


def _published(
    session: SessionDep, principal: ApiPrincipal, kind: ListingKind, listing_id: int
) -> tuple[Any, Organization]:
    """The published listing and its organisation, once ``principal`` may see its matches."""
    found = listings.with_org(session, kind, listing_id, principal)
    if found is None or found[0].status != "published":
        raise NotFound(_("找不到该需求") if kind is DEMAND else _("找不到该解决方案"))
    authorize(session, principal, Action.LISTING_VIEW_PRIVATE, org=found[1])
    return found


@router.get(
    "/demands/{demand_id}/matches",
    response_model=MatchList,
    summary="Solutions that fit a published demand, ranked and explained (its owners, officials)",
    responses={**_PROBLEMS, 404: {"description": "no such published demand"}},
)
async def demand_matches(
    request: Request,
    session: SessionDep,
    gateway: SearchDep,
    principal: ApiPrincipal,
    demand_id: int,
    limit: Limit = 10,
    strategy: Strategy = "full",
) -> Response:
    # A signed-in owner's or official's repeated call: the answer they were given while
    # nothing it stands on changed, found on the event loop with the stamps their
    # session's query read (no worker thread, no other round trip).
    kept = _viewer_key(request, session)
    ranking = viewer_answers.peek(*kept) if kept is not None else None
    if ranking is None:
        ranking = await run_in_threadpool(
            _demand_ranking, session, gateway, principal, demand_id, limit, strategy
        )
        if kept is not None:
            key, stands = kept
            viewer_answers.put(key, ranking, stands)  # the rankings' own bytes, not a copy
    return Response(ranking, media_type="application/json")


def _demand_ranking(
    session: Session,
    gateway: SearchGateway,
    principal: Principal,
    demand_id: int,
    limit: int,
    strategy: Strategy,
) -> bytes:
    demand, org = _published(session, principal, DEMAND, demand_id)
    try:
        # The ranking is kept as this answer's JSON: sent as it is.
        return demand_ranking_json(
            session, gateway, demand, limit=limit, strategy=strategy, org=org
        )
    except SearchUnavailable as exc:
        raise ServiceUnavailable(_("匹配服务暂时不可用，请稍后再试"), reason=str(exc)) from exc


# The answers of the demand matches route are kept for each signed-in viewer (session, not
# token) and request while the demands, organisations and memberships (what the viewer may
# see), the solutions index and the day stand as they did.
_ANSWER_READS = ("demands", "programmes", "members")


def _viewer_key(
    request: Request, session: Session
) -> tuple[tuple[object, ...], tuple[object, ...]] | None:
    if not stamps_known(session):
        return None
    stands = (data_versions(session, _ANSWER_READS), applied_position(session), get_clock().today())
    return viewer_key(request, stands)


@router.get(
    "/solutions/{solution_id}/matches",
    response_model=MatchList,
    summary="Demands a published solution can serve, ranked and explained (its owners, officials)",
    responses={**_PROBLEMS, 404: {"description": "no such published solution"}},
)
def solution_matches(
    session: SessionDep,
    gateway: SearchDep,
    principal: ApiPrincipal,
    solution_id: int,
    limit: Limit = 10,
    strategy: Strategy = "full",
) -> MatchList:
    solution, org = _published(session, principal, SOLUTION, solution_id)
    try:
        return matches_for_solution(
            session, gateway, solution, limit=limit, strategy=strategy, org=org
        )
    except SearchUnavailable as exc:
        raise ServiceUnavailable(_("匹配服务暂时不可用，请稍后再试"), reason=str(exc)) from exc
