"""Listing pages, for every kind: the search page, the detail page, the owners' forms and
the retire button (:func:`pages`); and the owners' own pages: my listings with statuses and
reasons, a vendor's opportunities.

No ``from __future__ import annotations`` here: the handlers of :func:`pages` are annotated
with types made per kind (the path parameter's name), which FastAPI must see as objects."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from matching.search import SearchBackendError
from portal.auth.permissions import Principal
from portal.clock import local_today
from portal.dashboards.cache import data_versions, stamps_known
from portal.deps import (
    ClockDep,
    FormDataDep,
    PagePrincipal,
    SearchDep,
    SessionDep,
    SignedIn,
    client_ip,
)
from portal.incubation import service as incubation_fit
from portal.introductions import marks
from portal.introductions import service as introductions
from portal.kit.errors import FieldErrors
from portal.kit.templating import render
from portal.listings import forms, search_pages, service
from portal.listings.kinds import ListingKind
from portal.listings.registry import KINDS, SOLUTION
from portal.matching.service import matches_for_solution
from portal.models import Organization
from portal.page_memo import for_viewer, for_visitors, kept_for_viewer, kept_on_loop
from portal.search.gateway import SearchGateway
from portal.search.sync import applied_position

router = APIRouter(tags=["pages"], include_in_schema=False)
# What a listing's private side is made of (see ``detail_page``): the listing and the
# solutions (rows and index), the organisations, introductions, funding calls and platforms,
# and the owners' marks.
_PRIVATE_PAGE_READS = ("demands", "solutions", "programmes", "marks", "members")


def _private_stands(session: Session, today: date) -> tuple[object, ...]:
    """What a listing's private page stands on, besides its viewer (see ``detail_page``)."""
    return (data_versions(session, _PRIVATE_PAGE_READS), applied_position(session), today)


