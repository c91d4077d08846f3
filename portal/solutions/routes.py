"""Solution pages: the search page, the public detail page, and the owners' forms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from portal.auth.permissions import Action, Principal, authorize, can
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
from portal.listings.lifecycle import solution_status
from portal.listings.rules import solution_errors
from portal.listings.service import listing_orgs, resolve_org
from portal.models import Organization, Solution
from portal.solutions import service
from portal.solutions.schemas import SolutionFields

router = APIRouter(tags=["pages"], include_in_schema=False)

# Form field of each error key.
_FORM_NAMES = {
    "preferences.industries": "pref_industries",
    "preferences.regions": "pref_regions",
    "preferences.min_budget": "pref_min_budget",
}


@router.get("/solutions", name="solutions")
def search_page(request: Request, gateway: SearchDep, clock: ClockDep) -> Response:
    page = search_pages.run(gateway, request.query_params, "solution", today=clock.now().date())
    return render(request, "solutions/search.html", search_pages.context(page), block="results")


def _form_values(row: Solution | None) -> dict[str, Any]:
    """What the form shows for ``row`` (strings for the text boxes, lists for the groups)."""
    if row is None:
        return {"regions": [], "industries": [], "scenarios": [], "capabilities": []}
    prefs = row.preferences or {}
    return {
        "title": row.title,
        "summary": row.summary,
        "description": row.description,
        "industries": row.industries,
        "scenarios": row.scenarios,
        "capabilities": row.capabilities,
        "regions": row.regions,
        "price_min": "" if row.price_min is None else f"{row.price_min:g}",
        "price_max": "" if row.price_max is None else f"{row.price_max:g}",
        "pref_industries": prefs.get("industries") or [],
        "pref_regions": prefs.get("regions") or [],
        "pref_min_budget": "" if prefs.get("min_budget") is None else f"{prefs['min_budget']:g}",
    }


def _read_form(
    form: FormData,
) -> tuple[dict[str, Any], SolutionFields | None, dict[str, str]]:
    """The form as typed (to show it again), the validated fields, and the errors."""
    errors: dict[str, str] = {}
    shown: dict[str, Any] = {
        name: forms.text(form, name)
        for name in (
            "org",
            "title",
            "summary",
            "description",
            "price_min",
            "price_max",
            "pref_min_budget",
        )
    }
    for name in (
        "industries",
        "scenarios",
        "capabilities",
        "regions",
        "pref_industries",
        "pref_regions",
    ):
        shown[name] = forms.codes(form, name)
    shown["intent"] = forms.text(form, "intent")
    price_min = forms.number(form, "price_min", errors)
    price_max = forms.number(form, "price_max", errors)
    min_budget = forms.number(form, "pref_min_budget", errors)
    preferences = None
    if shown["pref_industries"] or shown["pref_regions"] or min_budget is not None:
        preferences = {
            "industries": shown["pref_industries"],
            "regions": shown["pref_regions"],
            "min_budget": min_budget,
        }
    values = {
        "title": shown["title"],
        "summary": shown["summary"],
        "description": shown["description"],
        "industries": shown["industries"],
        "scenarios": shown["scenarios"],
        "capabilities": shown["capabilities"],
        "regions": shown["regions"],
        "price_min": price_min,
        "price_max": price_max,
        "preferences": preferences,
    }
    fields, invalid = forms.validate(SolutionFields, values)
    # The vocabulary and range rules too, so every mistake is shown at once.
    rule_errors = solution_errors(
        industries=shown["industries"],
        scenarios=shown["scenarios"],
        capabilities=shown["capabilities"],
        regions=shown["regions"],
        price_min=price_min,
        price_max=price_max,
        preference_industries=shown["pref_industries"],
        preference_regions=shown["pref_regions"],
    )
    for source in (invalid, rule_errors):
        for name, message in source.items():
            errors.setdefault(_FORM_NAMES.get(name, name), message)
    if shown["regions"] == [] and "regions" in errors:
        errors["regions"] = "请至少选择一个服务区域"
    return shown, (fields if not errors else None), errors


def _form_page(
    request: Request,
    *,
    row: Solution | None,
    orgs: list[Organization],
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "solutions/form.html",
        {"row": row, "orgs": orgs, "values": values, "errors": errors or {}},
        status_code=status_code,
    )


@router.get("/solutions/new", name="solution_new")
def new_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    orgs = listing_orgs(session, user, "solution")
    if not orgs:
        resolve_org(session, Principal(user=user), "solution")  # explains why not
    return _form_page(request, row=None, orgs=orgs, values=_form_values(None))


@router.post("/solutions/new", name="solution_create")
def create_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: CurrentUser,
    form: FormDataDep,
) -> Response:
    principal = Principal(user=user)
    orgs = listing_orgs(session, user, "solution")
    values, fields, errors = _read_form(form)
    org: Organization | None = None
    try:
        org = _chosen_org(session, principal, orgs, values.get("org") or "")
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
                ip=client_ip(request),
            )
        except FieldErrors as refused:
            errors.update(refused.errors)
        else:
            url = request.app.url_path_for("solution", solution_id=row.id)
            return RedirectResponse(f"{url}?saved=1", status_code=303)
    return _form_page(request, row=None, orgs=orgs, values=values, errors=errors, status_code=400)


def _chosen_org(
    session: Session, principal: Principal, orgs: list[Organization], chosen: str
) -> Organization:
    if chosen:
        return resolve_org(session, principal, "solution", org_external_id=chosen)
    return resolve_org(session, principal, "solution")


@router.get("/solutions/{solution_id}", name="solution")
def detail_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: PagePrincipal,
    solution_id: int,
) -> Response:
    today = clock.now().date()
    row, org, private = service.readable(session, principal, solution_id, today=today)
    can_edit = can(session, principal, Action.LISTING_EDIT, org=org, listing_kind="solution")
    return render(
        request,
        "solutions/detail.html",
        {
            "row": row,
            "org": org,
            "private": private,
            "can_edit": can_edit,
            "status": solution_status(row, today),
        },
    )


def _editable(
    session: Session, user: CurrentUser, solution_id: int
) -> tuple[Solution, Organization]:
    row = service.get_solution(session, solution_id)
    org = session.get(Organization, row.org_id)
    assert org is not None
    authorize(session, Principal(user=user), Action.LISTING_EDIT, org=org, listing_kind="solution")
    return row, org


@router.get("/solutions/{solution_id}/edit", name="solution_edit")
def edit_page(
    request: Request, session: SessionDep, user: CurrentUser, solution_id: int
) -> Response:
    row, org = _editable(session, user, solution_id)
    return _form_page(request, row=row, orgs=[org], values=_form_values(row))


@router.post("/solutions/{solution_id}/edit", name="solution_update")
def edit_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: CurrentUser,
    solution_id: int,
    form: FormDataDep,
) -> Response:
    row, org = _editable(session, user, solution_id)
    values, fields, errors = _read_form(form)
    if fields is not None:
        try:
            service.update(
                session,
                principal=Principal(user=user),
                row=row,
                fields=fields,
                status="draft" if values["intent"] == "draft" else "pending",
                now=clock.now(),
                ip=client_ip(request),
            )
        except FieldErrors as refused:
            errors.update(refused.errors)
        else:
            url = request.app.url_path_for("solution", solution_id=solution_id)
            return RedirectResponse(f"{url}?saved=1", status_code=303)
    return _form_page(request, row=row, orgs=[org], values=values, errors=errors, status_code=400)


@router.post("/solutions/{solution_id}/archive", name="solution_archive")
def archive_submit(
    request: Request, session: SessionDep, clock: ClockDep, user: CurrentUser, solution_id: int
) -> Response:
    row, _ = _editable(session, user, solution_id)
    service.archive(
        session, principal=Principal(user=user), row=row, now=clock.now(), ip=client_ip(request)
    )
    url = request.app.url_path_for("my_listings")
    return RedirectResponse(f"{url}?archived=1", status_code=303)
