"""Accounts in a real browser: OIDC through a real provider, local sign-up, sign-in,
sign-out and password reset, CSRF, ownership, and a session cookie that dies at sign-out."""

from __future__ import annotations

import re
import secrets
import time
from email import message_from_bytes, policy
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from portal.organizations.credit_code import ALPHABET, check_digit

DEMO_PASSWORD = "demo-password-2026"
SESSION_COOKIE = "__Host-portal_session"


def fresh_credit_code() -> str:
    body = "9143" + "".join(secrets.choice(ALPHABET[:10]) for _ in range(13))
    return body + check_digit(body)


def new_mail(mail_dir: Path, before: set[Path], timeout: float = 15) -> Path:
    """The one mail written since ``before``: it is sent after the request's commit, by the
    server's outbox runner, within moments of the page."""
    deadline = time.monotonic() + timeout
    while not (new := set(mail_dir.glob("*.eml")) - before):  # none while the folder is missing
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail appeared in {mail_dir}")
        time.sleep(0.1)
    [mail_file] = new
    return mail_file


def sign_in(page: Page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("link", name="我的账号")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()


def test_sign_in_through_the_oidc_provider(page: Page, base_url: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_role("link", name="使用统一身份认证登录").click()
    # The provider's own sign-in and consent pages.
    page.locator("input[name=login]").fill("alice")
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name=re.compile("Continue", re.I)).click()
    expect(page).to_have_url(re.compile(r"/account"))
    expect(page.get_by_test_id("account-email")).to_have_text("alice@oidc.example")
    expect(page.get_by_test_id("account-role")).to_have_text("供给方")  # from the role claim
    sign_out(page)


def test_local_sign_up_sign_in_sign_out_and_password_reset(
    page: Page, base_url: str, portal_data_dir: Path
) -> None:
    email = f"reg-{secrets.token_hex(4)}@example.com"
    mail_dir = portal_data_dir / "mail"
    before = set(mail_dir.glob("*.eml")) if mail_dir.exists() else set()
    page.goto(base_url + "/register")
    page.get_by_role("radio", name=re.compile("^供给方")).check()
    page.get_by_label("机构类型").select_option("integrator")
    page.get_by_label("机构名称").fill("浏览器测试集成商")
    page.get_by_label("所在城市").select_option("changsha")
    page.get_by_label("统一社会信用代码").fill(fresh_credit_code())
    page.get_by_label("您的姓名").fill("测试员")
    page.get_by_label("邮箱").fill(email)
    page.locator("#f-password").fill("first-passphrase")
    page.locator("#f-password_confirm").fill("first-passphrase")
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_test_id("register-sent")).to_contain_text(f"我们已向 {email} 发送确认邮件")
    # The account waits for the link in the mail.
    page.goto(base_url + "/login")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill("first-passphrase")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("login-error")).to_contain_text(
        "等待邮箱确认"
    )  # the password is right
    mail_file = new_mail(mail_dir, before)
    message = message_from_bytes(mail_file.read_bytes(), policy=policy.default)
    assert message["To"] == email
    link = re.search(r"http://\S+/register/verify/\S+", message.get_content())  # type: ignore[attr-defined]
    assert link
    page.goto(link.group(0))
    page.get_by_role("button", name="确认邮箱并登录").click()
    expect(page.get_by_test_id("account-email")).to_have_text(email)
    sign_out(page)
    sign_in(page, base_url, email, "first-passphrase")
    sign_out(page)

    before = set(mail_dir.glob("*.eml"))
    page.get_by_role("link", name="忘记密码？").click()
    page.get_by_label("邮箱").fill(email)
    page.get_by_role("button", name="发送重置链接").click()
    expect(page.get_by_test_id("reset-sent")).to_be_visible()
    mail_file = new_mail(mail_dir, before)
    message = message_from_bytes(mail_file.read_bytes(), policy=policy.default)
    assert message["To"] == email
    link = re.search(r"http://\S+/password/reset/\S+", message.get_content())  # type: ignore[attr-defined]
    assert link
    page.goto(link.group(0))
    page.locator("#f-password").fill("second-passphrase")
    page.locator("#f-password_confirm").fill("second-passphrase")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.get_by_text("密码已重置")).to_be_visible()
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill("first-passphrase")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("邮箱或密码不正确")
    sign_in(page, base_url, email, "second-passphrase")


