"""Organisation pages for its members: edit the profile, invite and remove members; and
the officials' verification."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from portal.auth.permissions import MEMBERSHIP_LABELS, Action, authorize, can
from portal.deps import ClockDep, PagePrincipal, SessionDep, SignedIn, client_ip
from portal.kit.errors import FieldErrors
from portal.kit.templating import render
from portal.listings.registry import DEMAND, FUNDING, INCUBATION, PLATFORM, SOLUTION
from portal.listings.service import public_of_org
from portal.mail import queue_mail
from portal.models import Organization
from portal.organizations import service
from portal.organizations.schemas import PROFILE_FIELDS

router = APIRouter(tags=["pages"], include_in_schema=False)


def _values(org: Organization) -> dict[str, Any]:
    return {name: getattr(org, name) or "" for name in PROFILE_FIELDS}


@router.get("/organizations/{org_id}", name="organization")
def profile_page(
    request: Request, session: SessionDep, clock: ClockDep, principal: PagePrincipal, org_id: int
) -> Response:
    """The public profile: no contact details; the published listings and the cases."""
    org = service.get_org(session, org_id)
    today = clock.today()
    assert org.id is not None
    return render(
        request,
        "organizations/profile.html",
        {
            "org": org,
            "solutions": public_of_org(session, SOLUTION, org.id, today=today),
            "demands": public_of_org(session, DEMAND, org.id, today=today),
            "cases": service.cases_of(session, org),
            # Funding calls, platforms, incubation cohorts (issue 16), by kind.
            "programmes": [
                (kind, rows)
                for kind in (FUNDING, PLATFORM, INCUBATION)
                if (rows := public_of_org(session, kind, org.id, today=today))
            ],
            "can_verify": can(session, principal, Action.ORG_VERIFY, org=org),
            "can_edit": can(session, principal, Action.ORG_EDIT, org=org),
        },
    )


@router.get("/organizations/{org_id}/edit", name="organization_edit")
def edit_page(request: Request, session: SessionDep, principal: SignedIn, org_id: int) -> Response:
    org = service.get_org(session, org_id)
    authorize(session, principal, Action.ORG_EDIT, org=org)
    return render(request, "organizations/edit.html", {"org": org, "values": _values(org)})


@router.post("/organizations/{org_id}/edit", name="organization_edit_submit")
def edit_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    org_id: int,
    name: Annotated[str, Form(max_length=300)] = "",
    city: Annotated[str, Form(max_length=32)] = "",
    website: Annotated[str, Form(max_length=400)] = "",
    description: Annotated[str, Form(max_length=6000)] = "",
    contact_name: Annotated[str, Form(max_length=100)] = "",
    contact_phone: Annotated[str, Form(max_length=64)] = "",
    contact_email: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    org = service.get_org(session, org_id)
    values = {
        "name": name,
        "city": city,
        "website": website,
        "description": description,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
    }
    try:
        service.update_profile(
            session,
            principal=principal,
            org=org,
            changes=values,
            now=clock.now(),
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        return render(
            request,
            "organizations/edit.html",
            {"org": org, "values": values, "errors": refused.errors},
            status_code=400,
        )
    return RedirectResponse(
        str(request.app.url_path_for("organization_edit", org_id=org_id)) + "?saved=1",
        status_code=303,
    )


def _members_context(session: SessionDep, org: Organization, clock: ClockDep) -> dict[str, Any]:
    return {
        "org": org,
        "members": service.members(session, org),
        "invitations": service.pending_invitations(session, org, now=clock.now()),
        "membership_labels": MEMBERSHIP_LABELS,
    }


@router.get("/organizations/{org_id}/members", name="organization_members")
def members_page(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn, org_id: int
) -> Response:
    org = service.get_org(session, org_id)
    authorize(session, principal, Action.ORG_VIEW_PRIVATE, org=org)
    context = _members_context(session, org, clock)
    context["can_manage"] = can(session, principal, Action.ORG_MANAGE_MEMBERS, org=org)
    context["can_edit"] = can(session, principal, Action.ORG_EDIT, org=org)
    context["can_verify"] = can(session, principal, Action.ORG_VERIFY, org=org)
    return render(request, "organizations/members.html", context)


@router.post("/organizations/{org_id}/members", name="organization_invite")
def invite_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    org_id: int,
    email: Annotated[str, Form(max_length=254)] = "",
    role: Annotated[str, Form(max_length=16)] = "member",
) -> Response:
    org = service.get_org(session, org_id)
    try:
        invitation, token = service.invite(
            session,
            principal=principal,
            org=org,
            email=email,
            role=role,
            now=clock.now(),
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        context = _members_context(session, org, clock)
        context.update(
            can_manage=True, can_edit=True, errors=refused.errors, email=email, role=role
        )
        return render(request, "organizations/members.html", context, status_code=400)
    queue_mail(
        session,
        to=invitation.email,
        template="invitation",
        context={
            "org_name": org.name,
            "inviter": principal.user.display_name or principal.user.email,
            "role": MEMBERSHIP_LABELS.get(invitation.role, invitation.role),
            "days": service.INVITATION_LIFETIME.days,
            "link": str(request.url_for("invitation", token=token)),
        },
    )
    url = request.app.url_path_for("organization_members", org_id=org_id)
    return RedirectResponse(f"{url}?invited=1", status_code=303)


@router.post("/organizations/{org_id}/members/{user_id}/remove", name="organization_member_remove")
def remove_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    org_id: int,
    user_id: int,
) -> Response:
    org = service.get_org(session, org_id)
    service.remove_member(
        session,
        principal=principal,
        org=org,
        user_id=user_id,
        now=clock.now(),
        ip=client_ip(request),
    )
    url = request.app.url_path_for("organization_members", org_id=org_id)
    return RedirectResponse(str(url), status_code=303)


@router.post("/organizations/{org_id}/verify", name="organization_verify")
def verify_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    org_id: int,
    verified: Annotated[str, Form(max_length=8)] = "1",
) -> Response:
    org = service.get_org(session, org_id)
    service.set_verified(
        session,
        principal=principal,
        org=org,
        verified=verified == "1",
        now=clock.now(),
        ip=client_ip(request),
    )
    url = request.app.url_path_for("organization_members", org_id=org_id)
    return RedirectResponse(str(url), status_code=303)
