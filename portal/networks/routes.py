"""The registry of 5G industry private networks: officials list, create, edit, confirm and
import them (CSV/XLSX with a column mapping and a validation report); an enterprise
declares its own networks."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from portal.auth.permissions import Action, Principal, authorize, can
from portal.deps import WRITES_ON_GET, ClockDep, FormDataDep, SessionDep, SignedIn, client_ip
from portal.kit.errors import FieldErrors, Forbidden, PortalError
from portal.kit.i18n import _
from portal.kit.templating import render
from portal.models import PrivateNetwork, User
from portal.networks import service, tabular
from portal.networks.service import FIELD_LABELS, REQUIRED_FIELDS

router = APIRouter(tags=["pages"], include_in_schema=False)

FormText = Annotated[str, Form(max_length=300)]


def _official(session: SessionDep, user: User) -> bool:
    return can(session, Principal(user=user), Action.NETWORK_MANAGE)


@router.get("/networks", name="networks")
def registry_page(
    request: Request,
    session: SessionDep,
    principal: SignedIn,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    city: str | None = None,
    industry: str | None = None,
    status: str | None = None,
    confirmed: str | None = None,
) -> Response:
    official = _official(session, principal.user)
    org_id = None
    if not official:
        org = service.enterprise_org(session, principal.user)
        authorize(session, principal, Action.NETWORK_DECLARE, org=org)
        assert org is not None
        org_id = org.id
    result = service.list_networks(
        session,
        org_id=org_id,
        city=city or None,
        industry=industry or None,
        status=status or None,
        confirmed={"yes": True, "no": False}.get(confirmed or ""),
        page=max(1, page),
    )
    return render(
        request,
        "networks/list.html",
        {
            "result": result,
            "official": official,
            "filters": {
                "city": city,
                "industry": industry,
                "status": status,
                "confirmed": confirmed,
            },
        },
    )


def _form_page(
    request: Request,
    *,
    official: bool,
    values: dict[str, Any],
    network: PrivateNetwork | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "networks/form.html",
        {
            "official": official,
            "values": values,
            "network": network,
            "errors": errors or {},
            "labels": FIELD_LABELS,
            "required": REQUIRED_FIELDS,
        },
        status_code=status_code,
    )


@router.get("/networks/new", name="network_new")
def new_page(request: Request, session: SessionDep, principal: SignedIn) -> Response:
    official = _official(session, principal.user)
    if not official:
        authorize(
            session,
            principal,
            Action.NETWORK_DECLARE,
            org=service.enterprise_org(session, principal.user),
        )
    return _form_page(request, official=official, values={})


def _submitted(
    name: str,
    enterprise: str,
    operator: str,
    industry: str,
    city: str,
    zone: str,
    mode: str,
    status: str,
    commissioned_on: str,
    demand: str,
    external_id: str,
) -> dict[str, Any]:
    return {
        "name": name,
        "enterprise": enterprise,
        "operator": operator,
        "industry": industry,
        "city": city,
        "zone": zone,
        "mode": mode,
        "status": status,
        "commissioned_on": commissioned_on,
        "demand": demand,
        "external_id": external_id,
    }


@router.post("/networks/new", name="network_create")
def create_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    name: FormText = "",
    enterprise: FormText = "",
    operator: FormText = "",
    industry: FormText = "",
    city: FormText = "",
    zone: FormText = "",
    mode: FormText = "",
    status: FormText = "",
    commissioned_on: FormText = "",
    demand: FormText = "",
    external_id: FormText = "",
) -> Response:
    values = _submitted(
        name, enterprise, operator, industry, city, zone, mode, status, commissioned_on,
        demand, external_id,
    )  # fmt: skip
    official = _official(session, principal.user)
    try:
        service.save_network(
            session,
            principal=principal,
            values=values,
            now=clock.now(),
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        return _form_page(
            request, official=official, values=values, errors=refused.errors, status_code=400
        )
    return RedirectResponse(str(request.app.url_path_for("networks")) + "?saved=1", status_code=303)


@router.get("/networks/{network_id}/edit", name="network_edit")
def edit_page(
    request: Request, session: SessionDep, principal: SignedIn, network_id: int
) -> Response:
    network = service.get_network(session, network_id)
    official = _official(session, principal.user)
    if not official:
        org = service.enterprise_org(session, principal.user)
        authorize(session, principal, Action.NETWORK_DECLARE, org=org)
        if org is None or network.org_id != org.id:
            raise Forbidden(_("这不是本企业的专网"))
    return _form_page(
        request, official=official, values=service.form_values(session, network), network=network
    )


@router.post("/networks/{network_id}/edit", name="network_update")
def edit_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    network_id: int,
    name: FormText = "",
    enterprise: FormText = "",
    operator: FormText = "",
    industry: FormText = "",
    city: FormText = "",
    zone: FormText = "",
    mode: FormText = "",
    status: FormText = "",
    commissioned_on: FormText = "",
    demand: FormText = "",
) -> Response:
    network = service.get_network(session, network_id)
    values = _submitted(
        name, enterprise, operator, industry, city, zone, mode, status, commissioned_on,
        demand, network.external_id,
    )  # fmt: skip
    official = _official(session, principal.user)
    try:
        service.save_network(
            session,
            principal=principal,
            values=values,
            network=network,
            now=clock.now(),
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        if refused.status_code == 403:
            raise Forbidden(refused.message) from None
        return _form_page(
            request,
            official=official,
            values=values,
            network=network,
            errors=refused.errors,
            status_code=400,
        )
    return RedirectResponse(str(request.app.url_path_for("networks")) + "?saved=1", status_code=303)


@router.post("/networks/{network_id}/confirm", name="network_confirm")
def confirm_submit(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn, network_id: int
) -> Response:
    network = service.get_network(session, network_id)
    service.confirm_network(
        session,
        principal=principal,
        network=network,
        now=clock.now(),
        ip=client_ip(request),
    )
    back = request.headers.get("referer", "")
    target = "dashboard" if back.endswith("/dashboard") else "networks"
    return RedirectResponse(str(request.app.url_path_for(target)) + "?confirmed=1", status_code=303)


# --- CSV / XLSX import -------------------------------------------------------------------


@router.get("/networks/import", name="network_import")
def import_page(request: Request, session: SessionDep, principal: SignedIn) -> Response:
    authorize(session, principal, Action.NETWORK_MANAGE)
    return render(request, "networks/import.html", {"upload": None})


@router.post("/networks/import", name="network_upload")
def import_upload(
    request: Request,
    session: SessionDep,
    principal: SignedIn,
    file: Annotated[UploadFile, File()],
) -> Response:
    # A plain def: reading a file is seconds of work, done in a worker thread so that the
    # server keeps answering meanwhile. The upload is already spooled (to disk when large).
    authorize(session, principal, Action.NETWORK_MANAGE)
    content = file.file.read(tabular.MAX_BYTES + 1)
    try:
        upload = tabular.create_upload(
            session, principal=principal, filename=file.filename or "upload.csv", content=content
        )
    except tabular.UnreadableFile as error:
        return render(
            request,
            "networks/import.html",
            {"upload": None, "error": error.message},
            status_code=400,
        )
    url = request.app.url_path_for("network_upload_review", upload_id=upload.id)
    return RedirectResponse(str(url), status_code=303)


# The check is a dry run of the import: applied in a savepoint, then rolled back.
@router.get(
    "/networks/import/{upload_id}", name="network_upload_review", dependencies=[WRITES_ON_GET]
)
def review_page(
    request: Request, session: SessionDep, principal: SignedIn, upload_id: int
) -> Response:
    upload = tabular.get_upload(session, principal=principal, upload_id=upload_id)
    report = tabular.check_upload(session, upload)
    return render(
        request,
        "networks/import.html",
        {
            "upload": upload,
            "report": report,
            "labels": FIELD_LABELS,
            "samples": [r["cells"] for r in upload.rows[:3]],
        },
    )


@router.post("/networks/import/{upload_id}/mapping", name="network_upload_mapping")
def mapping_submit(
    request: Request,
    session: SessionDep,
    principal: SignedIn,
    upload_id: int,
    form: FormDataDep,
) -> Response:
    upload = tabular.get_upload(session, principal=principal, upload_id=upload_id)
    mapping = {
        key.removeprefix("col-"): str(value)
        for key, value in form.items()
        if key.startswith("col-") and value
    }
    tabular.set_mapping(session, upload=upload, mapping=mapping)
    url = request.app.url_path_for("network_upload_review", upload_id=upload_id)
    return RedirectResponse(str(url), status_code=303)


@router.post("/networks/import/{upload_id}/confirm", name="network_upload_confirm")
def confirm_upload(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn, upload_id: int
) -> Response:
    upload = tabular.get_upload(session, principal=principal, upload_id=upload_id)
    try:
        applied = tabular.apply_upload(
            session, principal=principal, upload=upload, now=clock.now(), ip=client_ip(request)
        )
    except PortalError as error:
        report = tabular.check_upload(session, upload)
        return render(
            request,
            "networks/import.html",
            {
                "upload": upload,
                "report": report,
                "labels": FIELD_LABELS,
                "samples": [r["cells"] for r in upload.rows[:3]],
                "error": error.message,
            },
            status_code=400,
        )
    count = applied.created + applied.updated + applied.unchanged
    query = urlencode(
        {
            "imported": count,
            "created": applied.created,
            "updated": applied.updated,
            "unchanged": applied.unchanged,
        }
    )
    return RedirectResponse(str(request.app.url_path_for("dashboard")) + f"?{query}", 303)
