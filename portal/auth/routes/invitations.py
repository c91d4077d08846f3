"""Invitations to join an organisation: see one, accept it, or register through it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from portal.auth import context as auth_context
from portal.auth.accounts import find_user_by_email
from portal.auth.permissions import MEMBERSHIP_LABELS
from portal.deps import (
    ClockDep,
    CurrentUser,
    OptionalUser,
    SessionDep,
    SessionPolicyDep,
    SettingsDep,
    WebSessionDep,
    client_ip,
)
from portal.kit.errors import FieldErrors, NotFound
from portal.kit.i18n import _
from portal.kit.redirects import see_other
from portal.kit.templating import render
from portal.organizations import service as org_service

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/invitations/{token}", name="invitation")
def invitation_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    web_session: WebSessionDep,
    user: OptionalUser,
    token: str,
) -> Response:
    invitation = org_service.find_invitation(session, token=token, now=clock.now())
    if invitation is None:
        raise NotFound(_("邀请链接无效或已过期"))
    org = org_service.get_org(session, invitation.org_id)
    has_account = find_user_by_email(session, invitation.email) is not None
    return render(
        request,
        "auth/invitation.html",
        {
            "invitation": invitation,
            "org": org,
            "token": token,
            "user": user,
            "has_account": has_account,
            "membership_labels": MEMBERSHIP_LABELS,
        },
    )


@router.post("/invitations/{token}/accept", name="invitation_accept")
def invitation_accept(
    request: Request, session: SessionDep, clock: ClockDep, user: CurrentUser, token: str
) -> Response:
    org_service.accept_invitation(
        session, user=user, token=token, now=clock.now(), ip=client_ip(request)
    )
    return see_other("/account?notice=joined")


@router.post("/invitations/{token}/register", name="invitation_register")
def invitation_register(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    policy: SessionPolicyDep,
    settings: SettingsDep,
    user: OptionalUser,
    token: str,
    display_name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    password_confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    now = clock.now()
    try:
        new_user = org_service.register_invited(
            session,
            token=token,
            display_name=display_name,
            password=password,
            confirm=password_confirm,
            now=now,
            min_length=settings.portal_password_min_length,
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        invitation = org_service.find_invitation(session, token=token, now=now)
        if invitation is None:
            raise NotFound(_("邀请链接无效或已过期")) from None
        return render(
            request,
            "auth/invitation.html",
            {
                "invitation": invitation,
                "org": org_service.get_org(session, invitation.org_id),
                "token": token,
                "user": user,
                "has_account": False,
                "membership_labels": MEMBERSHIP_LABELS,
                "errors": refused.errors,
                "display_name": display_name,
            },
            status_code=refused.status_code,
        )
    auth_context.start_signed_in_session(request, session, new_user, now=now, policy=policy)
    return see_other("/account?notice=joined")
