"""My account (memberships, sessions, API tokens) and the admins' user list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from portal.auth import accounts, sessions, tokens
from portal.auth.permissions import MEMBERSHIP_LABELS, ROLE_LABELS, Action, Principal, authorize
from portal.db import write_on_read_path
from portal.deps import ClockDep, CurrentUser, SessionDep, SessionPolicyDep, SignedIn, client_ip
from portal.kit.errors import NotFound
from portal.kit.i18n import _
from portal.kit.redirects import see_other
from portal.kit.templating import render
from portal.models import User

router = APIRouter(tags=["pages"], include_in_schema=False)


def _account_context(
    session: SessionDep, user: User, *, now: Any, policy: Any, new_token: str | None = None
) -> dict[str, Any]:
    assert user.id is not None
    return {
        "user": user,
        "role_labels": ROLE_LABELS,
        "membership_labels": MEMBERSHIP_LABELS,
        "memberships": accounts.memberships_of(session, user),
        "tokens": tokens.list_tokens(session, user=user),
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
        "registered": _("注册成功，欢迎使用。"),
        "token_revoked": _("令牌已撤销。"),
        "joined": _("您已加入该机构。"),
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
        errors["name"] = _("请为令牌起一个名字，便于日后识别")
    elif len(name.strip()) > 100:
        errors["name"] = _("名字不能超过 100 个字符")
    if scope not in ("read", "write"):
        errors["scope"] = _("请选择权限范围")
    if errors:
        context = _account_context(session, user, now=clock.now(), policy=policy)
        return render(
            request,
            "auth/account.html",
            {**context, "token_errors": errors, "token_name": name},
            status_code=400,
        )
    raw, _token = tokens.create_token(
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
    return see_other("/account#tokens")


@router.post("/account/tokens/{token_id}/revoke", name="token_revoke")
def token_revoke(
    request: Request, session: SessionDep, clock: ClockDep, user: CurrentUser, token_id: int
) -> Response:
    tokens.revoke_token(
        session,
        principal=Principal(user=user, via="session"),
        token_id=token_id,
        now=clock.now(),
        ip=client_ip(request),
    )
    return see_other("/account?notice=token_revoked#tokens")


# --- admins: users -------------------------------------------------------------------------


@router.get("/admin/users", name="admin_users")
def admin_users(
    request: Request,
    session: SessionDep,
    principal: SignedIn,
    q: Annotated[str | None, Query(max_length=254)] = None,
) -> Response:
    authorize(session, principal, Action.USER_MANAGE)
    return render(
        request,
        "auth/admin_users.html",
        {"users": accounts.list_users(session, q=q), "q": q or "", "role_labels": ROLE_LABELS},
    )


def _target_user(session: SessionDep, user_id: int) -> User:
    target = session.get(User, user_id)
    if target is None:
        raise NotFound(_("找不到该用户"))
    return target


@router.post("/admin/users/{user_id}/role", name="admin_user_role")
def admin_user_role(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    user_id: int,
    role: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    authorize(session, principal, Action.USER_MANAGE)
    accounts.set_role(
        session,
        principal=principal,
        user=_target_user(session, user_id),
        role=role,
        now=clock.now(),
        ip=client_ip(request),
    )
    return see_other("/admin/users")


@router.post("/admin/users/{user_id}/active", name="admin_user_active")
def admin_user_active(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    user_id: int,
    active: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    authorize(session, principal, Action.USER_MANAGE)
    accounts.set_active(
        session,
        principal=principal,
        user=_target_user(session, user_id),
        active=active == "1",
        now=clock.now(),
        ip=client_ip(request),
    )
    return see_other("/admin/users")
