"""Pages of :data:`portal.funding.kind.FUNDING` (the listing pages of every kind), and the
shortlist button of the calls on a demand's page.

No ``from __future__ import annotations``: FastAPI reads the handlers' annotations."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from portal.auth.permissions import Action, authorize
from portal.dashboards.exports import CONTENT_TYPES, to_csv, to_xlsx
from portal.deps import ClockDep, FormDataDep, SearchDep, SessionDep, SignedIn, client_ip
from portal.funding import coverage, marks
from portal.funding.kind import FUNDING
from portal.kit import forms
from portal.kit.errors import NotFound
from portal.kit.i18n import _
from portal.kit.templating import render
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
    marks.shortlist(
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


@actions.get("/coverage", name="coverage")
def coverage_page(
    request: Request,
    session: SessionDep,
    gateway: SearchDep,
    clock: ClockDep,
    principal: SignedIn,
) -> Response:
    """Officials: demands without eligible funding, capabilities without a platform."""
    authorize(session, principal, Action.DASHBOARD_VIEW)
    tables = coverage.coverage_tables(session, gateway.pipeline, today=clock.today())
    return render(request, "funds/coverage.html", {"tables": tables})


@actions.get("/coverage/{key}.{fmt}", name="coverage_export")
def coverage_export(
    session: SessionDep,
    gateway: SearchDep,
    clock: ClockDep,
    principal: SignedIn,
    key: str,
    fmt: str,
) -> Response:
    authorize(session, principal, Action.DASHBOARD_VIEW)
    if fmt not in CONTENT_TYPES or key not in coverage.KEYS:
        raise NotFound(_("没有这张表，或不支持该格式（只提供 CSV 和 XLSX）"))
    table = coverage.coverage_tables(session, gateway.pipeline, today=clock.today())[key]
    body = to_csv(table) if fmt == "csv" else to_xlsx(table)
    return Response(
        body,
        media_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{key}-{table.as_of}.{fmt}"'},
    )
