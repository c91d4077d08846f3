from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from matching.search import SearchBackendError
from portal.auth.permissions import Action, authorize, can
from portal.cases.schemas import CaseFields
from portal.cases.service import case_errors, get_case, save_case, split_sources
from portal.deps import (
    ClockDep,
    FormDataDep,
    PagePrincipal,
    SearchDep,
    SessionDep,
    SignedIn,
    client_ip,
)
from portal.kit import forms
from portal.kit.errors import FieldErrors
from portal.kit.i18n import _
from portal.kit.templating import render
from portal.listings import search_pages
from portal.matching.service import similar_solutions
from portal.models import UseCase

router = APIRouter(tags=["pages"], include_in_schema=False)

_TEXT = (
    "title",
    "summary",
    "industry",
    "city",
    "enterprise",
    "network_type",
    "benefits",
    "source",
    "evidence",
)


@router.get("/cases", name="cases")
def cases_page(
    request: Request,
    session: SessionDep,
    gateway: SearchDep,
    clock: ClockDep,
    principal: PagePrincipal,
) -> Response:
    """The benchmark-case library, searched through the search backend."""
    page = search_pages.run(gateway, request.query_params, "use_case", today=clock.today())
    return render(
        request,
        "cases/list.html",
        search_pages.context(page, can_add=can(session, principal, Action.CASE_EDIT)),
        block="results",
    )


def _values(case: UseCase | None) -> dict[str, Any]:
    if case is None:
        return {"scenarios": [], "capabilities": [], "evidence": "self_reported"}
    values: dict[str, Any] = {name: getattr(case, name) or "" for name in _TEXT}
    values.update(
        scenarios=case.scenarios,
        capabilities=case.capabilities,
        providers="\n".join(case.providers),
        year="" if case.year is None else str(case.year),
    )
    return values


def _read_form(form: FormData) -> tuple[dict[str, Any], CaseFields | None, dict[str, str]]:
    errors: dict[str, str] = {}
    shown: dict[str, Any] = {name: forms.text(form, name) for name in (*_TEXT, "providers", "year")}
    shown["scenarios"] = forms.codes(form, "scenarios")
    shown["capabilities"] = forms.codes(form, "capabilities")
    providers = [
        p.strip() for p in shown["providers"].replace("、", "\n").splitlines() if p.strip()
    ]
    if not shown["industry"]:
        errors["industry"] = _("请选择行业")
    if not shown["city"]:
        errors["city"] = _("请选择城市")
    values = {
        "title": shown["title"],
        "summary": shown["summary"],
        "industry": shown["industry"],
        "scenarios": shown["scenarios"],
        "capabilities": shown["capabilities"],
        "city": shown["city"],
        "enterprise": shown["enterprise"],
        "providers": providers,
        "network_type": shown["network_type"] or None,
        "year": forms.integer(form, "year", errors),
        "benefits": shown["benefits"] or None,
        "source": shown["source"] or None,
        "evidence": shown["evidence"] or "self_reported",
    }
    fields, invalid = forms.validate(CaseFields, values)
    for name, message in invalid.items():
        errors.setdefault(name, message)
    if fields is not None:
        for name, message in case_errors(fields).items():
            errors.setdefault(name, message)
    return shown, (fields if not errors else None), errors


def _form(
    request: Request,
    case: UseCase | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "cases/form.html",
        {"case": case, "values": values, "errors": errors or {}},
        status_code=status_code,
    )


@router.get("/cases/new", name="case_new")
def new_case_page(request: Request, session: SessionDep, principal: SignedIn) -> Response:
    authorize(session, principal, Action.CASE_EDIT)
    return _form(request, None, _values(None))


@router.post("/cases/new", name="case_create")
def new_case_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    form: FormDataDep,
) -> Response:
    authorize(session, principal, Action.CASE_EDIT)
    values, fields, errors = _read_form(form)
    if fields is not None:
        try:
            case = save_case(
                session, principal=principal, fields=fields, now=clock.now(), ip=client_ip(request)
            )
        except FieldErrors as refused:
            errors.update(refused.errors)
        else:
            url = request.app.url_path_for("case", case_id=case.id)
            return RedirectResponse(f"{url}?saved=1", status_code=303)
    return _form(request, None, values, errors, status_code=400)


@router.get("/cases/{case_id}", name="case")
def case_page(
    request: Request,
    session: SessionDep,
    gateway: SearchDep,
    principal: PagePrincipal,
    case_id: int,
) -> Response:
    case = get_case(session, case_id)
    try:
        similar = similar_solutions(gateway, case).matches
        search_down = False
    except SearchBackendError:
        similar, search_down = [], True
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "sources": split_sources(case.source),
            "similar": similar,
            "search_down": search_down,
            "can_edit": can(session, principal, Action.CASE_EDIT),
        },
    )


@router.get("/cases/{case_id}/edit", name="case_edit")
def edit_case_page(
    request: Request, session: SessionDep, principal: SignedIn, case_id: int
) -> Response:
    authorize(session, principal, Action.CASE_EDIT)
    case = get_case(session, case_id)
    return _form(request, case, _values(case))


@router.post("/cases/{case_id}/edit", name="case_update")
def edit_case_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    case_id: int,
    form: FormDataDep,
) -> Response:
    authorize(session, principal, Action.CASE_EDIT)
    case = get_case(session, case_id)
    values, fields, errors = _read_form(form)
    if fields is not None:
        try:
            save_case(
                session,
                principal=principal,
                fields=fields,
                now=clock.now(),
                case=case,
                ip=client_ip(request),
            )
        except FieldErrors as refused:
            errors.update(refused.errors)
        else:
            url = request.app.url_path_for("case", case_id=case_id)
            return RedirectResponse(f"{url}?saved=1", status_code=303)
    return _form(request, case, values, errors, status_code=400)
