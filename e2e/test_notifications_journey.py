"""Told without coming back to look: a vendor saves a search for ceramics demands in
Zhuzhou; an enterprise's ceramics demand is approved by an official; after `portal worker
--once` the vendor's bell shows it and a mail file exists; the enterprise's approval notice
is in its inbox too, and it marks it read."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.conftest import PORTAL, ROOT
from e2e.test_accounts_journey import sign_in, sign_out
from e2e.test_catalog_journey import ENTERPRISE, OFFICIAL, VENDOR


def run_worker(data_dir: Path) -> str:
    env = {**os.environ, "PORTAL_ENV": "development", "PORTAL_DATA_DIR": str(data_dir)}
    env.pop("PORTAL_DATABASE_URL", None)
    done = subprocess.run(
        [str(PORTAL), "worker", "--once"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def unread(page: Page) -> int:
    bell = page.get_by_test_id("unread-count")
    return int(bell.inner_text()) if bell.count() else 0


def test_saved_search_alert_and_approval_notice(
    page: Page, base_url: str, portal_data_dir: Path
) -> None:
    title = f"陶瓷窑炉釉面缺陷视觉检测{secrets.token_hex(2)}"

    # The vendor saves its search of ceramics demands in Zhuzhou.
    sign_in(page, base_url, VENDOR)
    page.goto(base_url + "/demands?q=陶瓷&industry=ceramics&city=zhuzhou")
    page.get_by_test_id("save-search").click()
    expect(page.get_by_test_id("search-saved")).to_be_visible()
    expect(page.get_by_test_id("saved-searches")).to_contain_text("需求 · 陶瓷 · 株洲")
    vendor_before = unread(page)
    sign_out(page)

    # The enterprise posts a ceramics demand in Zhuzhou; the official approves it.
    sign_in(page, base_url, ENTERPRISE)
    page.goto(base_url + "/demands/new")
    page.get_by_label("需求标题").fill(title)
    page.get_by_label("需求描述").fill("出窑后检选靠人工，希望用5G+机器视觉自动识别陶瓷釉面缺陷。")
    page.get_by_label("所属行业").select_option("ceramics")
    page.get_by_label("所在城市").select_option("zhuzhou")
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    sign_out(page)
    sign_in(page, base_url, OFFICIAL)
    page.get_by_role("link", name="发布审核").click()
    page.get_by_label(f"选择 {title}").check()
    page.get_by_role("button", name="通过所选").click()
    expect(page.get_by_test_id("moderation-done")).to_contain_text("已通过 1 项")
    sign_out(page)

    mails_before = set((portal_data_dir / "mail").glob("*.eml"))
    output = run_worker(portal_data_dir)
    # This demand, and whatever the other journeys of the session had approved.
    assert re.search(r"已扫描新发布 [1-9]\d* 条", output), output

    # The vendor's bell counts the alert; the inbox names the demand and links to it.
    sign_in(page, base_url, VENDOR)
    assert unread(page) > vendor_before
    page.get_by_test_id("bell").click()
    alert = page.get_by_test_id("notification").filter(has_text=title).first
    expect(alert).to_have_attribute("data-kind", re.compile("saved_search_match|new_match"))
    alert.get_by_test_id("notification-open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    sign_out(page)
    mails = set((portal_data_dir / "mail").glob("*.eml")) - mails_before
    texts = [m.read_text(encoding="utf-8") for m in mails]
    assert any(VENDOR in t and "List-Unsubscribe" in t for t in texts), texts

    # The enterprise's approval notice is there too; it marks it read.
    sign_in(page, base_url, ENTERPRISE)
    before = unread(page)
    assert before >= 1
    page.get_by_test_id("bell").click()
    # The demand may also have drawn a funding alert (the funding journey's call), which
    # names it too: pick the approval notice by its kind.
    approvals = page.locator('[data-testid="notification"][data-kind="listing_approved"]')
    notice = approvals.filter(has_text=title).first
    expect(notice).to_be_visible()
    notice.get_by_test_id("mark-read").click()
    expect(approvals.filter(has_text=title).first.get_by_test_id("unread-mark")).to_have_count(0)
    assert unread(page) == before - 1
