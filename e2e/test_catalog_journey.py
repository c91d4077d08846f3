"""Catalogs and listings in a real browser: a vendor lists a solution and an official
approves it; a visitor finds it by live search and narrows it by city; an enterprise's
demand is refused, corrected and saved once; matches for an enterprise and a vendor."""

from __future__ import annotations

import re
import secrets
import time
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from e2e.test_accounts_journey import sign_in, sign_out

VENDOR = "vendor@demo.hn5g.example"
ENTERPRISE = "enterprise@demo.hn5g.example"
OFFICIAL = "official@demo.hn5g.example"


def wait_until_listed(page: Page, url: str, text: str, timeout: float = 15) -> None:
    """The background drainer indexes within about a second: reload until the text is there."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        if page.get_by_test_id("results").get_by_role("link", name=text, exact=True).count():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} did not appear on {url}")
        page.wait_for_timeout(250)


def test_vendor_lists_official_approves_visitor_finds_it(page: Page, base_url: str) -> None:
    title = f"陶瓷辊道窑5G智能巡检{secrets.token_hex(2)}"
    sign_in(page, base_url, VENDOR)
    page.goto(base_url + "/solutions/new")
    page.get_by_label("方案名称").fill(title)
    page.get_by_label("一句话简介").fill("辊道窑温区与传动设备的5G视频巡检")
    page.locator("#f-industries").get_by_label("陶瓷", exact=True).check()
    page.locator("#f-scenarios").get_by_label("高清视频监控与回传").check()
    page.locator("#f-capabilities").get_by_label("eMBB", exact=False).first.check()
    page.locator("#f-regions").get_by_label("株洲", exact=True).check()
    page.get_by_label("报价下限（万元）").fill("20")
    page.get_by_label("报价上限（万元）").fill("60")
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_test_id("status")).to_have_text("待审核")
    solution_url = page.url.split("?")[0]
    sign_out(page)

    sign_in(page, base_url, OFFICIAL)
    page.get_by_role("link", name="发布审核").click()
    page.get_by_label(f"选择 {title}").check()
    page.get_by_role("button", name="通过所选").click()
    expect(page.get_by_test_id("moderation-done")).to_contain_text("已通过 1 项")
    sign_out(page)

    # A visitor: the solution is public once the drainer has indexed it.
    page.goto(solution_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    wait_until_listed(page, base_url + "/solutions?q=" + title, title)
    page.goto(base_url + "/solutions")
    page.get_by_label("关键词").press_sequentially("陶瓷", delay=50)
    expect(page).to_have_url(re.compile(r"q=%E9%99%B6%E7%93%B7"))
    results = page.get_by_test_id("results")
    expect(results.get_by_role("link", name=title)).to_be_visible()
    expect(results.locator(".card").first).to_contain_text("陶瓷")
    count_text = page.get_by_test_id("result-count").inner_text()
    page.get_by_label("服务城市").select_option("chenzhou")
    expect(page).to_have_url(re.compile(r"city=chenzhou"))
    expect(results.get_by_role("link", name=title)).to_have_count(0)
    page.get_by_label("服务城市").select_option("zhuzhou")
    expect(page).to_have_url(re.compile(r"city=zhuzhou"))
    expect(page.get_by_test_id("results").get_by_role("link", name=title)).to_be_visible()
    assert page.get_by_label("关键词").input_value() == "陶瓷"
    assert count_text  # the count was shown before narrowing


def test_enterprise_fixes_its_budget_and_the_demand_is_saved_once(
    page: Page, base_url: str
) -> None:
    title = f"陶瓷酒瓶釉面检测{secrets.token_hex(2)}"
    deadline = (date.today() + timedelta(days=120)).isoformat()
    sign_in(page, base_url, ENTERPRISE)
    page.goto(base_url + "/demands/new")
    page.get_by_label("需求标题").fill(title)
    page.get_by_label("需求描述").fill("出窑后检选靠人工，希望用机器视觉自动识别釉面缺陷。")
    page.get_by_label("所属行业").select_option("ceramics")
    page.get_by_label("所在城市").select_option("zhuzhou")
    page.get_by_label("预算下限（万元）").fill("200")
    page.get_by_label("预算上限（万元）").fill("100")
    page.get_by_label("截止日期").fill(deadline)
    page.get_by_role("button", name="提交审核").click()
    error = page.locator("#f-budget_max-error")
    expect(error).to_contain_text("预算上限")
    # The error is tied to its field, and what was typed is kept.
    expect(page.get_by_label("预算上限（万元）")).to_have_attribute(
        "aria-describedby", re.compile("f-budget_max-error")
    )
    expect(page.get_by_label("需求标题")).to_have_value(title)
    expect(page.get_by_label("预算下限（万元）")).to_have_value("200")
    page.get_by_label("预算上限（万元）").fill("300")
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_test_id("budget")).to_contain_text("200–300 万元")
    page.goto(base_url + "/my/listings")
    expect(
        page.get_by_test_id("my-demands").get_by_role("link", name=title, exact=True)
    ).to_have_count(1)


def test_enterprise_sees_ranked_solutions_and_vendor_sees_opportunities(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, ENTERPRISE)
    page.get_by_role("link", name="我的发布").click()
    page.get_by_test_id("my-demands").get_by_role(
        "link", name="臂架结构件焊缝自动检测", exact=True
    ).click()
    # The recommendations come first; the nearest below-threshold ones follow in their own
    # list: together they are the ranking.
    matches = page.get_by_test_id("matches")
    expect(matches.first).to_be_visible()
    expect(matches.locator("li.match").first).to_be_visible()
    assert matches.locator("li.match").count() >= 2
    expect(matches.get_by_test_id("match-reasons").first).not_to_be_empty()
    scores = [int(s.rstrip("%")) for s in matches.get_by_test_id("match-score").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    sign_out(page)

    sign_in(page, base_url, VENDOR)
    page.get_by_role("link", name="商机", exact=True).click()
    section = page.get_by_test_id("opportunity").first
    expect(section).to_be_visible()
    expect(page.get_by_test_id("matches").first.locator("li.match").first).to_be_visible()
    expect(page.get_by_test_id("match-reasons").first).not_to_be_empty()


def test_search_pages_work_without_javascript(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    for path, label in (("/solutions", "服务城市"), ("/demands", "城市")):
        page.goto(base_url + path + "?q=陶瓷")
        page.get_by_label(label, exact=True).select_option("zhuzhou")
        page.get_by_role("button", name="搜索").click()
        expect(page).to_have_url(re.compile(r"q=%E9%99%B6%E7%93%B7.*city=zhuzhou"))
        expect(page.get_by_test_id("results").locator(".card").first).to_contain_text("陶瓷")
    context.close()
