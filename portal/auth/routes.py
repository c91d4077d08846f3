"""Account pages: sign-in (password and OIDC), registration, sign-out, password reset,
my account (sessions, API tokens), invitations and the admins' user list.

Every form works without JavaScript: POST, then a 303 redirect; a refused form is shown
again with the message next to each field and what was typed (never a password).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from authlib.integrations.base_client import OAuthError
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from portal.audit import service as audit
from portal.auth import context as auth_context
from portal.auth import oidc, service, sessions
from portal.auth.permissions import (
    MEMBERSHIP_LABELS,
    ROLE_LABELS,
    VENDOR_KINDS,
    Action,
    Principal,
    authorize,
)
from portal.auth.schemas import RegistrationForm
from portal.db import write_on_read_path
from portal.deps import (
    WRITES_ON_GET,
    ClockDep,
    CurrentUser,
    MailerDep,
    OptionalUser,
    SessionDep,
    SessionPolicyDep,
    SettingsDep,
    WebSessionDep,
    client_ip,
)
from portal.kit.errors import FieldErrors, NotFound
from portal.kit.templating import render
from portal.mail import Mail
from portal.models import User
from portal.organizations import service as org_service

log = logging.getLogger("portal.auth")
router = APIRouter(tags=["pages"], include_in_schema=False)

DEMO_ACCOUNTS = service.DEMO_ACCOUNTS
DEMO_PASSWORD = service.DEMO_PASSWORD


def safe_next(target: str | None, default: str = "/account") -> str:
    """Only a path on this site: never ``//host`` or a URL."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _common(settings: Any) -> dict[str, Any]:
    return {
        "oidc_enabled": oidc.enabled(settings),
        "demo_accounts": DEMO_ACCOUNTS if settings.is_development else (),
        "demo_password": DEMO_PASSWORD if settings.is_development else None,
        "role_labels": ROLE_LABELS,
    }


# --- sign-in and sign-out ----------------------------------------------------------------


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
        return _see_other(safe_next(next))
    notices = {"reset": "密码已重置，请用新密码登录。", "signed_out": "您已退出登录。"}
    return render(
        request,
        "auth/login.html",
        {**_common(settings), "next": safe_next(next, ""), "notice": notices.get(notice or "")},
    )


@router.post("/login", name="login_submit")
def login_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    policy: SessionPolicyDep,
    settings: SettingsDep,
    mailer: MailerDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    now = clock.now()
    try:
        user = service.sign_in(
            session,
            email=email,
            password=password,
            ip=client_ip(request),
            now=now,
            allow_demo=settings.is_development,
        )
    except service.SignInRefused as refused:
        # The page says the same whether or not a mail went out.
        if refused.unlock is not None:
            _send_unlock_mail(request, mailer, *refused.unlock)
        return render(
            request,
            "auth/login.html",
            {**_common(settings), "error": refused.message, "email": email, "next": next},
            status_code=refused.status_code,
        )
    auth_context.start_signed_in_session(request, session, user, now=now, policy=policy)
    return _see_other(safe_next(next))


