"""Sign-in with a password (and past a lock, with the mailed unlock link) and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from portal.audit import service as audit
from portal.auth import context as auth_context
from portal.auth import registration, sessions, signin
from portal.auth.routes.common import sign_in_context
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
from portal.kit.i18n import _
from portal.kit.redirects import safe_next, see_other
from portal.kit.templating import render
from portal.mail import queue_mail
from portal.models import User

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/login", name="login")
def login_page(
    request: Request,
    settings: SettingsDep,
    web_session: WebSessionDep,
    user: OptionalUser,
    next: Annotated[str | None, Query()] = None,
    notice: Annotated[str | None, Query()] = None,
) -> Response:
    if user is not None:
        return see_other(safe_next(next))
    notices = {"reset": _("密码已重置，请用新密码登录。"), "signed_out": _("您已退出登录。")}
    return render(
        request,
        "auth/login.html",
        {
            **sign_in_context(settings),
            "next": safe_next(next, ""),
            "notice": notices.get(notice or ""),
        },
    )


@router.post("/login", name="login_submit")
def login_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    policy: SessionPolicyDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    now = clock.now()
    try:
        user = signin.sign_in(
            session,
            email=email,
            password=password,
            ip=client_ip(request),
            now=now,
            allow_demo=settings.is_development,
        )
    except signin.SignInRefused as refused:
        # The page says the same whether or not a mail went out.
        if refused.unlock is not None:
            _queue_unlock_mail(request, session, *refused.unlock)
        awaiting = isinstance(refused, signin.AwaitingVerification)
        if isinstance(refused, signin.AwaitingVerification):
            # The password was right: this browser may ask for a new link, once.
            web_session = auth_context.ensure_web_session(request, session, now=now, policy=policy)
            web_session.data = {**web_session.data, RESEND_KEY: refused.user.id}
            session.add(web_session)
        return render(
            request,
            "auth/login.html",
            {
                **sign_in_context(settings),
                "error": refused.message,
                "email": email,
                "next": next,
                "awaiting_verification": awaiting,
            },
            status_code=refused.status_code,
        )
    auth_context.start_signed_in_session(request, session, user, now=now, policy=policy)
    # The home page offers the role's first steps (issue 18).
    return see_other(safe_next(next, default="/"))


RESEND_KEY = "resend_verification"


@router.post("/login/resend", name="login_resend")
def resend_verification(
    request: Request, session: SessionDep, clock: ClockDep, web_session: WebSessionDep
) -> Response:
    """A new confirmation link for the account whose right password this browser just
    gave; anything else changes nothing and answers the same way."""
    user_id = web_session.data.get(RESEND_KEY)
    if not isinstance(user_id, int):
        return see_other("/login")
    web_session.data = {k: v for k, v in web_session.data.items() if k != RESEND_KEY}
    session.add(web_session)
    user = session.get(User, user_id)
    token = registration.reissue_verification(session, user=user, now=clock.now()) if user else None
    if user is None or token is None:
        return see_other("/login")
    queue_mail(
        session,
        to=user.email,
        template="registration_verify",
        context={
            "hours": int(registration.VERIFY_LIFETIME.total_seconds() // 3600),
            "link": str(request.url_for("register_verify", token=token)),
        },
    )
    web_session.data = {**web_session.data, "registered_email": user.email}
    return see_other("/register/sent")


def _queue_unlock_mail(request: Request, session: Session, user: User, token: str) -> None:
    queue_mail(
        session,
        to=user.email,
        template="sign_in_unlock",
        context={
            "hours": int(signin.UNLOCK_LIFETIME.total_seconds() // 3600),
            "link": str(request.url_for("login_unlock", token=token)),
            "forgot": str(request.url_for("password_forgot")),
        },
    )


@router.get("/login/unlock/{token}", name="login_unlock")
def unlock_page(
    request: Request, session: SessionDep, clock: ClockDep, web_session: WebSessionDep, token: str
) -> Response:
    # A GET changes nothing (mail scanners open links): the form below signs in.
    user = signin.unlocking_user(session, token=token, now=clock.now())
    if user is None:
        return _unlock_page(request, token, None, signin.UNLOCK_INVALID, 400)
    return _unlock_page(request, token, user, None, 200)


def _unlock_page(
    request: Request, token: str, user: User | None, error: str | None, status_code: int
) -> Response:
    return render(
        request,
        "auth/unlock.html",
        {"token": token, "email": user.email if user else None, "error": error},
        status_code=status_code,
    )


@router.post("/login/unlock/{token}", name="login_unlock_submit")
def unlock_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    policy: SessionPolicyDep,
    settings: SettingsDep,
    token: str,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    now = clock.now()
    try:
        user = signin.sign_in_with_unlock(
            session,
            token=token,
            password=password,
            ip=client_ip(request),
            now=now,
            allow_demo=settings.is_development,
        )
    except signin.SignInRefused as refused:
        if refused.unlock is not None:  # the attack goes on: a fresh link
            _queue_unlock_mail(request, session, *refused.unlock)
        still = signin.unlocking_user(session, token=token, now=now)
        return _unlock_page(request, token, still, refused.message, refused.status_code)
    auth_context.start_signed_in_session(request, session, user, now=now, policy=policy)
    return see_other("/")


@router.post("/logout", name="logout")
def logout(request: Request, session: SessionDep, clock: ClockDep, user: OptionalUser) -> Response:
    if user is not None:
        audit.record(session, action="sign_out", now=clock.now(), actor=user, ip=client_ip(request))
    auth_context.end_session(request, session)
    return see_other("/login?notice=signed_out")


@router.post("/account/sign-out-everywhere", name="sign_out_everywhere")
def sign_out_everywhere(
    request: Request, session: SessionDep, clock: ClockDep, user: CurrentUser
) -> Response:
    assert user.id is not None
    ended = sessions.end_all_for_user(session, user.id)
    audit.record(
        session,
        action="sign_out.everywhere",
        now=clock.now(),
        actor=user,
        detail={"sessions": ended},
        ip=client_ip(request),
    )
    auth_context.forget(request)
    return see_other("/login?notice=signed_out")
