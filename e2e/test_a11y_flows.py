"""axe-core on the pages test_a11y's link discovery cannot reach: those a flow leads to (the
introduction choose / request / detail pages), an organisation's members page, a case's edit
page, and the pages opened by a valid emailed token (email verification, password reset,
invitation, unsubscribe); in both languages, 0 serious or critical violations."""

from __future__ import annotations

import json
import re
import secrets
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from e2e.axe import serious
from e2e.test_a11y import _audit, _first_link
from e2e.test_accounts_journey import fresh_credit_code, new_mail, sign_in, sign_out
from e2e.test_catalog_journey import ENTERPRISE, OFFICIAL
from e2e.test_introductions_journey import SOLUTION
from portal.notifications.service import unsubscribe_token


def _mailed_link(mail_dir: Path, before: set[Path], path: str) -> str:
    message = message_from_bytes(new_mail(mail_dir, before).read_bytes(), policy=policy.default)
    link = re.search(rf"http://\S+{path}\S+", message.get_content())  # type: ignore[attr-defined]
    assert link, path
    return link.group(0)


def _mails(mail_dir: Path) -> set[Path]:
    return set(mail_dir.glob("*.eml")) if mail_dir.exists() else set()


def test_flow_and_token_pages_have_no_serious_violation(
    page: Page, base_url: str, portal_data_dir: Path
) -> None:
    results: dict[str, Any] = {}
    mail_dir = portal_data_dir / "mail"

    # The enterprise: its organisation's members (and an invitation), then an introduction
    # from a solution's page: choose its demand, the request form, the introduction.
    sign_in(page, base_url, ENTERPRISE)
    members = _first_link(page, base_url, "/account", r"/organizations/\d+/members")
    assert members
    page.goto(base_url + members)
    before = _mails(mail_dir)
    page.get_by_label("邮箱").fill(f"invitee-{secrets.token_hex(4)}@example.com")
    page.get_by_role("button", name="发送邀请").click()
    invitation = _mailed_link(mail_dir, before, "/invitations/")
    page.goto(base_url + "/solutions")
    links = page.get_by_test_id("results").get_by_role("link")
    other = links.filter(has_not_text=SOLUTION).first
    other.click()
    page.get_by_test_id("request-introduction").click()
    choose = page.url.removeprefix(base_url)
    page.get_by_role("button", name="下一步").click()
    request = page.url.removeprefix(base_url)
    page.locator("#f-message").fill("想了解贵方方案在我们车间的部署周期和现场测试安排。")
    page.get_by_test_id("send-request").click()
    expect(page.get_by_test_id("intro-stage")).to_be_visible()
    detail = page.url.split("?")[0].removeprefix(base_url)
    _audit(page, base_url, "enterprise", [members, choose, request, detail], results)
    sign_out(page)

    sign_in(page, base_url, OFFICIAL)
    case = _first_link(page, base_url, "/cases", r"/cases/\d+")
    assert case
    _audit(page, base_url, "official", [case + "/edit"], results)
    sign_out(page)

    # A visitor with valid tokens: a new account's verification, a password reset, the
    # invitation above, and an unsubscribe link (signed with the development secret the
    # server runs with).
    before = _mails(mail_dir)
    email = f"a11y-{secrets.token_hex(4)}@example.com"
    page.goto(base_url + "/register")
    page.get_by_role("radio", name=re.compile("^需求方")).check()
    page.get_by_label("机构名称").fill("无障碍测试企业")
    page.get_by_label("所在城市").select_option("changsha")
    page.get_by_label("统一社会信用代码").fill(fresh_credit_code())
    page.get_by_label("您的姓名").fill("测试员")
    page.get_by_label("邮箱").fill(email)
    page.locator("#f-password").fill("a11y-passphrase")
    page.locator("#f-password_confirm").fill("a11y-passphrase")
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_test_id("register-sent")).to_be_visible()
    verify = _mailed_link(mail_dir, before, "/register/verify/")
    before = _mails(mail_dir)
    page.goto(base_url + "/password/forgot")
    page.get_by_label("邮箱").fill(ENTERPRISE)
    page.get_by_role("button", name="发送重置链接").click()
    reset = _mailed_link(mail_dir, before, "/password/reset/")
    unsubscribe = f"/notifications/unsubscribe?token={unsubscribe_token(1, '*')}"
    tokens = [verify, reset, invitation]
    tokens = [link.removeprefix(base_url) for link in tokens] + [unsubscribe]
    # Each is the real page, not the "invalid or expired link" answer (a 400).
    for path in tokens:
        response = page.goto(base_url + path)
        assert response is not None and response.status == 200, path
    _audit(page, base_url, "visitor", tokens, results)

    bad = {
        key: [(v["id"], v["impact"], v["targets"][:3]) for v in serious(r["violations"])]
        for key, r in results.items()
        if serious(r["violations"])
    }
    print(json.dumps({k: r["counts"] for k, r in results.items()}, ensure_ascii=False, indent=1))
    assert len(results) == 2 * 9
    assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)
