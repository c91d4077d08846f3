"""Sign-in through the OpenID Connect provider: the redirect and the callback."""

from __future__ import annotations

import logging
from typing import Annotated

from authlib.integrations.base_client import OAuthError
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from portal.auth import context as auth_context
from portal.auth import oidc
from portal.auth.routes.common import sign_in_context
from portal.deps import (
    WRITES_ON_GET,
    ClockDep,
    SessionDep,
    SessionPolicyDep,
    SettingsDep,
    WebSessionDep,
    client_ip,
)
from portal.kit.errors import FieldErrors, NotFound
from portal.kit.i18n import _
from portal.kit.redirects import safe_next, see_other
from portal.kit.templating import render
from portal.settings import Settings

log = logging.getLogger("portal.auth")
router = APIRouter(tags=["pages"], include_in_schema=False)


def _oidc_failure(
    request: Request, settings: Settings, message: str, status: int = 400
) -> Response:
    return render(
        request,
        "auth/login.html",
        {**sign_in_context(settings), "error": message, "next": ""},
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
        raise NotFound(_("未配置统一身份认证"))
    try:
        await oidc.load_metadata(settings)
    except oidc.IssuerMismatch:
        log.exception("OIDC issuer mismatch")
        return _oidc_failure(request, settings, _("统一身份认证配置有误，请联系平台管理员。"), 503)
    except Exception:
        log.exception("OIDC discovery failed")
        return _oidc_failure(request, settings, _("统一身份认证服务暂时不可用，请稍后再试。"), 503)
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
        raise NotFound(_("未配置统一身份认证"))
    assert settings.portal_oidc_issuer
    web_session = request.state.web_session
    if web_session is None:
        return _oidc_failure(request, settings, _("登录已超时，请重新登录。"))
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
        return _oidc_failure(request, settings, _("统一身份认证登录失败，请重试。"))
    except Exception:
        log.exception("OIDC sign-in failed")
        return _oidc_failure(request, settings, _("统一身份认证服务暂时不可用，请稍后再试。"), 503)
    next_url = safe_next(web_session.data.get("oidc_next"))
    now = clock.now()
    try:
        # Database work in a worker thread: this handler is async for the provider's calls.
        user = await run_in_threadpool(
            oidc.oidc_sign_in,
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
    return see_other(next_url)
