"""Demands in the JSON API: owners create and change them; anyone reads published ones
(an anonymous demand without its organisation)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from portal.demands import service
from portal.demands.schemas import DemandCreate, DemandFields, DemandPublic, DemandUpdate
from portal.deps import ApiPrincipal, ClockDep, OptionalApiPrincipal, SessionDep, client_ip
from portal.listings.service import resolve_org

router = APIRouter(prefix="/api/v1", tags=["demands"])

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid Bearer token or session"},
    403: {"description": "not a member of the enterprise that owns it, or a read-only token"},
    404: {"description": "no such demand (or not public)"},
    422: {"description": "a field is invalid: `errors` lists each field with its reason"},
}


@router.post(
    "/demands",
    response_model=DemandPublic,
    status_code=201,
    summary="Post a demand (an enterprise's member; Bearer write token or session)",
    responses={k: v for k, v in _PROBLEMS.items() if k != 404},
)
def create_demand(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    body: DemandCreate,
) -> DemandPublic:
    org = resolve_org(session, principal, "demand", org_external_id=body.org)
    fields = DemandFields.model_validate(body.model_dump(exclude={"external_id", "org", "status"}))
    today = clock.now().date()
    row = service.create(
        session,
        principal=principal,
        org=org,
        fields=fields,
        submit=body.status == "pending",
        now=clock.now(),
        today=today,
        external_id=body.external_id,
        ip=client_ip(request),
    )
    return service.public_model(row, org, private=True, today=today)


@router.get(
    "/demands/{demand_id}",
    response_model=DemandPublic,
    summary="A demand: published ones for anyone; any status for its owners and officials",
    responses={404: _PROBLEMS[404]},
)
def read_demand(
    session: SessionDep, clock: ClockDep, principal: OptionalApiPrincipal, demand_id: int
) -> DemandPublic:
    row, org, private = service.readable(session, principal, demand_id)
    return service.public_model(row, org, private=private, today=clock.now().date())


@router.patch(
    "/demands/{demand_id}",
    response_model=DemandPublic,
    summary="Change a demand (its owners); `status`: draft, pending (submit) or closed",
    responses=_PROBLEMS,
)
def update_demand(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    demand_id: int,
    body: DemandUpdate,
) -> DemandPublic:
    row = service.get_demand(session, demand_id)
    org = service.owner_org(session, principal, row)
    today = clock.now().date()
    changes = body.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    if changes or status in ("draft", "pending"):
        fields = service.merge(row, changes)
        service.update(
            session,
            principal=principal,
            row=row,
            fields=fields,
            status=None if status == "closed" else status,
            now=clock.now(),
            today=today,
            ip=client_ip(request),
        )
    if status == "closed":
        service.close(session, principal=principal, row=row, now=clock.now(), ip=client_ip(request))
    return service.public_model(row, org, private=True, today=today)
