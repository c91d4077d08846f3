"""Solutions in the JSON API: owners create and change them; anyone reads published ones."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from portal.deps import ApiPrincipal, ClockDep, OptionalApiPrincipal, SessionDep, client_ip
from portal.listings.service import resolve_org
from portal.solutions import service
from portal.solutions.schemas import (
    SolutionCreate,
    SolutionFields,
    SolutionPublic,
    SolutionUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["solutions"])

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid Bearer token or session"},
    403: {
        "description": "not a member of a vendor organisation that owns it, or a read-only token"
    },
    404: {"description": "no such solution (or not public)"},
    422: {"description": "a field is invalid: `errors` lists each field with its reason"},
}


@router.post(
    "/solutions",
    response_model=SolutionPublic,
    status_code=201,
    summary="List a solution (a vendor organisation's member; Bearer write token or session)",
    responses={k: v for k, v in _PROBLEMS.items() if k != 404},
)
def create_solution(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    body: SolutionCreate,
) -> SolutionPublic:
    org = resolve_org(session, principal, "solution", org_external_id=body.org)
    fields = SolutionFields.model_validate(
        body.model_dump(exclude={"external_id", "org", "status"})
    )
    row = service.create(
        session,
        principal=principal,
        org=org,
        fields=fields,
        submit=body.status == "pending",
        now=clock.now(),
        external_id=body.external_id,
        ip=client_ip(request),
    )
    return service.public_model(row, org, today=clock.now().date())


@router.get(
    "/solutions/{solution_id}",
    response_model=SolutionPublic,
    summary="A solution: published ones for anyone; any status for its owners and officials",
    responses={404: _PROBLEMS[404]},
)
def read_solution(
    session: SessionDep, clock: ClockDep, principal: OptionalApiPrincipal, solution_id: int
) -> SolutionPublic:
    today = clock.now().date()
    row, org, _ = service.readable(session, principal, solution_id, today=today)
    return service.public_model(row, org, today=today)


@router.patch(
    "/solutions/{solution_id}",
    response_model=SolutionPublic,
    summary="Change a solution (its owners); `status`: draft, pending (submit) or archived",
    responses=_PROBLEMS,
)
def update_solution(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    solution_id: int,
    body: SolutionUpdate,
) -> SolutionPublic:
    row = service.get_solution(session, solution_id)
    org = service.owner_org(session, principal, row)
    changes = body.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    if changes or status in ("draft", "pending"):
        fields = service.merge(row, changes)
        service.update(
            session,
            principal=principal,
            row=row,
            fields=fields,
            status=None if status == "archived" else status,
            now=clock.now(),
            ip=client_ip(request),
        )
    if status == "archived":
        service.archive(
            session, principal=principal, row=row, now=clock.now(), ip=client_ip(request)
        )
    return service.public_model(row, org, today=clock.now().date())
