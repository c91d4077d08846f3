"""The portal in English (issue 18): a visitor switches language and searches "ceramic
glaze"; a vendor lists a solution with an English title; the language holds across pages
and sign-in."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

from e2e.test_accounts_journey import DEMO_PASSWORD
from e2e.test_catalog_journey import VENDOR


def expect_lang(page: Page, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)


def test_visitor_switches_to_english_and_finds_the_glaze_inspection(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + "/")
    expect_lang(page, "zh-CN")
    page.get_by_test_id("lang-switch").get_by_role("link", name="English").click()
    expect_lang(page, "en")
    expect(page).to_have_url(re.compile(r"/\?lang=en$"))  # the same page, in English
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Matching 5G application demands with solutions"
    )
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Solutions"
    ).click()
    expect_lang(page, "en")  # the cookie holds the choice
    page.get_by_label("Keywords").fill("ceramic glaze")
    page.get_by_label("Keywords").press("Enter")
    results = page.get_by_test_id("results")
    expect(results).to_contain_text("Ceramic glaze defect inspection with 5G and AI vision")
    results.get_by_role(
        "link", name="Ceramic glaze defect inspection with 5G and AI vision"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ceramic glaze defect inspection with 5G and AI vision"
    )
    # Vocabulary names are English too.
    expect(page.locator("main")).to_contain_text("Ceramics")
    page.get_by_test_id("lang-switch").get_by_role("link", name="中文").click()
    expect_lang(page, "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("陶瓷釉面缺陷5G+AI视觉检测")


def test_vendor_lists_a_solution_with_an_english_title_in_english(
    page: Page, base_url: str
) -> None:
    title = f"陶瓷窑炉5G温度巡检{secrets.token_hex(2)}"
    english = f"5G kiln temperature patrol for ceramics {secrets.token_hex(2)}"
    page.goto(base_url + "/login?lang=en")
    page.get_by_label("E-mail").fill(VENDOR)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    # Signed in, still in English, with the vendor's first steps on the home page.
    expect_lang(page, "en")
    steps = page.get_by_test_id("first-steps")
    steps.get_by_role("link", name="List a solution").click()
    page.get_by_label("Solution name").fill(title)
    page.get_by_text("English title and summary").click()
    page.get_by_label("English title").fill(english)
    page.get_by_label("English summary").fill("Wireless temperature sensors along roller kilns.")
    page.locator("#f-industries").get_by_label("Ceramics", exact=True).check()
    page.locator("#f-regions").get_by_label("Zhuzhou", exact=True).check()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(english)
    expect(page.get_by_test_id("status")).to_have_text("Pending review")
    page.get_by_test_id("menu").get_by_role("link", name="My listings").click()
    expect(page.get_by_test_id("my-solutions")).to_contain_text(title)
    expect_lang(page, "en")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect_lang(page, "en")