def test_a_post_without_the_csrf_token_gets_403(page: Page, base_url: str) -> None:
    page.goto(base_url + "/login")
    page.locator("input[name=csrf_token]").evaluate("input => input.remove()")
    page.get_by_label("邮箱").fill("vendor@demo.hn5g.example")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    with page.expect_response(
        lambda r: r.url.endswith("/login") and r.request.method == "POST"
    ) as info:
        page.get_by_role("button", name="登录").click()
    assert info.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("没有权限执行此操作")


def test_a_vendor_cannot_edit_another_vendors_organisation(page: Page, base_url: str) -> None:
    sign_in(page, base_url, "vendor@demo.hn5g.example")
    page.goto(base_url + "/account")
    href = page.get_by_role("link", name="编辑机构资料").first.get_attribute("href")
    assert href
    own_id = int(re.search(r"/organizations/(\d+)/edit", href).group(1))  # type: ignore[union-attr]
    other_id = own_id + 1  # the next demo vendor (睿视工业相机)
    other = page.request.get(f"{base_url}/api/v1/organizations/{other_id}").json()
    assert other["kind"] == "equipment_vendor" and other["external_id"] != "demo-vnd-xltx"
    assert "contact_phone" not in other

    # In the page …
    response = page.goto(f"{base_url}/organizations/{other_id}/edit")
    assert response is not None and response.status == 403
    # … and through the API, with the session and its CSRF header.
    page.goto(base_url + "/account")
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    refused = page.request.patch(
        f"{base_url}/api/v1/organizations/{other_id}",
        data={"description": "被篡改"},
        headers={"X-CSRF-Token": csrf},
    )
    assert refused.status in (403, 404)
    own = page.request.patch(
        f"{base_url}/api/v1/organizations/{own_id}",
        data={"description": "星联通信设备：5G 行业终端与模组（浏览器测试修改）"},
        headers={"X-CSRF-Token": csrf},
    )
    assert own.status == 200
    # And its own profile through the form.
    page.goto(f"{base_url}/organizations/{own_id}/edit")
    page.get_by_label("联系人").fill("王工")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存")).to_be_visible()
    sign_out(page)


def test_a_session_cookie_copied_before_sign_out_no_longer_works(
    browser: Browser, base_url: str
) -> None:
    first = browser.new_context(locale="zh-CN")
    page = first.new_page()
    sign_in(page, base_url, "enterprise@demo.hn5g.example")
    cookies = [c for c in first.cookies() if c["name"] == SESSION_COOKIE]
    assert cookies and cookies[0]["httpOnly"] and cookies[0]["secure"]
    assert cookies[0]["sameSite"] == "Lax"
    sign_out(page)
    first.close()

    second = browser.new_context(locale="zh-CN")
    second.add_cookies(cookies)  # type: ignore[arg-type]
    other = second.new_page()
    other.goto(base_url + "/account")
    expect(other).to_have_url(re.compile(r"/login\?next="))
    second.close()


def test_oidc_never_links_a_local_account_through_an_unverified_email(
    page: Page, base_url: str
) -> None:
    # The provider says this identity's email is the demo vendor's, but not verified.
    page.goto(base_url + "/login")
    page.get_by_role("link", name="使用统一身份认证登录").click()
    page.locator("input[name=login]").fill("unverified")
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name=re.compile("Continue", re.I)).click()
    expect(page.get_by_test_id("login-error")).to_contain_text("没有提供已验证的邮箱")
    page.goto(base_url + "/account")
    expect(page).to_have_url(re.compile(r"/login\?next="))
