"""First journey: a visitor opens the home page, reads the private-network figure and
opens a benchmark case."""

import re

from playwright.sync_api import Page, expect


def test_visitor_reads_the_network_figure_and_opens_a_case(page: Page, base_url: str) -> None:
    external: list[str] = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(base_url) else None,
    )
    page.goto(base_url + "/")
    expect(page).to_have_title(re.compile("湖南5G应用产业生态对接平台"))
    figure = page.get_by_test_id("networks-figure")
    expect(figure).to_contain_text("5G行业虚拟专网")
    # After 2025 the headline is the period's outcome, never 2020's 66 (issue 17).
    expect(page.get_by_test_id("networks-outcome")).to_contain_text("2021–2025 年规划期已结束")
    expect(page.get_by_test_id("networks-official")).not_to_have_text("66")
    expect(page.get_by_test_id("networks-target")).to_have_text("300")
    registered = int(page.get_by_test_id("networks-registered").inner_text())
    assert registered >= 1  # the demo seed registers networks in service
    # htmx came from our own static folder and loaded.
    assert page.evaluate("typeof window.htmx") == "object"

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="标杆案例").click()
    expect(page).to_have_url(re.compile(r"/cases$"))
    first = page.locator(".card-title a").first
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_test_id("case-sources")).to_contain_text("http")
    expect(page.get_by_test_id("case-enterprise")).not_to_be_empty()
    assert external == []


def test_case_filter_updates_in_place_with_htmx(page: Page, base_url: str) -> None:
    page.goto(base_url + "/cases")
    page.get_by_label("行业").select_option("steel")
    expect(page).to_have_url(re.compile(r"industry=steel"))
    expect(page.locator(".card").first).to_contain_text("钢铁")
    for meta in page.locator(".card .meta").all_inner_texts():
        assert "钢铁" in meta


def test_pages_work_without_javascript(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(base_url + "/cases")
    page.get_by_label("行业").select_option("steel")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"industry=steel"))
    for meta in page.locator(".card .meta").all_inner_texts():
        assert "钢铁" in meta
    context.close()
