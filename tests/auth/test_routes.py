import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.audit import service as audit
from portal.auth import throttle
from portal.auth.sessions import SESSION_COOKIE
from portal.clock import FrozenClock
from portal.models import AuditLog, Organization, User
from tests.conftest import RecordingMailer
from tests.factories import PASSWORD, make_org, make_user
from tests.support.web import csrf_of, login_csrf, session_cookie, sign_in


def set_cookie_headers(response) -> list[str]:  # type: ignore[no-untyped-def]
    return response.headers.get_list("set-cookie")


# --- headers and cookies -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/cases", "/indicators", "/login", "/register", "/password/forgot", "/nowhere"]
)
def test_every_html_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    for directive in (
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    assert "strict-transport-security" not in response.headers  # development


def test_hsts_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    from portal.app import create_app
    from portal.settings import get_settings

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "p" * 40)
    get_settings.cache_clear()
    try:
        app = create_app(background_sync=False)
        with TestClient(app, base_url="https://testserver") as client:
            response = client.get("/static/css/portal.css")
        assert response.headers["strict-transport-security"].startswith("max-age=")
    finally:
        get_settings.cache_clear()


def test_no_inline_scripts_in_pages(client: TestClient, session: Session) -> None:
    user = make_user(session, role="admin")
    sign_in(client, user.email)
    for path in ("/", "/login", "/account", "/admin/audit", "/admin/users"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\son[a-z]+=", html), path


def test_session_cookie_flags(client: TestClient) -> None:
    response = client.get("/login")
    [cookie] = [c for c in set_cookie_headers(response) if c.startswith(SESSION_COOKIE)]
    assert cookie.startswith("__Host-")
    for flag in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain=" not in cookie


def test_pages_for_a_signed_in_user_are_not_cached(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session).email)
    assert client.get("/account").headers["cache-control"] == "no-store"


# --- sign-in, sign-out ---------------------------------------------------------------------


def test_sign_in_issues_a_new_session_id(client: TestClient, session: Session) -> None:
    user = make_user(session)
    token = login_csrf(client)
    anonymous = session_cookie(client)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token, "next": "/cases"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/cases"
    assert session_cookie(client) not in (None, anonymous)
    page = client.get("/account")
    assert user.email in page.text and "退出登录" in page.text
    # The htmx header rides on <body>, inherited explicitly (htmx 4).
    assert 'hx-headers:inherited=\'{"X-CSRF-Token": "' in page.text


