"""The organisation API: the public profile, the private one for members and officials,
and changes by members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from portal.auth.permissions import Action, can
from portal.deps import ApiPrincipal, ClockDep, OptionalApiPrincipal, SessionDep, client_ip
from portal.kit.errors import FieldErrors, PortalError
from portal.kit.i18n import N_, _
from portal.kit.pagination import MAX_PER_PAGE
from portal.models import OrganizationPublic
from portal.organizations import service
from portal.organizations.schemas import OrganizationPrivate, OrganizationUpdate

router = APIRouter(prefix="/api/v1", tags=["organizations"])


class ProfileInvalid(PortalError):
    status_code = 422
    title = N_("提交的数据有误")


class OrganizationList(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[OrganizationPublic]


@router.get(
    "/organizations",
    response_model=OrganizationList,
    summary="Organisations' public profiles (no contact details)",
)
def organizations(
    session: SessionDep,
    kind: str | None = None,
    city: str | None = None,
    verified: bool | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
) -> OrganizationList:
    result = service.list_orgs(
        session,
        kind=kind or None,
        city=city or None,
        verified=verified,
        page=page,
        per_page=per_page,
    )
    return OrganizationList(
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        items=[OrganizationPublic.model_validate(o, from_attributes=True) for o in result.items],
    )


@router.get(
    "/organizations/{org_id}",
    response_model=OrganizationPrivate | OrganizationPublic,
    summary="An organisation; with contact details for its members and officials",
    responses={404: {"description": "no such organisation"}},
)
def organization(
    session: SessionDep, principal: OptionalApiPrincipal, org_id: int
) -> OrganizationPrivate | OrganizationPublic:
    org = service.get_org(session, org_id)
    if can(session, principal, Action.ORG_VIEW_PRIVATE, org=org):
        return OrganizationPrivate.model_validate(org, from_attributes=True)
    return OrganizationPublic.model_validate(org, from_attributes=True)


@router.patch(
    "/organizations/{org_id}",
    response_model=OrganizationPrivate,
    summary="Change an organisation's profile (its members; Bearer write token or session)",
    responses={
        401: {"description": "no valid Bearer token or session"},
        403: {"description": "not a member of this organisation, or a read-only token"},
        404: {"description": "no such organisation"},
        422: {"description": "a field is invalid"},
    },
)
def update_organization(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    org_id: int,
    body: OrganizationUpdate,
) -> OrganizationPrivate:
    org = service.get_org(session, org_id)
    try:
        service.update_profile(
            session,
            principal=principal,
            org=org,
            changes=body.model_dump(exclude_unset=True),
            now=clock.now(),
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        raise ProfileInvalid(_("请检查标出的字段"), errors=refused.errors) from None
    return OrganizationPrivate.model_validate(org, from_attributes=True)