def _send_unlock_mail(request: Request, mailer: MailerDep, user: User, token: str) -> None:
    hours = int(service.UNLOCK_LIFETIME.total_seconds() // 3600)
    link = str(request.url_for("login_unlock", token=token))
    forgot = str(request.url_for("password_forgot"))
    mailer.send(
        Mail(
            to=user.email,
            subject="您在湖南5G应用产业生态对接平台的账号已暂时锁定",
            body=(
                "您好，\n\n有人多次用错误的密码登录您的账号，为防止密码被猜中，"
                "账号已暂时锁定，锁定期间输入正确的密码也无法登录。\n\n"
                f"如果要现在登录，请在 {hours} 小时内打开下面的链接并输入密码"
                f"（链接只能使用一次）：\n{link}\n\n"
                "如果这些尝试不是您本人所为，说明有人在猜测您的密码；"
                f"如果您的密码较短或在别处用过，建议立即重置：\n{forgot}\n"
            ),
        )
    )


@router.get("/login/unlock/{token}", name="login_unlock")
def unlock_page(
    request: Request, session: SessionDep, clock: ClockDep, web_session: WebSessionDep, token: str
) -> Response:
    # A GET changes nothing (mail scanners open links): the form below signs in.
    user = service.unlocking_user(session, token=token, now=clock.now())
    if user is None:
        return _unlock_page(request, token, None, service.UNLOCK_INVALID, 400)
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
    mailer: MailerDep,
    token: str,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    now = clock.now()
    try:
        user = service.sign_in_with_unlock(
            session,
            token=token,
            password=password,
            ip=client_ip(request),
            now=now,
            allow_demo=settings.is_development,
        )
    except service.SignInRefused as refused:
        if refused.unlock is not None:  # the attack goes on: a fresh link
            _send_unlock_mail(request, mailer, *refused.unlock)
        still = service.unlocking_user(session, token=token, now=now)
        return _unlock_page(request, token, still, refused.message, refused.status_code)
    auth_context.start_signed_in_session(request, session, user, now=now, policy=policy)
    return _see_other("/account")


@router.post("/logout", name="logout")
def logout(request: Request, session: SessionDep, clock: ClockDep, user: OptionalUser) -> Response:
    if user is not None:
        audit.record(session, action="sign_out", now=clock.now(), actor=user, ip=client_ip(request))
    auth_context.end_session(request, session)
    return _see_other("/login?notice=signed_out")


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
    return _see_other("/login?notice=signed_out")


# --- registration ------------------------------------------------------------------------


def _registration_context(settings: Any, form: RegistrationForm | None = None) -> dict[str, Any]:
    return {**_common(settings), "form": form or RegistrationForm(), "vendor_kinds": VENDOR_KINDS}


@router.get("/register", name="register")
def register_page(
    request: Request, settings: SettingsDep, web_session: WebSessionDep, user: OptionalUser
) -> Response:
    if user is not None:
        return _see_other("/account")
    return render(request, "auth/register.html", _registration_context(settings))


@router.post("/register", name="register_submit")
def register_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    mailer: MailerDep,
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
        result = service.register(
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
        link = str(request.url_for("register_verify", token=result.token))
        mailer.send(
            Mail(
                to=result.email,
                subject="确认您在湖南5G应用产业生态对接平台的注册",
                body=(
                    f"您好，\n\n请在 24 小时内打开下面的链接，完成注册：\n{link}\n\n"
                    "如果不是您本人注册，请忽略本邮件，该账号不会启用。\n"
                ),
            )
        )
    else:
        login = str(request.url_for("login"))
        forgot = str(request.url_for("password_forgot"))
        mailer.send(
            Mail(
                to=result.email,
                subject="有人尝试用您的邮箱在湖南5G应用产业生态对接平台注册",
                body=(
                    "您好，\n\n刚才有人尝试用本邮箱注册新账号，但本邮箱已有账号，"
                    "因此没有创建新账号。\n\n"
                    f"如果是您本人，请直接登录：\n{login}\n\n"
                    f"如果忘记了密码，可以在这里重置：\n{forgot}\n\n"
                    "如果不是您本人操作，请忽略本邮件，您的账号不受影响。\n"
                ),
            )
        )
    web_session.data = {**web_session.data, "registered_email": result.email}
    session.add(web_session)
    return _see_other("/register/sent")


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
    valid = service.valid_verification(session, token=token, now=clock.now()) is not None
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
        user = service.verify_email(session, token=token, now=now, ip=client_ip(request))
    except FieldErrors as refused:
        return render(
            request,
            "auth/register_verify.html",
            {"token": token, "valid": False, "error": refused.message},
            status_code=refused.status_code,
        )
    auth_context.start_signed_in_session(request, session, user, now=now, policy=policy)
    return _see_other("/account?notice=registered")


# --- password reset ----------------------------------------------------------------------


@router.get("/password/forgot", name="password_forgot")
def forgot_page(request: Request, web_session: WebSessionDep) -> Response:
    return render(request, "auth/forgot.html", {})


@router.post("/password/forgot", name="password_forgot_submit")
def forgot_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    mailer: MailerDep,
    email: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    try:
        result = service.request_password_reset(
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
        link = str(request.url_for("password_reset", token=token))
        mailer.send(
            Mail(
                to=user.email,
                subject="重置您在湖南5G应用产业生态对接平台的密码",
                body=(
                    f"您好，\n\n请在 1 小时内打开下面的链接设置新密码：\n{link}\n\n"
                    "如果不是您本人申请，请忽略本邮件，您的密码不会改变。\n"
                ),
            )
        )
    return render(request, "auth/forgot.html", {"sent": True})


@router.get("/password/reset/{token}", name="password_reset")
def reset_page(
    request: Request, session: SessionDep, clock: ClockDep, web_session: WebSessionDep, token: str
) -> Response:
    valid = service.valid_reset(session, token=token, now=clock.now()) is not None
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
        service.reset_password(
            session,
            token=token,
            password=password,
            confirm=password_confirm,
            now=clock.now(),
            min_length=settings.portal_password_min_length,
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        valid = service.valid_reset(session, token=token, now=clock.now()) is not None
        return render(
            request,
            "auth/reset.html",
            {"token": token, "valid": valid, "error": refused.message, "errors": refused.errors},
            status_code=refused.status_code,
        )
    # Every session of the user ended, this browser's too.
    auth_context.end_session(request, session)
    return _see_other("/login?notice=reset")


# --- OIDC ----------------------------------------------------------------------------------


def _oidc_failure(request: Request, settings: Any, message: str, status: int = 400) -> Response:
    return render(
        request,
        "auth/login.html",
        {**_common(settings), "error": message, "next": ""},
        status_code=status,
    )


@router.get("/auth/oidc/login", name="oidc_login", dependencies=[WRITES_ON_GET])
async def oidc_login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    next: Annotated[str | None, Query()] = None,
) -> Response:
    if not oidc.enabled(settings):
        raise NotFound("未配置统一身份认证")
    try:
        await oidc.load_metadata(settings)
    except oidc.IssuerMismatch:
        log.exception("OIDC issuer mismatch")
        return _oidc_failure(request, settings, "统一身份认证配置有误，请联系平台管理员。", 503)
    except Exception:
        log.exception("OIDC discovery failed")
        return _oidc_failure(request, settings, "统一身份认证服务暂时不可用，请稍后再试。", 503)
    request.scope["session"] = dict(web_session.data)
    redirect = await oidc.client(settings).authorize_redirect(
        request, str(request.url_for("oidc_callback"))
    )
    web_session.data = {**request.scope["session"], "oidc_next": safe_next(next)}
    session.add(web_session)
    return redirect


@router.get("/auth/oidc/callback", name="oidc_callback", dependencies=[WRITES_ON_GET])
async def oidc_callback(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    policy: SessionPolicyDep,
    settings: SettingsDep,
) -> Response:
    if not oidc.enabled(settings):
        raise NotFound("未配置统一身份认证")
    assert settings.portal_oidc_issuer
    web_session = request.state.web_session
    if web_session is None:
        return _oidc_failure(request, settings, "登录已超时，请重新登录。")
    request.scope["session"] = dict(web_session.data)
    app = oidc.client(settings)
    try:
        await oidc.load_metadata(settings)
        token = await app.authorize_access_token(
            request, claims_options=oidc.id_token_claims_options(settings)
        )
        id_claims = token.get("userinfo") or {}
        if not id_claims.get("sub"):
            raise OAuthError(description="the ID token is missing")
        # Roles and the email come from userinfo; its sub must be the ID token's.
        userinfo = dict(await app.userinfo(token=token))
        if userinfo.get("sub") != id_claims.get("sub"):
            raise OAuthError(description="userinfo sub differs from the ID token's")
    except (OAuthError, oidc.IssuerMismatch) as exc:
        log.warning("OIDC sign-in refused: %s", exc)
        web_session.data = {}
        session.add(web_session)
        return _oidc_failure(request, settings, "统一身份认证登录失败，请重试。")
    except Exception:
        log.exception("OIDC sign-in failed")
        return _oidc_failure(request, settings, "统一身份认证服务暂时不可用，请稍后再试。", 503)
    next_url = safe_next(web_session.data.get("oidc_next"))
    now = clock.now()
    try:
        # Database work in a worker thread: this handler is async for the provider's calls.
        user = await run_in_threadpool(
            service.oidc_sign_in,
            session,
            issuer=settings.portal_oidc_issuer,
            userinfo=userinfo,
            role_claim=settings.portal_oidc_role_claim,
            now=now,
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        web_session.data = {}
        session.add(web_session)
        return _oidc_failure(request, settings, refused.message, refused.status_code)
    await run_in_threadpool(
        auth_context.start_signed_in_session, request, session, user, now=now, policy=policy
    )
    return _see_other(next_url)


# --- my account ----------------------------------------------------------------------------


def _account_context(
    session: SessionDep, user: User, *, now: Any, policy: Any, new_token: str | None = None
) -> dict[str, Any]:
    assert user.id is not None
    return {
        "user": user,
        "role_labels": ROLE_LABELS,
        "membership_labels": MEMBERSHIP_LABELS,
        "memberships": service.memberships_of(session, user),
        "tokens": service.list_tokens(session, user=user),
        "session_count": sessions.count_for_user(session, user.id, now=now, policy=policy),
        "new_token": new_token,
    }


@router.get("/account", name="account")
def account_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    policy: SessionPolicyDep,
    user: CurrentUser,
    notice: Annotated[str | None, Query()] = None,
) -> Response:
    web_session = request.state.web_session
    # A new token is shown once, on the page the creating POST redirected to.
    new_token = web_session.data.get("new_token") if web_session is not None else None
    if new_token:

        def forget_token() -> None:
            web_session.data = {k: v for k, v in web_session.data.items() if k != "new_token"}
            session.add(web_session)

        write_on_read_path(session, forget_token)
    notices = {
        "registered": "注册成功，欢迎使用。",
        "token_revoked": "令牌已撤销。",
        "joined": "您已加入该机构。",
    }
    context = _account_context(session, user, now=clock.now(), policy=policy, new_token=new_token)
    return render(request, "auth/account.html", {**context, "notice": notices.get(notice or "")})


@router.post("/account/tokens", name="token_create")
def token_create(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    policy: SessionPolicyDep,
    user: CurrentUser,
    name: Annotated[str, Form(max_length=200)] = "",
    scope: Annotated[str, Form(max_length=8)] = "read",
) -> Response:
    principal = Principal(user=user, via="session")
    authorize(session, principal, Action.TOKEN_MANAGE, owner_id=user.id)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "请为令牌起一个名字，便于日后识别"
    elif len(name.strip()) > 100:
        errors["name"] = "名字不能超过 100 个字符"
    if scope not in ("read", "write"):
        errors["scope"] = "请选择权限范围"
    if errors:
        context = _account_context(session, user, now=clock.now(), policy=policy)
        return render(
            request,
            "auth/account.html",
            {**context, "token_errors": errors, "token_name": name},
            status_code=400,
        )
    raw, _ = service.create_token(
        session,
        user=user,
        name=name,
        scope="write" if scope == "write" else "read",
        now=clock.now(),
        ip=client_ip(request),
    )
    web_session = request.state.web_session
    web_session.data = {**web_session.data, "new_token": raw}
    session.add(web_session)
    return _see_other("/account#tokens")


@router.post("/account/tokens/{token_id}/revoke", name="token_revoke")
def token_revoke(
    request: Request, session: SessionDep, clock: ClockDep, user: CurrentUser, token_id: int
) -> Response:
    service.revoke_token(
        session,
        principal=Principal(user=user, via="session"),
        token_id=token_id,
        now=clock.now(),
        ip=client_ip(request),
    )
    return _see_other("/account?notice=token_revoked#tokens")


# --- invitations ---------------------------------------------------------------------------


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
        raise NotFound("邀请链接无效或已过期")
    org = org_service.get_org(session, invitation.org_id)
    has_account = service.find_user_by_email(session, invitation.email) is not None
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
    return _see_other("/account?notice=joined")


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
            raise NotFound("邀请链接无效或已过期") from None
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
    return _see_other("/account?notice=joined")


# --- admins: users -------------------------------------------------------------------------


@router.get("/admin/users", name="admin_users")
def admin_users(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    q: Annotated[str | None, Query(max_length=254)] = None,
) -> Response:
    authorize(session, Principal(user=user), Action.USER_MANAGE)
    return render(
        request,
        "auth/admin_users.html",
        {"users": service.list_users(session, q=q), "q": q or "", "role_labels": ROLE_LABELS},
    )


def _target_user(session: SessionDep, user_id: int) -> User:
    target = session.get(User, user_id)
    if target is None:
        raise NotFound("找不到该用户")
    return target


@router.post("/admin/users/{user_id}/role", name="admin_user_role")
def admin_user_role(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: CurrentUser,
    user_id: int,
    role: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    principal = Principal(user=user)
    authorize(session, principal, Action.USER_MANAGE)
    service.set_role(
        session,
        principal=principal,
        user=_target_user(session, user_id),
        role=role,
        now=clock.now(),
        ip=client_ip(request),
    )
    return _see_other("/admin/users")


@router.post("/admin/users/{user_id}/active", name="admin_user_active")
def admin_user_active(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: CurrentUser,
    user_id: int,
    active: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    principal = Principal(user=user)
    authorize(session, principal, Action.USER_MANAGE)
    service.set_active(
        session,
        principal=principal,
        user=_target_user(session, user_id),
        active=active == "1",
        now=clock.now(),
        ip=client_ip(request),
    )
    return _see_other("/admin/users")