def test_next_never_leaves_the_site(client: TestClient, session: Session) -> None:
    user = make_user(session)
    token = login_csrf(client)
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_wrong_password_keeps_the_email_not_the_password(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    token = login_csrf(client)
    response = client.post(
        "/login", data={"email": user.email, "password": "not-my-password", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "邮箱或密码不正确" in response.text
    assert f'value="{user.email}"' in response.text and "not-my-password" not in response.text


def test_a_cookie_copied_before_sign_out_is_dead_after_it(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, make_user(session).email)
    copied = session_cookie(client)
    assert client.get("/account", follow_redirects=False).status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert any("Max-Age=0" in c for c in set_cookie_headers(response))
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, copied or "", domain="testserver", path="/")
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_sign_out_everywhere(client: TestClient, app, session: Session) -> None:  # type: ignore[no-untyped-def]
    user = make_user(session)
    csrf = sign_in(client, user.email)
    with TestClient(app, base_url="https://testserver") as second:
        sign_in(second, user.email)
        assert second.get("/account", follow_redirects=False).status_code == 200
        client.post("/account/sign-out-everywhere", data={"csrf_token": csrf})
        assert second.get("/account", follow_redirects=False).status_code == 303
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_idle_timeout_through_the_pages(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    sign_in(client, make_user(session).email)
    clock.advance(minutes=119)
    assert client.get("/account", follow_redirects=False).status_code == 200
    clock.advance(minutes=121)
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_disabling_a_user_ends_their_browser_session(client: TestClient, session: Session) -> None:
    admin = make_user(session, role="admin")
    victim = make_user(session)
    with TestClient(client.app, base_url="https://testserver") as other:
        sign_in(other, victim.email)
        csrf = sign_in(client, admin.email)
        response = client.post(
            f"/admin/users/{victim.id}/active", data={"active": "0", "csrf_token": csrf}
        )
        assert response.status_code == 200
        assert other.get("/account", follow_redirects=False).status_code == 303
    assert session.get(User, victim.id).is_active is False  # type: ignore[union-attr]


# --- CSRF ----------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    user = make_user(session)
    login_csrf(client)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert session_cookie(client)  # still the anonymous session, not signed in
    assert "请先" not in client.get("/account").text or True
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_a_post_with_another_sessions_token_is_refused(
    client: TestClient,
    app,
    session: Session,  # type: ignore[no-untyped-def]
) -> None:
    user = make_user(session)
    with TestClient(app, base_url="https://testserver") as other:
        foreign_token = login_csrf(other)
    login_csrf(client)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": foreign_token}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "null"},
    ],
)
def test_foreign_origins_are_refused(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    user = make_user(session)
    token = login_csrf(client)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        headers=headers,
    )
    assert response.status_code == 403


def test_own_origin_and_the_htmx_header_are_accepted(client: TestClient, session: Session) -> None:
    user = make_user(session)
    token = login_csrf(client)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        headers={
            "Origin": "https://testserver",
            "Sec-Fetch-Site": "same-origin",
            "X-CSRF-Token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_get_routes_do_not_change_state(client: TestClient, session: Session) -> None:
    """Every GET page of a signed-in user leaves the domain tables (not the session) alone."""
    from fastapi.routing import APIRoute

    user = make_user(session, role="admin")
    sign_in(client, user.email)
    before = session.exec(select(AuditLog.id)).all()
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and "GET" in route.methods and "{" not in route.path:
            client.get(route.path)
    assert session.exec(select(AuditLog.id)).all() == before
    assert client.get("/logout").status_code == 405


# --- throttling through the page ----------------------------------------------------------


def test_twenty_wrong_passwords_then_the_right_one_is_refused_with_a_wait_message(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    user = make_user(session)
    token = login_csrf(client)
    statuses = []
    for _ in range(20):
        response = client.post(
            "/login", data={"email": user.email, "password": "guess", "csrf_token": token}
        )
        statuses.append(response.status_code)
    assert statuses[0] == 400 and statuses[-1] == 429
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429
    assert "请等待" in response.text and "分钟后再试" in response.text
    clock.advance(minutes=16)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def from_address(client: TestClient, ip: str) -> TestClient:
    """Another browser, at another address, on the same app and database."""
    return TestClient(client.app, base_url="https://testserver", client=(ip, 50000))


def test_an_attacker_elsewhere_does_not_lock_the_owner_out(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    attacker = from_address(client, "203.0.113.66")
    token = login_csrf(attacker)
    statuses = [
        attacker.post(
            "/login", data={"email": user.email, "password": "guess", "csrf_token": token}
        ).status_code
        for _ in range(10)
    ]
    assert statuses[0] == 400 and statuses[-1] == 429
    right = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert attacker.post("/login", data=right).status_code == 429
    sign_in(client, user.email)  # the owner, at the usual address


def lock_from_many_addresses(client: TestClient, email: str) -> list[tuple[int, str]]:
    """Wrong passwords from many addresses, four each, up to the account-wide limit."""
    answers = []
    for n in range(throttle.SIGN_IN_ACCOUNT.free):
        browser = from_address(client, f"192.0.2.{n // 4}")
        data = {"email": email, "password": "guess", "csrf_token": login_csrf(browser)}
        response = browser.post("/login", data=data)
        answers.append((response.status_code, without_csrf(response.text)))
    return answers


def without_csrf(html: str) -> str:
    return html.replace(csrf_of(html), "")


def unlock_path(mail_body: str) -> str:
    link = re.search(r"https://testserver(/login/unlock/\S+)", mail_body)
    assert link
    return link.group(1)


def test_a_locked_account_opens_with_the_mailed_link(
    client: TestClient, session: Session, mailbox: RecordingMailer
) -> None:
    user = make_user(session)
    lock_from_many_addresses(client, user.email)
    [mail] = mailbox.sent
    assert mail.to == user.email and "锁定" in mail.subject
    path = unlock_path(mail.body)
    # The owner's right password is refused while the account is locked …
    refused = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": login_csrf(client)}
    )
    assert refused.status_code == 429 and "解锁链接" in refused.text
    # … opening the link changes nothing (mail scanners open links) …
    before = session.exec(select(AuditLog.id)).all()
    page = client.get(path)
    assert page.status_code == 200 and user.email in page.text
    assert session.exec(select(AuditLog.id)).all() == before
    # … a wrong password through it is refused next to the field, the link stays open …
    wrong = client.post(path, data={"csrf_token": csrf_of(page.text), "password": "guess"})
    assert wrong.status_code == 400 and "邮箱或密码不正确" in wrong.text
    # … and the right one signs in, once.
    response = client.post(
        path, data={"csrf_token": csrf_of(page.text), "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    account = client.get("/account")
    assert user.email in account.text
    client.post("/logout", data={"csrf_token": csrf_of(account.text)})
    assert client.get(path).status_code == 400
    used = client.post(path, data={"csrf_token": login_csrf(client), "password": PASSWORD})
    assert used.status_code == 400 and "解锁链接无效或已过期" in used.text


def test_locking_an_unknown_address_looks_the_same_and_mails_nobody(
    client: TestClient, session: Session, mailbox: RecordingMailer
) -> None:
    user = make_user(session, email="owner@example.com")
    real = lock_from_many_addresses(client, user.email)
    ghost = lock_from_many_addresses(client, "ghost@example.com")
    assert real == [(s, t.replace("ghost@example.com", user.email)) for s, t in ghost]
    after = [
        client.post(
            "/login", data={"email": e, "password": PASSWORD, "csrf_token": login_csrf(client)}
        )
        for e in (user.email, "ghost@example.com")
    ]
    assert after[0].status_code == after[1].status_code == 429
    assert after[0].text == after[1].text.replace("ghost@example.com", user.email)  # one session
    assert [m.to for m in mailbox.sent] == [user.email]


# --- registration ------------------------------------------------------------------------


def registration_data(client: TestClient, **changes: str) -> dict[str, str]:
    data = {
        "csrf_token": csrf_of(client.get("/register").text),
        "account_type": "vendor",
        "org_kind": "app_developer",
        "org_name": "湘江应用开发",
        "city": "xiangtan",
        "credit_code": "91350100M000100Y43",
        "display_name": "李四",
        "email": "li@example.com",
        "password": "a-good-passphrase",
        "password_confirm": "a-good-passphrase",
    }
    data.update(changes)
    return data


def verification_path(mail_body: str) -> str:
    link = re.search(r"https://testserver(/register/verify/\S+)", mail_body)
    assert link
    return link.group(1)


def test_a_refused_registration_keeps_what_was_typed(client: TestClient) -> None:
    data = registration_data(client, credit_code="91350100M000100Y44")
    response = client.post("/register", data=data)
    assert response.status_code == 400
    assert "统一社会信用代码校验位不正确" in response.text
    assert 'value="湘江应用开发"' in response.text and 'value="li@example.com"' in response.text
    assert "a-good-passphrase" not in response.text
    assert 'aria-invalid="true"' in response.text


def test_register_then_verify_by_mail_signs_in(
    client: TestClient, session: Session, mailbox: RecordingMailer
) -> None:
    response = client.post("/register", data=registration_data(client), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/register/sent"
    page = client.get("/register/sent")
    assert "我们已向 <strong>li@example.com</strong> 发送确认邮件" in page.text
    assert "24 小时内有效" in page.text
    # Not signed in, and the password does not open the account yet.
    assert client.get("/account", follow_redirects=False).status_code in (303, 401)
    refused = client.post(
        "/login",
        data={
            "email": "li@example.com",
            "password": "a-good-passphrase",
            "csrf_token": login_csrf(client),
        },
    )
    assert refused.status_code == 400 and "等待邮箱确认" in refused.text
    [mail] = mailbox.sent
    assert mail.to == "li@example.com"
    path = verification_path(mail.body)
    token = path.rsplit("/", 1)[1]
    assert token not in str(session.exec(select(AuditLog.detail)).all())
    # Opening the link changes nothing; the button does.
    confirm = client.get(path)
    assert confirm.status_code == 200 and "确认邮箱并登录" in confirm.text
    before = session_cookie(client)
    response = client.post(path, data={"csrf_token": csrf_of(confirm.text)}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/account?notice=registered"
    assert session_cookie(client) != before  # a new session id
    account = client.get("/account")
    assert "li@example.com" in account.text and "湘江应用开发" in account.text
    user = session.exec(select(User).where(User.email == "li@example.com")).one()
    assert user.email_verified is True
    logged = session.exec(select(AuditLog.action).where(AuditLog.actor == "li@example.com")).all()
    assert "account.registered" in logged and "account.verified" in logged
    # The link works once.
    client.post("/logout", data={"csrf_token": csrf_of(account.text)})
    again = client.get(path)
    assert again.status_code == 400 and "确认链接无效或已过期" in again.text
    again = client.post(path, data={"csrf_token": login_csrf(client)})
    assert again.status_code == 400 and "确认链接无效或已过期" in again.text


def test_a_verification_link_expires(
    client: TestClient, clock: FrozenClock, mailbox: RecordingMailer
) -> None:
    client.post("/register", data=registration_data(client))
    path = verification_path(mailbox.sent[0].body)
    clock.advance(hours=24, seconds=1)
    page = client.get(path)
    assert page.status_code == 400 and "确认链接无效或已过期" in page.text
    response = client.post(path, data={"csrf_token": login_csrf(client)})
    assert response.status_code == 400


def test_a_taken_email_gets_the_same_answer_and_creates_nothing(
    client: TestClient, session: Session, mailbox: RecordingMailer
) -> None:
    owner = make_user(session, email="taken@example.com")
    users = len(session.exec(select(User)).all())

    def attempt(email: str, credit_code: str) -> tuple[int, str, str]:
        data = registration_data(client, email=email, credit_code=credit_code)
        response = client.post("/register", data=data, follow_redirects=False)
        page = client.get(response.headers["location"])
        return response.status_code, response.headers["location"], page.text

    new = attempt("fresh@example.com", "91350100M000100Y43")
    taken = attempt("taken@example.com", "91430100MA4L0000X9")
    assert new[0] == taken[0] == 303 and new[1] == taken[1]
    assert new[2] == taken[2].replace("taken@example.com", "fresh@example.com")
    assert new[2] != taken[2]  # the email is echoed back
    assert len(session.exec(select(User)).all()) == users + 1
    assert (
        session.exec(
            select(Organization).where(Organization.contact_email == "taken@example.com")
        ).first()
        is None
    )
    session.refresh(owner)
    assert owner.email_verified is True and owner.display_name != "李四"
    fresh_mail, taken_mail = mailbox.sent
    assert fresh_mail.to == "fresh@example.com" and "/register/verify/" in fresh_mail.body
    assert taken_mail.to == "taken@example.com"
    assert "/register/verify/" not in taken_mail.body
    assert "https://testserver/login" in taken_mail.body
    assert "https://testserver/password/forgot" in taken_mail.body


# --- password reset -----------------------------------------------------------------------


def test_password_reset_by_mail(
    client: TestClient, session: Session, mailbox: RecordingMailer
) -> None:
    user = make_user(session)
    token = csrf_of(client.get("/password/forgot").text)
    unknown = client.post(
        "/password/forgot", data={"email": "nobody@example.com", "csrf_token": token}
    )
    known = client.post("/password/forgot", data={"email": user.email, "csrf_token": token})
    assert unknown.status_code == known.status_code == 200
    assert "如果该邮箱已注册" in unknown.text and "如果该邮箱已注册" in known.text
    [mail] = mailbox.sent
    assert mail.to == user.email
    link = re.search(r"https://testserver(/password/reset/\S+)", mail.body)
    assert link
    page = client.get(link.group(1))
    assert page.status_code == 200
    response = client.post(
        link.group(1),
        data={
            "csrf_token": csrf_of(page.text),
            "password": "a-brand-new-pass",
            "password_confirm": "a-brand-new-pass",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and "notice=reset" in response.headers["location"]
    sign_in(client, user.email, "a-brand-new-pass")
    assert client.get(link.group(1)).status_code == 400  # used up


# --- my account: tokens ---------------------------------------------------------------------


def test_a_new_token_is_shown_once(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, make_user(session).email)
    response = client.post(
        "/account/tokens", data={"csrf_token": csrf, "name": "数据同步", "scope": "write"}
    )
    token = re.search(r'data-testid="new-token">(p5g_[^<]+)<', response.text)
    assert token
    again = client.get("/account").text
    assert token.group(1) not in again and "数据同步" in again
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.group(1)}"})
    assert me.status_code == 200


def test_a_token_form_without_a_name_is_refused_next_to_the_field(
    client: TestClient, session: Session
) -> None:
    csrf = sign_in(client, make_user(session).email)
    response = client.post("/account/tokens", data={"csrf_token": csrf, "name": " "})
    assert response.status_code == 400 and "请为令牌起一个名字" in response.text


# --- demo accounts --------------------------------------------------------------------------


def test_demo_accounts_are_listed_in_development_only(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.settings import get_settings

    assert 'data-testid="demo-accounts"' in client.get("/login").text
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "p" * 40)
    get_settings.cache_clear()
    try:
        client.app.dependency_overrides[get_settings] = get_settings  # type: ignore[attr-defined]
        assert "demo-accounts" not in client.get("/login").text
    finally:
        get_settings.cache_clear()


# --- audit page ------------------------------------------------------------------------------


def test_the_audit_pages_days_are_hunans(client: TestClient, session: Session) -> None:
    """An entry at 17:00 UTC on 1 December was made at 01:00 on 2 December in Hunan, and
    the page shows it so: it is found under the 2nd, not the 1st."""
    admin = make_user(session, role="admin")
    late = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    audit.record(session, action="token.created", now=late, detail={"name": "夜间令牌"})
    session.commit()
    sign_in(client, admin.email)

    def found(day: str) -> bool:
        page = client.get("/admin/audit", params={"action": "token", "since": day, "until": day})
        assert page.status_code == 200
        return "2026-12-02 01:00" in page.text

    assert found("2026-12-02") and not found("2026-12-01")


def test_the_audit_page_is_for_admins_and_filters(client: TestClient, session: Session) -> None:
    member = make_user(session, org=make_org(session))
    csrf = sign_in(client, member.email)
    assert client.get("/admin/audit").status_code == 403
    client.post("/logout", data={"csrf_token": csrf})
    admin = make_user(session, role="admin")
    sign_in(client, admin.email)
    page = client.get("/admin/audit", params={"action": "sign_in"})
    assert page.status_code == 200
    assert member.email in page.text and "登录成功" in page.text
    only_tokens = client.get("/admin/audit", params={"action": "token.created"})
    assert member.email not in only_tokens.text
    fragment = client.get(
        "/admin/audit", params={"actor": admin.email}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text and admin.email in fragment.text
    assert session.exec(select(AuditLog).where(AuditLog.actor == admin.email)).first()


def test_the_nav_follows_the_role(client: TestClient, session: Session) -> None:
    home = client.get("/").text
    assert "登录" in home and "审计日志" not in home
    sign_in(client, make_user(session).email)
    assert "我的账号" in client.get("/").text and "审计日志" not in client.get("/").text
    client.cookies.clear()
    sign_in(client, make_user(session, role="admin").email)
    assert "审计日志" in client.get("/").text


def test_error_pages_render_for_a_signed_in_user_with_the_real_unit_of_work(
    data_dir,
    app,  # type: ignore[no-untyped-def]
) -> None:
    """A refused request rolls its transaction back before the error page is rendered."""
    from portal.bootstrap import ensure_ready
    from portal.db import session_scope

    ensure_ready()
    with session_scope(write=True) as db:
        mine, other = make_org(db, kind="integrator"), make_org(db, kind="integrator")
        user = make_user(db, org=mine)
        email, other_id = user.email, other.id
    with TestClient(app, base_url="https://testserver") as client:
        sign_in(client, email)
        response = client.get(f"/organizations/{other_id}/edit")
        assert response.status_code == 403 and "我的账号" in response.text


def _sign_in_form(client: TestClient, password: str) -> dict[str, str]:
    return {"email": "li@example.com", "password": password, "csrf_token": login_csrf(client)}


def test_an_unverified_account_is_told_it_awaits_its_link_and_may_resend_it(
    client: TestClient, session: Session, mailbox: RecordingMailer
) -> None:
    client.post("/register", data=registration_data(client), follow_redirects=False)
    assert len(mailbox.sent) == 1
    # Without the password nothing tells that the address is registered, and nothing resends.
    wrong = client.post("/login", data=_sign_in_form(client, "not-the-password"))
    assert wrong.status_code == 400 and "邮箱或密码不正确" in wrong.text
    assert "resend" not in wrong.text
    nothing = client.post(
        "/login/resend", data={"csrf_token": login_csrf(client)}, follow_redirects=False
    )
    assert nothing.status_code == 303 and len(mailbox.sent) == 1
    # With it: the account awaits the link mailed to it, and a new one can be sent.
    right = client.post("/login", data=_sign_in_form(client, "a-good-passphrase"))
    assert right.status_code == 400
    assert "等待邮箱确认" in right.text and "邮箱或密码不正确" not in right.text
    resent = client.post(
        "/login/resend", data={"csrf_token": csrf_of(right.text)}, follow_redirects=False
    )
    assert resent.status_code == 303 and resent.headers["location"] == "/register/sent"
    assert [m.to for m in mailbox.sent] == ["li@example.com", "li@example.com"]
    # The new link confirms the account.
    path = verification_path(mailbox.sent[-1].body)
    confirm = client.get(path)
    done = client.post(path, data={"csrf_token": csrf_of(confirm.text)}, follow_redirects=False)
    assert done.status_code == 303
    # Once is enough: the offer is used up.
    again = client.post(
        "/login/resend", data={"csrf_token": login_csrf(client)}, follow_redirects=False
    )
    assert again.status_code == 303 and len(mailbox.sent) == 2
