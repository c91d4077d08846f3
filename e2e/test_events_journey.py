"""A matchmaking event (对接会) in a real browser: an official creates it; the enterprise
and two vendors register with their listings; the enterprise requests a suggested meeting
and the vendor accepts it like any introduction; the official generates the agenda; both
sides see it and download the .ics; after the meeting the enterprise says 继续对接 and
the introduction moves to negotiating."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.test_accounts_journey import sign_in, sign_out
from e2e.test_catalog_journey import ENTERPRISE, OFFICIAL, VENDOR

VENDOR2 = "vendor2@demo.hn5g.example"  # 睿视工业相机（示例）
DEMAND = "臂架结构件焊缝自动检测"  # demo-dem-xjzz-weld, the demo enterprise's
SOLUTION = "汽车零部件装配防错与尺寸视觉检测"  # demo-sol-auto-vision, the second vendor's
OTHER_SOLUTION = "高温车间5G工业视频回传方案"  # demo-sol-st-video, the first vendor's
TITLE = "长沙工程机械集群5G供需对接会"


def register(page: Page, event_url: str, listing: str, attendees: str) -> None:
    page.goto(event_url)
    page.get_by_test_id("register-link").click()
    page.get_by_label(listing).check()
    page.get_by_label("参会人员（姓名与职务，2–500 字）").fill(attendees)
    page.get_by_test_id("submit-registration").click()
    expect(page.get_by_test_id("registered")).to_be_visible()


def test_an_event_from_registration_to_a_follow_up(page: Page, base_url: str) -> None:
    # The event is today at the venue (UTC+8), so the day's actions are open too.
    today = datetime.now(timezone(timedelta(hours=8))).date().isoformat()

    sign_in(page, base_url, OFFICIAL)
    page.get_by_role("link", name="对接会").click()
    page.get_by_test_id("new-event").click()
    page.get_by_label("名称").fill(TITLE)
    page.get_by_label("开始日期（YYYY-MM-DD）").fill(today)
    page.get_by_label("会场地址").fill("长沙经开区会展中心 3 号厅")
    page.get_by_label("洽谈桌数").fill("4")
    page.get_by_label("报名截止日期").fill(today)
    page.get_by_label("工程机械（产业集群）").check()
    page.get_by_test_id("create-event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    event_url = page.url.split("?")[0]
    sign_out(page)

    # The enterprise and two vendors register with what they bring.
    sign_in(page, base_url, ENTERPRISE)
    register(page, event_url, DEMAND, "王总（生产副总）、刘工（质量部）")
    sign_out(page)
    sign_in(page, base_url, VENDOR)
    register(page, event_url, OTHER_SOLUTION, "陈经理（解决方案）")
    sign_out(page)
    sign_in(page, base_url, VENDOR2)
    register(page, event_url, SOLUTION, "周工（视觉算法）")
    sign_out(page)

    # The enterprise sees both vendors' solutions ranked, with reasons, and asks for one.
    sign_in(page, base_url, ENTERPRISE)
    page.goto(event_url)
    page.get_by_test_id("suggestions-link").click()
    suggestions = page.get_by_test_id("suggestions")
    expect(suggestions.locator("li.match")).to_have_count(2)
    suggestion = suggestions.locator("li.match").filter(has_text=SOLUTION)
    expect(suggestion.locator("ul.reasons li").first).not_to_be_empty()
    suggestion.get_by_test_id("request-meeting").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("待回复")
    sign_out(page)

    # The vendor accepts the request like any introduction.
    sign_in(page, base_url, VENDOR2)
    page.goto(event_url + "/agenda")
    expect(page.get_by_test_id("agenda")).to_contain_text("待您回复")
    page.get_by_test_id("meeting-intro").click()
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("intro-stage")).to_have_text("已接受")
    sign_out(page)

    # The official generates the agenda and prints the table plan.
    sign_in(page, base_url, OFFICIAL)
    page.goto(event_url)
    page.get_by_test_id("manage-event").click()
    page.get_by_test_id("generate-agenda").click()
    expect(page.get_by_test_id("agenda-summary")).to_contain_text("已排 1 场")
    page.get_by_test_id("table-plan").click()
    expect(page.get_by_test_id("plan")).to_contain_text("睿视工业相机")
    sign_out(page)

    # Both sides see the meeting at table 1 and download the .ics.
    for who in (ENTERPRISE, VENDOR2):
        sign_in(page, base_url, who)
        page.goto(event_url + "/agenda")
        expect(page.get_by_test_id("table-no")).to_have_text("1")
        with page.expect_download() as download:
            page.get_by_test_id("download-ics").click()
        ics = Path(download.value.path()).read_text(encoding="utf-8")
        assert "BEGIN:VEVENT" in ics and "1 号桌" in ics
        sign_out(page)

    # After the meeting the enterprise wants to go on: the introduction is negotiating.
    sign_in(page, base_url, ENTERPRISE)
    page.goto(event_url + "/agenda")
    page.get_by_test_id("follow-up-yes").click()
    expect(page.get_by_test_id("follow-up-answer")).to_have_text("已选择继续对接")
    page.get_by_test_id("meeting-intro").click()
    expect(page.get_by_test_id("intro-stage")).to_have_text("洽谈中")