def pages(kind: ListingKind) -> APIRouter:
    """The pages of one kind, under ``/<plural>``; route names ``<name>``, ``<name>_new`` …"""
    pages = APIRouter(tags=["pages"], include_in_schema=False)
    ListingId = Annotated[int, Path(alias=kind.id_param)]
    base = f"/{kind.plural}"

    def form_page(
        request: Request,
        *,
        row: Any | None,
        orgs: list[Organization],
        shown: dict[str, Any],
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        context = {
            "kind": kind,
            "row": row,
            "orgs": orgs,
            "values": shown,
            "errors": forms.input_errors(kind, errors or {}),
        }
        return render(request, f"{kind.plural}/form.html", context, status_code=status_code)

    @pages.get(base, name=kind.plural)
    async def search_page(
        request: Request, session: SessionDep, gateway: SearchDep, clock: ClockDep
    ) -> Response:
        today = clock.today()
        # Most requests: a visitor's, answered with the kept page on the event loop.
        kept = await kept_on_loop(request, session, lambda: (applied_position(session), today))
        if kept is not None:
            return kept
        return await run_in_threadpool(search, request, session, gateway, today)

    def search(request: Request, session: Session, gateway: SearchGateway, today: date) -> Response:
        def build() -> Response:
            page = search_pages.run(gateway, request.query_params, kind.name, today=today)  # type: ignore[arg-type]
            context = search_pages.context(page, kind=kind)
            return render(request, "listings/search.html", context, block="results")

        # Made from the index alone: kept while the index stands where it stood.
        return for_visitors(request, build, data=(applied_position(session), today))

    @pages.get(f"{base}/new", name=f"{kind.name}_new")
    def new_page(request: Request, session: SessionDep, principal: SignedIn) -> Response:
        orgs = service.listing_orgs(session, principal.user, kind)
        if not orgs:
            service.resolve_org(session, principal, kind)  # explains why not
        return form_page(request, row=None, orgs=orgs, shown=forms.shown_of(kind, None))

    @pages.post(f"{base}/new", name=f"{kind.name}_create")
    def create_submit(
        request: Request,
        session: SessionDep,
        clock: ClockDep,
        principal: SignedIn,
        form: FormDataDep,
    ) -> Response:
        now = clock.now()
        orgs = service.listing_orgs(session, principal.user, kind)
        shown, values, errors = forms.read(kind, form)
        # Every mistake at once: what could not be read, then the fields' own rules.
        for name, message in service.errors_in(kind, values, today=local_today(now)).items():
            errors.setdefault(name, message)
        org: Organization | None = None
        try:
            org = service.resolve_org(
                session, principal, kind, org_external_id=shown["org"] or None
            )
        except FieldErrors as refused:
            errors.update(refused.errors)
        if org is not None and not errors:
            try:
                row = service.create(
                    session,
                    kind,
                    principal=principal,
                    org=org,
                    values=values,
                    submit=shown["intent"] != "draft",
                    now=now,
                    ip=client_ip(request),
                )
            except FieldErrors as refused:
                errors.update(refused.errors)
            else:
                url = request.app.url_path_for(kind.name, **{kind.id_param: row.id})
                return RedirectResponse(f"{url}?saved=1", status_code=303)
        return form_page(request, row=None, orgs=orgs, shown=shown, errors=errors, status_code=400)

    @pages.get(f"{base}/{{{kind.id_param}}}", name=kind.name)
    async def detail_page(
        request: Request,
        session: SessionDep,
        gateway: SearchDep,
        clock: ClockDep,
        principal: PagePrincipal,
        listing_id: ListingId,
    ) -> Response:
        today = clock.today()
        if kind.private_context is not None and principal is not None and stamps_known(session):
            # The page an owner or an official reloads: kept for them (below), and found
            # here on the event loop, with the stamps their session's query read: no
            # worker thread, no other round trip.
            kept = kept_for_viewer(request, data=_private_stands(session, today))
            if kept is not None:
                return kept
        return await run_in_threadpool(
            detail, request, session, gateway, principal, listing_id, today
        )

    def detail(
        request: Request,
        session: Session,
        gateway: SearchGateway,
        principal: Principal | None,
        listing_id: int,
        today: date,
    ) -> Response:
        row, org, private = service.readable(session, kind, principal, listing_id, today=today)
        context: dict[str, Any] = {
            "kind": kind,
            "row": row,
            "org": org,
            "private": private,
            "can_edit": service.can_edit(session, principal, kind, org),
            "status": service.status_of(kind, row, today),
        }

        def build() -> Response:
            if private and kind.private_context is not None:
                context.update(kind.private_context(session, gateway, row, today))
            if context["can_edit"]:
                # Its owners act on what is matched to it: introductions, shortlist, dismiss.
                context["marks"] = marks.marks_of(session, [row.org_id])
                context["open_intros"] = introductions.open_pairs(session, [row.org_id])
            return render(request, f"{kind.plural}/detail.html", context)

        if not private or kind.private_context is None:
            return build()
        # A demand's page for its owners and officials: its ranked matches, marks,
        # introductions, funding calls and platforms, kept for each viewer while none of
        # these changed, nor the index, the day, the viewer, or the organisations and
        # memberships that decide what the viewer may see and do here.
        return for_viewer(request, build, data=_private_stands(session, today))

    @pages.get(f"{base}/{{{kind.id_param}}}/edit", name=f"{kind.name}_edit")
    def edit_page(
        request: Request, session: SessionDep, principal: SignedIn, listing_id: ListingId
    ) -> Response:
        row = service.get(session, kind, listing_id)
        org = service.owner_org(session, principal, kind, row)
        return form_page(request, row=row, orgs=[org], shown=forms.shown_of(kind, row))

    @pages.post(f"{base}/{{{kind.id_param}}}/edit", name=f"{kind.name}_update")
    def edit_submit(
        request: Request,
        session: SessionDep,
        clock: ClockDep,
        principal: SignedIn,
        listing_id: ListingId,
        form: FormDataDep,
    ) -> Response:
        now = clock.now()
        row = service.get(session, kind, listing_id)
        org = service.owner_org(session, principal, kind, row)
        shown, values, errors = forms.read(kind, form)
        for name, message in service.errors_in(
            kind, values, today=local_today(now), previous=row
        ).items():
            errors.setdefault(name, message)
        if not errors:
            try:
                service.update(
                    session,
                    kind,
                    principal=principal,
                    row=row,
                    values=values,
                    status="draft" if shown["intent"] == "draft" else "pending",
                    now=now,
                    ip=client_ip(request),
                )
            except FieldErrors as refused:
                errors.update(refused.errors)
            else:
                url = request.app.url_path_for(kind.name, **{kind.id_param: listing_id})
                return RedirectResponse(f"{url}?saved=1", status_code=303)
        return form_page(request, row=row, orgs=[org], shown=shown, errors=errors, status_code=400)

    @pages.post(
        f"{base}/{{{kind.id_param}}}/{kind.retire_verb}", name=f"{kind.name}_{kind.retire_verb}"
    )
    def retire_submit(
        request: Request,
        session: SessionDep,
        clock: ClockDep,
        principal: SignedIn,
        listing_id: ListingId,
    ) -> Response:
        row = service.get(session, kind, listing_id)
        service.retire(
            session, kind, principal=principal, row=row, now=clock.now(), ip=client_ip(request)
        )
        url = request.app.url_path_for("my_listings")
        return RedirectResponse(f"{url}?{kind.retired}=1", status_code=303)

    return pages


@router.get("/my/listings", name="my_listings")
def my_listings(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn
) -> Response:
    """Each kind the user's organisations post: its listings with statuses and reasons."""
    today = clock.today()
    sections = []
    for kind in KINDS.values():
        orgs = service.listing_orgs(session, principal.user, kind)
        if not orgs:
            continue
        rows = service.of_orgs(session, kind, [o.id for o in orgs if o.id is not None])
        sections.append(
            {"kind": kind, "rows": [(r, service.status_of(kind, r, today)) for r in rows]}
        )
    return render(request, "listings/mine.html", {"sections": sections, "kinds": KINDS})


@router.get("/opportunities", name="opportunities")
def opportunities(
    request: Request,
    session: SessionDep,
    gateway: SearchDep,
    clock: ClockDep,
    principal: SignedIn,
) -> Response:
    """The best demands for each published solution of the vendor's organisations."""
    today = clock.today()
    orgs = service.listing_orgs(session, principal.user, SOLUTION)
    rows = service.of_orgs(session, SOLUTION, [o.id for o in orgs if o.id is not None])
    sections: list[dict[str, Any]] = []
    search_down = False
    for row in rows:
        if service.status_of(SOLUTION, row, today) != "published":
            continue
        ranked = None
        if not search_down:
            try:
                ranked = matches_for_solution(session, gateway, row, limit=5, today=today).matches
            except SearchBackendError:
                search_down = True
        sections.append({"solution": row, "matches": ranked})
    org_ids = [o.id for o in orgs if o.id is not None]
    demand_ids = {m.id for section in sections for m in section["matches"] or []}
    # A young vendor (few cases, no network yet) is shown the incubation it fits (issue 16).
    incubation = [
        {"org": o, "programmes": programmes}
        for o in orgs
        if (programmes := incubation_fit.programmes_for(session, o, today=today)) is not None
    ]
    context = {
        "incubation": incubation,
        "orgs": orgs,
        "sections": sections,
        "facts": service.demand_facts(session, demand_ids),
        "search_down": search_down,
        "marks": marks.marks_of(session, org_ids),
        "open_intros": introductions.open_pairs(session, org_ids),
    }
    return render(request, "listings/opportunities.html", context)
