"""The owners' pages: my listings with statuses and reasons; a vendor's opportunities."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from matching.search import SearchBackendError
from portal.demands import service as demands
from portal.deps import ClockDep, CurrentUser, SearchDep, SessionDep
from portal.kit.templating import render
from portal.listings.lifecycle import demand_status, solution_status
from portal.listings.service import listing_orgs
from portal.matching.service import matches_for_solution
from portal.solutions import service as solutions

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/my/listings", name="my_listings")
def my_listings(
    request: Request, session: SessionDep, clock: ClockDep, user: CurrentUser
) -> Response:
    today = clock.now().date()
    vendor_orgs = listing_orgs(session, user, "solution")
    enterprise_orgs = listing_orgs(session, user, "demand")
    solution_rows = solutions.of_orgs(session, [o.id for o in vendor_orgs if o.id is not None])
    demand_rows = demands.of_orgs(session, [o.id for o in enterprise_orgs if o.id is not None])
    return render(
        request,
        "listings/mine.html",
        {
            "vendor_orgs": vendor_orgs,
            "enterprise_orgs": enterprise_orgs,
            "solutions": [(r, solution_status(r, today)) for r in solution_rows],
            "demands": [(r, demand_status(r, today)) for r in demand_rows],
        },
    )


@router.get("/opportunities", name="opportunities")
def opportunities(
    request: Request,
    session: SessionDep,
    gateway: SearchDep,
    clock: ClockDep,
    user: CurrentUser,
) -> Response:
    """The best demands for each published solution of the vendor's organisations."""
    today = clock.now().date()
    orgs = listing_orgs(session, user, "solution")
    rows = solutions.of_orgs(session, [o.id for o in orgs if o.id is not None])
    sections: list[dict[str, Any]] = []
    search_down = False
    for row in rows:
        if solution_status(row, today) != "published":
            continue
        ranked = None
        if not search_down:
            try:
                ranked = matches_for_solution(session, gateway, row, limit=5, today=today).matches
            except SearchBackendError:
                search_down = True
        sections.append({"solution": row, "matches": ranked})
    return render(
        request,
        "listings/opportunities.html",
        {"orgs": orgs, "sections": sections, "search_down": search_down},
    )
