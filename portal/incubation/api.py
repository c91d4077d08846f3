"""Incubation in the JSON API: the listing API of :data:`portal.incubation.kind.INCUBATION`;
for an organisation's members and officials, the programmes it fits while it is a young
vendor (the rule of the opportunities page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from portal.auth.permissions import Action, authorize
from portal.deps import ApiPrincipal, ClockDep, SessionDep
from portal.funding.api import programme_matches
from portal.funding.schemas import ProgrammeMatch
from portal.incubation import service
from portal.incubation.kind import INCUBATION
from portal.kit.errors import NotFound
from portal.kit.i18n import _
from portal.listings.api import routes
from portal.models import Organization

router = routes(INCUBATION)
fit = APIRouter(prefix="/api/v1", tags=["incubation"])


class IncubationFit(BaseModel):
    young: bool = Field(
        description="whether the organisation is a young vendor that builds applications "
        "(few benchmark cases, no network born of its introductions); "
        "programmes are offered only then"
    )
    matches: list[ProgrammeMatch] = Field(description="open programmes it fits, ranked")


_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid Bearer token or session"},
    403: {"description": "not a member of the organisation, nor an official"},
    404: {"description": "no such organisation"},
}


@fit.get(
    "/organizations/{org_id}/incubation",
    response_model=IncubationFit,
    summary="Incubation programmes a young vendor fits, ranked and explained (its members, "
    "officials)",
    responses=_PROBLEMS,
)
def organization_incubation(
    session: SessionDep, clock: ClockDep, principal: ApiPrincipal, org_id: int
) -> IncubationFit:
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(_("找不到该机构"))
    authorize(session, principal, Action.LISTING_VIEW_PRIVATE, org=org)
    verdicts = service.programmes_for(session, org, today=clock.today())
    return IncubationFit(
        young=verdicts is not None,
        matches=programme_matches(verdicts or []),
    )
