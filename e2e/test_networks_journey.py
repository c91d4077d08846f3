"""An official imports an operator's CSV of networks (one bad row), sees the report, imports
the good rows, sees the count and the chart change, and downloads the XLSX with the same
numbers. The Hunan map draws its 14 cities."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from e2e.test_accounts_journey import sign_in

OFFICIAL = "official@demo.hn5g.example"
CSV = (
    "序号,专网名称,企业名称,运营商,所属行业,所在城市,专网模式,网络状态,开通日期\n"
    "1,浏览器测试甲钢铁5G专网,甲钢铁公司,中国移动,钢铁,娄底市,虚拟专网,在用,2024/5/6\n"
    "2,浏览器测试乙陶瓷5G专网,乙陶瓷公司,湖南电信,陶瓷,株洲,混合专网,已开通,2025年7月1日\n"
    "3,浏览器测试丙矿山5G专网,丙矿业,中国联通,矿山,长春,虚拟专网,在用,2024-01-02\n"
    "4,浏览器测试丁港口5G专网,丁港务,中国广电,港口物流,岳阳市,虚拟专网,在用,20250301\n"
    "5,浏览器测试戊医院5G专网,戊医院,中国移动,医疗健康,衡阳,虚拟专网,在用,2025-09-09\n"
)

CHART_DATA = """() => {
  const el = document.getElementById('progress-chart');
  return echarts.getInstanceByDom(el).getOption().series.map((s) => s.data);
}"""


def test_official_imports_a_csv_and_exports_the_same_numbers(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    sign_in(page, base_url, OFFICIAL)
    page.goto(base_url + "/dashboard")
    expect(page.locator("#progress-chart[data-chart-ready]")).to_be_attached()
    before = int(page.get_by_test_id("registered-count").inner_text())
    chart_before = page.evaluate(CHART_DATA)

    page.get_by_role("link", name="导入运营商专网表（CSV/Excel）").first.click()
    source = tmp_path / "运营商专网.csv"
    source.write_bytes(CSV.encode("utf-8-sig"))
    page.get_by_label("文件（CSV 或 XLSX，最多 5 MB）").set_input_files(str(source))
    page.get_by_role("button", name="上传并检查").click()

    report = page.get_by_test_id("validation-report")
    expect(report).to_contain_text("第 4 行")
    expect(report).to_contain_text("长春")
    expect(page.get_by_test_id("good-count")).to_have_text("4")
    expect(page.get_by_test_id("bad-count")).to_have_text("1")
    # The mapping step recognised the Chinese headers.
    expect(page.get_by_label("专网名称")).to_have_value("name")

    page.get_by_role("button", name=re.compile("导入 4 行有效数据")).click()
    expect(page).to_have_url(re.compile(r"/dashboard\?imported=4"))
    expect(page.get_by_test_id("registered-count")).to_have_text(str(before + 4))
    expect(page.locator("#progress-chart[data-chart-ready]")).to_be_attached()
    assert page.evaluate(CHART_DATA) != chart_before

    with page.expect_download() as info:
        page.get_by_test_id("export-progress_summary-xlsx").click()
    path = tmp_path / "summary.xlsx"
    info.value.save_as(path)
    sheet = load_workbook(path).worksheets[0]
    figures = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert figures["平台登记在用（个）"] == before + 4
    screen = page.get_by_test_id("table-progress_summary")
    for label, value in figures.items():
        cell = screen.locator("tr", has_text=label).locator("td").first.inner_text()
        shown = cell.replace(",", "")
        assert shown == ("—" if value is None else f"{value:g}"), label

    with page.expect_download() as info:
        page.get_by_test_id("export-networks_by_city-xlsx").click()
    info.value.save_as(tmp_path / "cities.xlsx")
    cities = load_workbook(tmp_path / "cities.xlsx").worksheets[0]
    by_city = page.get_by_test_id("table-networks_by_city")
    for code, _name, count in cities.iter_rows(min_row=2, values_only=True):
        expect(by_city.locator(f'tr[data-row="{code}"] td').last).to_have_text(str(count))


def test_the_map_draws_fourteen_cities(page: Page, base_url: str) -> None:
    page.goto(base_url + "/zones")
    expect(page.locator("#hunan-map[data-chart-ready]")).to_be_attached()
    regions = page.evaluate(
        """() => {
      const chart = echarts.getInstanceByDom(document.getElementById('hunan-map'));
      return {
        data: chart.getOption().series[0].data.length,
        features: echarts.getMap('hunan').geoJson.features.length,
        urls: chart.getOption().series[0].data.map((d) => d.url),
      };
    }"""
    )
    assert regions["data"] == 14 and regions["features"] == 14
    assert all(u.startswith("/cities/") for u in regions["urls"])
    page.locator("tr[data-row=xiangxi] a").first.click()  # the table fallback links too
    expect(page.get_by_role("heading", level=1)).to_have_text("湘西州")
