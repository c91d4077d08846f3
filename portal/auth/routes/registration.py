"""Registration with the mailed confirmation link, and password reset by a mailed link."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from portal.auth import context as auth_context
from portal.auth import password_reset, registration
from portal.auth.permissions import VENDOR_KINDS
from portal.auth.routes.common import sign_in_context
from portal.auth.schemas import RegistrationForm
from portal.deps import (
    ClockDep,
    OptionalUser,
    SessionDep,
    SessionPolicyDep,
    SettingsDep,
    WebSessionDep,
    client_ip,
)
from portal.kit.errors import FieldErrors
from portal.kit.redirects import see_other
from portal.kit.templating import render
from portal.mail import queue_mail
from portal.settings import Settings

router = APIRouter(tags=["pages"], include_in_schema=False)


def _registration_context(
    settings: Settings, form: RegistrationForm | None = None
) -> dict[str, Any]:
    return {
        **sign_in_context(settings),
        "form": form or RegistrationForm(),
        "vendor_kinds": VENDOR_KINDS,
    }


@router.get("/register", name="register")
def register_page(
    request: Request, settings: SettingsDep, web_session: WebSessionDep, user: OptionalUser
) -> Response:
    if user is not None:
        return see_other("/account")
    return render(request, "auth/register.html", _registration_context(settings))


@router.post("/register", name="register_submit")
def register_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    account_type: Annotated[str, Form(max_length=16)] = "",
    org_kind: Annotated[str, Form(max_length=32)] = "",
    org_name: Annotated[str, Form(max_length=300)] = "",
    city: Annotated[str, Form(max_length=32)] = "",
    credit_code: Annotated[str, Form(max_length=40)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    password_confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    form = RegistrationForm(
        account_type=account_type,
        org_kind=org_kind,
        org_name=org_name,
        city=city,
        credit_code=credit_code,
        display_name=display_name,
        email=email,
        password=password,
        password_confirm=password_confirm,
    )
    now = clock.now()
    try:
        result = registration.register(
            session,
            form=form,
            ip=client_ip(request),
            now=now,
            min_length=settings.portal_password_min_length,
        )
    except FieldErrors as refused:
        form.password = form.password_confirm = ""
        return render(
            request,
            "auth/register.html",
            {
                **_registration_context(settings, form),
                "error": refused.message,
                "errors": refused.errors,
            },
            status_code=refused.status_code,
        )
    # The same answer whether or not the email was taken; only the mail differs.
    if result.token is not None:
        template = "registration_verify"
        context: dict[str, Any] = {
            "hours": int(registration.VERIFY_LIFETIME.total_seconds() // 3600),
            "link": str(request.url_for("register_verify", token=result.token)),
        }
    else:
        template = "registration_taken"
        context = {
            "login": str(request.url_for("login")),
            "forgot": str(request.url_for("password_forgot")),
        }
    queue_mail(session, to=result.email, template=template, context=context)
    web_session.data = {**web_session.data, "registered_email": result.email}
    session.add(web_session)
    return see_other("/register/sent")


@router.get("/register/sent", name="register_sent")
def register_sent(request: Request, web_session: WebSessionDep) -> Response:
    return render(
        request, "auth/register_sent.html", {"email": web_session.data.get("registered_email")}
    )


@router.get("/register/verify/{token}", name="register_verify")
def verify_page(
    request: Request, session: SessionDep, clock: ClockDep, web_session: WebSessionDep, token: str
) -> Response:
    # A GET changes nothing (mail scanners open links): the button below confirms.
    valid = registration.valid_verification(session, token=token, now=clock.now()) is not None
    return render(
        request,
        "auth/register_verify.html",
        {"token": token, "valid": valid},
        status_code=200 if valid else 400,
    )


@router.post("/register/verify/{token}", name="register_verify_submit")
def verify_submit(
    request: Request, session: SessionDep, clock: ClockDep, policy: SessionPolicyDep, token: str
) -> Response:
    now = clock.now()
    try:
        user = registration.verify_email(session, token=token, now=now, ip=client_ip(request))
    except FieldErrors as refused:
        return render(
            request,
            "auth/register_verify.html",
            {"token": token, "valid": False, "error": refused.message},
            status_code=refused.status_code,
        )
    auth_context.start_signed_in_session(request, session, user, now=now, policy=policy)
    return see_other("/account?notice=registered")


# --- password reset ----------------------------------------------------------------------


@router.get("/password/forgot", name="password_forgot")
def forgot_page(request: Request, web_session: WebSessionDep) -> Response:
    return render(request, "auth/forgot.html", {})


@router.post("/password/forgot", name="password_forgot_submit")
def forgot_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    email: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    try:
        result = password_reset.request_password_reset(
            session, email=email, ip=client_ip(request), now=clock.now()
        )
    except FieldErrors as refused:
        return render(
            request,
            "auth/forgot.html",
            {"error": refused.message, "errors": refused.errors, "email": email},
            status_code=refused.status_code,
        )
    if result is not None:
        user, token = result
        queue_mail(
            session,
            to=user.email,
            template="password_reset",
            context={
                "hours": int(password_reset.RESET_LIFETIME.total_seconds() // 3600),
                "link": str(request.url_for("password_reset", token=token)),
            },
        )
    return render(request, "auth/forgot.html", {"sent": True})


@router.get("/password/reset/{token}", name="password_reset")
def reset_page(
    request: Request, session: SessionDep, clock: ClockDep, web_session: WebSessionDep, token: str
) -> Response:
    valid = password_reset.valid_reset(session, token=token, now=clock.now()) is not None
    return render(
        request,
        "auth/reset.html",
        {"token": token, "valid": valid},
        status_code=200 if valid else 400,
    )


@router.post("/password/reset/{token}", name="password_reset_submit")
def reset_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    token: str,
    password: Annotated[str, Form(max_length=1024)] = "",
    password_confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    try:
        password_reset.reset_password(
            session,
            token=token,
            password=password,
            confirm=password_confirm,
            now=clock.now(),
            min_length=settings.portal_password_min_length,
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        valid = password_reset.valid_reset(session, token=token, now=clock.now()) is not None
        return render(
            request,
            "auth/reset.html",
            {"token": token, "valid": valid, "error": refused.message, "errors": refused.errors},
            status_code=refused.status_code,
        )
    # Every session of the user ended, this browser's too.
    auth_context.end_session(request, session)
    return see_other("/login?notice=reset")
