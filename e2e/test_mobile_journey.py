"""A phone (390×844): search, a listing and the progress page without the page scrolling
sideways, the header short, and the navigation behind a menu button that works with and
without JavaScript (issue 18)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: the page is {width}px wide"


def header_share(page: Page) -> float:
    box = page.locator("header.site-header").bounding_box()
    assert box is not None
    return float(box["height"]) / PHONE["height"]


def open_menu_and_go(page: Page, name: str) -> None:
    menu = page.get_by_test_id("menu")
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name=name)).to_be_hidden()
    menu.locator("summary").click()
    nav.get_by_role("link", name=name).click()


def test_search_a_listing_and_the_progress_page_on_a_phone(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    assert header_share(page) < 0.2
    no_sideways_scroll(page)
    open_menu_and_go(page, "解决方案")
    page.get_by_label("关键词").fill("陶瓷")
    page.get_by_label("关键词").press("Enter")
    results = page.get_by_test_id("results")
    expect(results.get_by_role("link").first).to_be_visible()
    no_sideways_scroll(page)
    results.locator("h2 a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    no_sideways_scroll(page)
    open_menu_and_go(page, "专网进展")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    no_sideways_scroll(page)
    # Wide tables scroll inside their own frame.
    frame = page.locator(".table-wrap").first
    assert frame.evaluate("e => getComputedStyle(e).overflowX") == "auto"


@pytest.fixture
def no_js_page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        java_script_enabled=False,
        locale="zh-CN",
        extra_http_headers={"X-Forwarded-For": "198.51.99.7"},
    )
    yield context.new_page()
    context.close()


def test_the_menu_button_works_without_javascript(no_js_page: Page, base_url: str) -> None:
    page = no_js_page
    page.goto(base_url + "/progress")
    assert header_share(page) < 0.2
    open_menu_and_go(page, "规划指标")
    expect(page).to_have_url(base_url + "/indicators")
    no_sideways_scroll(page)
    # Without JavaScript the chart's place holds a note, not a blank area.
    expect(page.locator(".chart-fallback").first).to_be_visible()
