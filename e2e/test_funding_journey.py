"""Funding in a real browser: a bank's officer lists a 5G project loan for ceramics and
steel in 株洲 and 湘潭 (and a call for 长沙 only); an official approves them; an
enterprise's ceramics demand in 株洲 shows the loan as eligible, with its reasons, and not
the 长沙 call; the enterprise shortlists the loan."""

from __future__ import annotations

import os
import secrets
import subprocess
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.conftest import PORTAL, ROOT
from e2e.test_accounts_journey import DEMO_PASSWORD, sign_in, sign_out
from e2e.test_catalog_journey import OFFICIAL

DEMAND = (
    "陶瓷酒瓶釉面缺陷自动检测"  # demo-dem-llcy-glaze: 醴陵 (株洲), ceramics, budget 50–120 万元
)


def account(data_dir: Path, role: str, org: str) -> str:
    """A new account owning the demo organisation ``org``, made with the CLI."""
    email = f"{role}-{secrets.token_hex(3)}@e2e.hn5g.example"
    env = {**os.environ, "PORTAL_ENV": "development", "PORTAL_DATA_DIR": str(data_dir)}
    env.pop("PORTAL_DATABASE_URL", None)
    command = [str(PORTAL), "user", "create", "--email", email, "--password", DEMO_PASSWORD]
    subprocess.run([*command, "--role", role, "--org", org], check=True, env=env, cwd=ROOT)
    return email


def list_call(page: Page, base_url: str, title: str, cities: list[str]) -> None:
    page.goto(base_url + "/funds/new")
    page.get_by_label("项目名称").fill(title)
    page.get_by_label("一句话简介").fill("5G改造项目的中长期贷款，额度不超过项目投资的七成")
    for industry in ("陶瓷", "钢铁"):
        page.locator("#f-industries").get_by_label(industry, exact=True).check()
    for city in cities:
        page.locator("#f-regions").get_by_label(city, exact=True).check()
    page.get_by_label("扶持金额下限（万元）").fill("50")
    page.get_by_label("扶持金额上限（万元）").fill("2000")
    page.get_by_label("申请截止日期").fill((date.today() + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_test_id("status")).to_have_text("待审核")


def test_a_bank_lists_a_loan_and_an_enterprise_finds_it_eligible(
    page: Page, base_url: str, portal_data_dir: Path
) -> None:
    tag = secrets.token_hex(2)
    loan = f"5G项目贷（陶瓷、钢铁）{tag}"
    changsha_only = f"长沙5G改造贴息贷款{tag}"
    banker = account(portal_data_dir, "vendor", "demo-fin-xxbank")
    enterprise = account(portal_data_dir, "enterprise", "demo-ent-llcy")

    sign_in(page, base_url, banker)
    list_call(page, base_url, loan, ["株洲", "湘潭"])
    list_call(page, base_url, changsha_only, ["长沙"])
    sign_out(page)

    sign_in(page, base_url, OFFICIAL)
    page.get_by_role("link", name="发布审核").click()
    page.get_by_label(f"选择 {loan}").check()
    page.get_by_label(f"选择 {changsha_only}").check()
    page.get_by_role("button", name="通过所选").click()
    expect(page.get_by_test_id("moderation-done")).to_contain_text("已通过 2 项")
    sign_out(page)

    sign_in(page, base_url, enterprise)
    page.get_by_role("link", name="我的发布").click()
    page.get_by_test_id("my-demands").get_by_role("link", name=DEMAND, exact=True).click()
    calls = page.get_by_test_id("funding-matches")
    match = calls.get_by_test_id("funding-match").filter(has_text=loan)
    expect(match.get_by_test_id("funding-eligible")).to_have_text("符合申请条件")
    reasons = match.get_by_test_id("funding-reasons")
    expect(reasons).to_contain_text("支持陶瓷行业")
    expect(reasons).to_contain_text("面向株洲")
    expect(reasons).to_contain_text("达到 50 万元的申请门槛")
    expect(calls).not_to_contain_text(changsha_only)
    # Machine-vision inspection needs AI: the demo's AI platform serves 株洲.
    platforms = page.get_by_test_id("platform-matches")
    expect(platforms).to_contain_text("工业AI视觉与超高清视频平台（示例）")
    expect(platforms).to_contain_text("提供人工智能（需求涉及机器视觉质检")

    match.get_by_test_id("funding-shortlist").click()
    match = (
        page.get_by_test_id("funding-matches").get_by_test_id("funding-match").filter(has_text=loan)
    )
    expect(match.get_by_test_id("funding-shortlisted")).to_have_text("已收藏")
