"""An official opens the dashboard and sees the 2021–2025 outcome, adds the 2026–2030 target
of 5G虚拟专网数 with the plan it comes from, sees the progress page switch to it (the
previous outcome one click away), and downloads the evaluation report in both formats."""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from e2e.test_accounts_journey import sign_in

OFFICIAL = "official@demo.hn5g.example"
PLAN_2030 = "《湖南省“十五五”信息通信行业发展规划》"


def test_official_sees_the_outcome_sets_the_next_target_and_downloads_the_report(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    sign_in(page, base_url, OFFICIAL)
    page.goto(base_url + "/dashboard")
    outcome = page.get_by_test_id("outcome")
    expect(outcome).to_contain_text("2021–2025 年规划期已结束")
    expect(outcome).to_contain_text("未达标")
    shortfall = page.get_by_test_id("outcome-difference").inner_text()
    expect(page.get_by_test_id("needed")).to_have_count(0)  # no countdown to a past date

    page.goto(base_url + "/indicators#enter-target")
    form = page.get_by_test_id("indicator-target-form")
    form.locator("#t-indicator").select_option(label="5G虚拟专网数")
    form.get_by_label("目标年份").fill("2030")
    form.get_by_label("目标值").fill("800")
    form.get_by_label("出处（规划文件）").fill(PLAN_2030)
    form.get_by_label("规划期名称（新增一期时）").fill("“十五五”")
    form.get_by_role("button", name="保存目标").click()
    expect(page.get_by_role("status")).to_contain_text("已保存")

    page.goto(base_url + "/progress")
    expect(page.get_by_test_id("period-current")).to_contain_text("2026–2030")
    expect(page.get_by_test_id("target")).to_have_text("800")
    expect(page.get_by_test_id("period-nav")).to_contain_text(PLAN_2030)
    expect(page.get_by_test_id("needed")).to_contain_text("2030 年 800 个")
    page.get_by_test_id("period-link-2021-2025").click()
    expect(page).to_have_url(re.compile(r"period=2021-2025"))
    expect(page.get_by_test_id("outcome-difference")).to_have_text(shortfall)

    page.goto(base_url + "/dashboard?period=2021-2025")
    expect(page.get_by_test_id("report-actions")).to_contain_text("总结评估")
    with page.expect_download() as info:
        page.get_by_test_id("report-pdf").click()
    pdf = tmp_path / "report.pdf"
    info.value.save_as(pdf)
    text = "".join("".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "2021–2025年总结评估报告" in text and f"距目标差{shortfall.replace(',', '')}个" in text
    with page.expect_download() as info:
        page.get_by_test_id("report-docx").click()
    docx = tmp_path / "report.docx"
    info.value.save_as(docx)
    cells = {c.text for t in Document(str(docx)).tables for r in t.rows for c in r.cells}
    assert "5G虚拟专网数" in cells and "未达标" in cells
