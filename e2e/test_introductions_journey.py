"""The matchmaking loop in a real browser: an enterprise requests an introduction from its
match list; the vendor accepts; both see the other's contacts (and not before); they
exchange a message; the enterprise's network is declared and confirmed, and the
introduction reaches network_live with it — the tracker's count and the funnel change."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect

from e2e.test_accounts_journey import sign_in, sign_out
from e2e.test_catalog_journey import ENTERPRISE, OFFICIAL, VENDOR

DEMAND = "总装车间AGV线边物料配送"  # demo-dem-xjzz-agv, the demo enterprise's
SOLUTION = "5G+UWB融合厂区人员与资产定位"  # demo-sol-uwb, the demo vendor's
ENTERPRISE_PHONE = "0731-80010007"  # the demo enterprise's contact (seed/demo.jsonl)


def figure(page: Page, base_url: str, path: str, test_id: str) -> int:
    page.goto(base_url + path)
    return int(page.get_by_test_id(test_id).first.inner_text().replace(",", ""))


def funnel_reached(page: Page, base_url: str, stage_label: str) -> int:
    page.goto(base_url + "/introductions/funnel")
    row = page.get_by_test_id("funnel").get_by_role("row").filter(has_text=stage_label)
    return int(row.locator("td").first.inner_text())


def test_from_a_match_to_a_counted_network(page: Page, base_url: str) -> None:
    registered = figure(page, base_url, "/progress", "registered-count")
    born = figure(page, base_url, "/progress", "born-from-portal")
    sign_in(page, base_url, OFFICIAL)
    live_before = funnel_reached(page, base_url, "专网已开通")
    sign_out(page)

    # The enterprise asks for the UWB positioning solution from its demand's match list.
    sign_in(page, base_url, ENTERPRISE)
    page.get_by_role("link", name="我的发布").click()
    page.get_by_test_id("my-demands").get_by_role("link", name=DEMAND, exact=True).click()
    match = page.get_by_test_id("matches").locator("li.match").filter(has_text=SOLUTION)
    expect(match).to_be_visible()
    match.get_by_test_id("request-introduction").click()
    page.get_by_label("留言（10–1000 字）").fill(
        "两条主线计划上30台AGV，想了解贵方UWB定位在钢结构厂房里的实际精度和部署周期。"
    )
    page.get_by_label("方案演示").check()
    page.get_by_test_id("send-request").click()
    expect(page.get_by_test_id("intro-stage")).to_have_text("待回复")
    expect(page.get_by_test_id("contacts")).to_have_count(0)
    intro_url = page.url.split("?")[0]
    sign_out(page)

    # The vendor sees it waiting, no contacts yet; accepts; now sees the enterprise's.
    sign_in(page, base_url, VENDOR)
    page.get_by_role("link", name="我的对接").click()
    expect(page.get_by_test_id("introductions")).to_contain_text("待您回复")
    page.goto(intro_url)
    expect(page.get_by_test_id("contacts")).to_have_count(0)
    expect(page.get_by_text(ENTERPRISE_PHONE)).to_have_count(0)
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("contacts")).to_contain_text(ENTERPRISE_PHONE)
    page.get_by_label("写消息").fill("可以，下周二带样机到总装车间现场测一次。")
    page.get_by_test_id("send-message").click()
    expect(page.get_by_test_id("thread")).to_contain_text("下周二带样机")
    sign_out(page)

    # The enterprise sees the vendor's contact and the message, and answers.
    sign_in(page, base_url, ENTERPRISE)
    page.goto(intro_url)
    expect(page.get_by_test_id("contacts")).to_contain_text("星联通信设备")
    expect(page.get_by_test_id("thread")).to_contain_text("下周二带样机")
    page.get_by_label("写消息").fill("好的，周二上午九点在二号门等您。")
    page.get_by_test_id("send-message").click()
    page.get_by_label("更新到").select_option("contract")
    page.get_by_label("合同金额（万元，签约时填写）").fill("260")
    page.get_by_test_id("move-stage").click()
    expect(page.get_by_test_id("intro-stage")).to_have_text("已签约")

    # The network that came of it: declared by the enterprise, confirmed by an official.
    page.goto(base_url + "/networks/new")
    network = f"总装车间AGV 5G专网{date.today():%m%d}"
    page.locator("#f-name").fill(network)
    for field, code in (
        ("operator", "china_mobile"),
        ("industry", "construction_machinery"),
        ("city", "changsha"),
        ("mode", "virtual"),
        ("status", "in_service"),
    ):
        page.locator(f"#f-{field}").select_option(code)
    page.locator("#f-commissioned_on").fill(date.today().isoformat())
    page.locator("#f-demand").fill("demo-dem-xjzz-agv")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存")).to_be_visible()
    sign_out(page)

    sign_in(page, base_url, OFFICIAL)
    page.goto(base_url + "/networks?confirmed=no")
    row = page.get_by_test_id("network-row").filter(has_text=network)
    row.get_by_role("button", name="确认").click()
    expect(page.get_by_text("已确认。")).to_be_visible()
    sign_out(page)

    sign_in(page, base_url, ENTERPRISE)
    page.goto(intro_url)
    page.get_by_label("更新到").select_option("network_live")
    option = page.locator("#f-network_id option", has_text=network)
    page.locator("#f-network_id").select_option(option.get_attribute("value"))
    page.get_by_test_id("move-stage").click()
    expect(page.get_by_test_id("intro-stage")).to_have_text("专网已开通")
    expect(page.get_by_test_id("intro-network")).to_be_visible()
    sign_out(page)

    assert figure(page, base_url, "/progress", "registered-count") == registered + 1
    assert figure(page, base_url, "/progress", "born-from-portal") == born + 1
    sign_in(page, base_url, OFFICIAL)
    assert funnel_reached(page, base_url, "专网已开通") == live_before + 1
