"""Pages of :data:`portal.funding.kind.FUNDING` (the listing pages of every kind), and the
shortlist button of the calls on a demand's page.

No ``from __future__ import annotations``: FastAPI reads the handlers' annotations."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from portal.deps import ClockDep, FormDataDep, SessionDep, SignedIn, client_ip
from portal.funding import service
from portal.funding.kind import FUNDING
from portal.kit import forms
from portal.listings import service as listings
from portal.listings.registry import DEMAND
from portal.listings.routes import pages

router = pages(FUNDING)


actions = APIRouter(tags=["pages"], include_in_schema=False)


@actions.post(
    "/demands/{demand_id}/funding/{funding_id}/shortlist", name="demand_funding_shortlist"
)
def shortlist_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    demand_id: int,
    funding_id: int,
    form: FormDataDep,
) -> Response:
    """The demand's owner shortlists a call on its page (or takes it off); back to the page."""
    demand = listings.get(session, DEMAND, demand_id)
    service.shortlist(
        session,
        principal=principal,
        demand=demand,
        funding_id=funding_id,
        keep=forms.text(form, "action") != "unshortlist",
        now=clock.now(),
        ip=client_ip(request),
    )
    url = request.app.url_path_for("demand", demand_id=demand_id)
    return RedirectResponse(f"{url}#funding", status_code=303)
