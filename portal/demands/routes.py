"""Demand pages: the search page, the detail page (with its ranked matches for its owners
and officials), and the owners' forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from matching.search import SearchBackendError
from portal.auth.permissions import Action, Principal, authorize, can
from portal.demands import service
from portal.demands.schemas import DemandFields
from portal.deps import (
    ClockDep,
    CurrentUser,
    FormDataDep,
    PagePrincipal,
    SearchDep,
    SessionDep,
    client_ip,
)
from portal.kit import forms
from portal.kit.errors import FieldErrors
from portal.kit.templating import render
from portal.listings import search_pages
from portal.listings.lifecycle import demand_status
from portal.listings.rules import demand_errors
from portal.listings.service import listing_orgs, resolve_org
from portal.matching.service import matches_for_demand
from portal.models import Demand, Organization

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/demands", name="demands")
def search_page(request: Request, gateway: SearchDep, clock: ClockDep) -> Response:
    page = search_pages.run(gateway, request.query_params, "demand", today=clock.now().date())
    return render(request, "demands/search.html", search_pages.context(page), block="results")


def _form_values(row: Demand | None) -> dict[str, Any]:
    if row is None:
        return {"scenarios": [], "capabilities": [], "must_have": []}
    return {
        "title": row.title,
        "description": row.description,
        "industry": row.industry,
        "scenarios": row.scenarios,
        "capabilities": [c for c in row.capabilities if c not in row.must_have],
        "must_have": row.must_have,
        "city": row.city,
        "zone": row.zone or "",
        "budget_min": "" if row.budget_min is None else f"{row.budget_min:g}",
        "budget_max": "" if row.budget_max is None else f"{row.budget_max:g}",
        "deadline": row.deadline.isoformat() if row.deadline else "",
        "anonymous": row.anonymous,
    }


def _read_form(
    form: FormData, *, today: date, deadline_before: date | None = None
) -> tuple[dict[str, Any], DemandFields | None, dict[str, str]]:
    """The form as typed, the validated fields, and the errors (all of them at once)."""
    errors: dict[str, str] = {}
    shown: dict[str, Any] = {
        name: forms.text(form, name)
        for name in (
            "org",
            "title",
            "description",
            "industry",
            "city",
            "zone",
            "budget_min",
            "budget_max",
            "deadline",
            "intent",
        )
    }
    for name in ("scenarios", "capabilities", "must_have"):
        shown[name] = forms.codes(form, name)
    shown["anonymous"] = forms.text(form, "anonymous") in ("1", "on", "true")
    budget_min = forms.number(form, "budget_min", errors)
    budget_max = forms.number(form, "budget_max", errors)
    deadline = forms.day(form, "deadline", errors)
    if not shown["industry"]:
        errors["industry"] = "请选择所属行业"
    if not shown["city"]:
        errors["city"] = "请选择所在城市"
    values = {
        "title": shown["title"],
        "description": shown["description"],
        "industry": shown["industry"],
        "scenarios": shown["scenarios"],
        "capabilities": shown["capabilities"],
        "must_have": shown["must_have"],
        "city": shown["city"],
        "zone": shown["zone"] or None,
        "budget_min": budget_min,
        "budget_max": budget_max,
        "deadline": deadline,
        "anonymous": shown["anonymous"],
    }
    fields, invalid = forms.validate(DemandFields, values)
    rule_errors = demand_errors(
        industry=shown["industry"],
        city=shown["city"],
        zone=shown["zone"] or None,
        scenarios=shown["scenarios"],
        capabilities=shown["capabilities"],
        must_have=shown["must_have"],
        budget_min=budget_min,
        budget_max=budget_max,
        deadline=deadline,
        today=None if deadline is not None and deadline == deadline_before else today,
    )
    for source in (invalid, rule_errors):
        for name, message in source.items():
            errors.setdefault(name, message)
    return shown, (fields if not errors else None), errors


def _form_page(
    request: Request,
    *,
    row: Demand | None,
    orgs: list[Organization],
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "demands/form.html",
        {"row": row, "orgs": orgs, "values": values, "errors": errors or {}},
        status_code=status_code,
    )


@router.get("/demands/new", name="demand_new")
def new_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    orgs = listing_orgs(session, user, "demand")
    if not orgs:
        resolve_org(session, Principal(user=user), "demand")  # explains why not
    return _form_page(request, row=None, orgs=orgs, values=_form_values(None))


@router.post("/demands/new", name="demand_create")
def create_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: CurrentUser,
    form: FormDataDep,
) -> Response:
    principal = Principal(user=user)
    today = clock.now().date()
    orgs = listing_orgs(session, user, "demand")
    values, fields, errors = _read_form(form, today=today)
    org: Organization | None = None
    try:
        chosen = values.get("org") or None
        org = resolve_org(session, principal, "demand", org_external_id=chosen)
    except FieldErrors as refused:
        errors.update(refused.errors)
    if fields is not None and org is not None and not errors:
        try:
            row = service.create(
                session,
                principal=principal,
                org=org,
                fields=fields,
                submit=values["intent"] != "draft",
                now=clock.now(),
                today=today,
                ip=client_ip(request),
            )
        except FieldErrors as refused:
            errors.update(refused.errors)
        else:
            url = request.app.url_path_for("demand", demand_id=row.id)
            return RedirectResponse(f"{url}?saved=1", status_code=303)
    return _form_page(request, row=None, orgs=orgs, values=values, errors=errors, status_code=400)


@router.get("/demands/{demand_id}", name="demand")
def detail_page(
    request: Request,
    session: SessionDep,
    gateway: SearchDep,
    clock: ClockDep,
    principal: PagePrincipal,
    demand_id: int,
) -> Response:
    today = clock.now().date()
    row, org, private = service.readable(session, principal, demand_id)
    context: dict[str, Any] = {
        "row": row,
        "org": org,
        "private": private,
        "can_edit": can(session, principal, Action.LISTING_EDIT, org=org, listing_kind="demand"),
        "status": demand_status(row, today),
        "ranked": None,
        "search_down": False,
    }
    if private:
        # The ranked solutions are for the demand's owners and officials only.
        try:
            context["ranked"] = matches_for_demand(
                session, gateway, row, limit=10, today=today
            ).matches
        except SearchBackendError:
            context["search_down"] = True
    return render(request, "demands/detail.html", context)


def _editable(session: Session, user: CurrentUser, demand_id: int) -> tuple[Demand, Organization]:
    row = service.get_demand(session, demand_id)
    org = session.get(Organization, row.org_id)
    assert org is not None
    authorize(session, Principal(user=user), Action.LISTING_EDIT, org=org, listing_kind="demand")
    return row, org


@router.get("/demands/{demand_id}/edit", name="demand_edit")
def edit_page(request: Request, session: SessionDep, user: CurrentUser, demand_id: int) -> Response:
    row, org = _editable(session, user, demand_id)
    return _form_page(request, row=row, orgs=[org], values=_form_values(row))


@router.post("/demands/{demand_id}/edit", name="demand_update")
def edit_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: CurrentUser,
    demand_id: int,
    form: FormDataDep,
) -> Response:
    row, org = _editable(session, user, demand_id)
    today = clock.now().date()
    values, fields, errors = _read_form(form, today=today, deadline_before=row.deadline)
    if fields is not None:
        try:
            service.update(
                session,
                principal=Principal(user=user),
                row=row,
                fields=fields,
                status="draft" if values["intent"] == "draft" else "pending",
                now=clock.now(),
                today=today,
                ip=client_ip(request),
            )
        except FieldErrors as refused:
            errors.update(refused.errors)
        else:
            url = request.app.url_path_for("demand", demand_id=demand_id)
            return RedirectResponse(f"{url}?saved=1", status_code=303)
    return _form_page(request, row=row, orgs=[org], values=values, errors=errors, status_code=400)


@router.post("/demands/{demand_id}/close", name="demand_close")
def close_submit(
    request: Request, session: SessionDep, clock: ClockDep, user: CurrentUser, demand_id: int
) -> Response:
    row, _ = _editable(session, user, demand_id)
    service.close(
        session, principal=Principal(user=user), row=row, now=clock.now(), ip=client_ip(request)
    )
    url = request.app.url_path_for("my_listings")
    return RedirectResponse(f"{url}?closed=1", status_code=303)
