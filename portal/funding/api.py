"""Funding in the JSON API: the listing API of :data:`portal.funding.kind.FUNDING`; for a
demand's owners and officials, the calls it is eligible for and the shared platforms it can
build on (``Action.LISTING_VIEW_PRIVATE``, the rule of its solution matches); the owner's
shortlist of calls."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from matching.programmes import Verdict
from portal.auth.permissions import Action, authorize
from portal.deps import ApiPrincipal, ClockDep, SearchDep, SessionDep, client_ip
from portal.funding import marks, service
from portal.funding.kind import FUNDING
from portal.funding.schemas import ProgrammeMatch, ProgrammeMatches
from portal.kit.errors import NotFound
from portal.kit.i18n import _
from portal.listings.api import routes
from portal.models import Demand, Organization

router = routes(FUNDING)
matches = APIRouter(prefix="/api/v1", tags=["funding"])

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid Bearer token or session"},
    403: {"description": "not a member of the demand's organisation, nor an official"},
    404: {"description": "no such demand"},
}


def _demand(session: SessionDep, principal: ApiPrincipal, demand_id: int) -> Demand:
    demand = session.get(Demand, demand_id)
    if demand is None:
        raise NotFound(_("找不到该需求"))
    org = session.get(Organization, demand.org_id)
    authorize(session, principal, Action.LISTING_VIEW_PRIVATE, org=org)
    return demand


def programme_matches(
    verdicts: list[Verdict], shortlisted: set[int] | None = None
) -> list[ProgrammeMatch]:
    """Verdicts as the API shows them (also incubation's); ``shortlisted`` for funding only."""
    return [
        ProgrammeMatch(
            id=v.id,
            external_id=v.external_id,
            title=v.title,
            score=v.score,
            eligible=v.eligible,
            explanation=[*v.explanation, *v.missing],
            missing=v.missing,
            shortlisted=None if shortlisted is None else v.id in shortlisted,
        )
        for v in verdicts
    ]


def _public(verdicts: list[Verdict], shortlisted: set[int] | None = None) -> ProgrammeMatches:
    return ProgrammeMatches(matches=programme_matches(verdicts, shortlisted))


@matches.get(
    "/demands/{demand_id}/funding",
    response_model=ProgrammeMatches,
    summary="Funding calls a demand is eligible for, ranked and explained, then those it is "
    "not yet eligible for with what is missing (its owners, officials)",
    responses=_PROBLEMS,
)
def demand_funding(
    session: SessionDep,
    gateway: SearchDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    demand_id: int,
) -> ProgrammeMatches:
    demand = _demand(session, principal, demand_id)
    verdicts = service.funding_for_demand(session, gateway.pipeline, demand, today=clock.today())
    return _public(verdicts, service.shortlisted(session, demand_id))


@matches.get(
    "/demands/{demand_id}/platforms",
    response_model=ProgrammeMatches,
    summary="Shared technology platforms serving a demand's city that offer what it needs "
    "(positioning, AI, ultra-HD video, AR/VR), explained (its owners, officials)",
    responses=_PROBLEMS,
)
def demand_platforms(
    session: SessionDep,
    gateway: SearchDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    demand_id: int,
) -> ProgrammeMatches:
    demand = _demand(session, principal, demand_id)
    return _public(
        service.platforms_for_demand(session, gateway.pipeline, demand, today=clock.today())
    )


@matches.put(
    "/demands/{demand_id}/funding/{funding_id}/shortlist",
    status_code=204,
    summary="Shortlist a funding call for a demand (its owners)",
    responses={**_PROBLEMS, 422: {"description": "no such published funding call"}},
)
def shortlist_put(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    demand_id: int,
    funding_id: int,
) -> Response:
    demand = _demand(session, principal, demand_id)
    marks.shortlist(
        session,
        principal=principal,
        demand=demand,
        funding_id=funding_id,
        keep=True,
        now=clock.now(),
        ip=client_ip(request),
    )
    return Response(status_code=204)


@matches.delete(
    "/demands/{demand_id}/funding/{funding_id}/shortlist",
    status_code=204,
    summary="Take a funding call off a demand's shortlist (its owners)",
    responses={**_PROBLEMS, 422: {"description": "no such published funding call"}},
)
def shortlist_delete(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    demand_id: int,
    funding_id: int,
) -> Response:
    demand = _demand(session, principal, demand_id)
    marks.shortlist(
        session,
        principal=principal,
        demand=demand,
        funding_id=funding_id,
        keep=False,
        now=clock.now(),
        ip=client_ip(request),
    )
    return Response(status_code=204)
