"""The streaming XLSX reader gives the table openpyxl gives (read-only, cached values), cell
for cell: strings shared and inline, rich text without its phonetic guide, numbers, dates in
built-in and custom formats, the 1904 calendar, booleans, errors, ISO dates, namespace
prefixes, cells and rows without references."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import Workbook, load_workbook

from portal.spreadsheets import _cell_text, read_rows
from tests.support.xlsx import MAIN, SHEET_TAIL, sheet_head, xlsx


def as_openpyxl_reads_it(content: bytes) -> list[tuple[int, list[str]]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell_text(v) for v in values]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append((number, cells))
    workbook.close()
    return rows


def test_a_workbook_written_by_openpyxl() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["专网名称", "数量", "比例", "开通日期", "时刻", "布尔", "公式", None, "时长"])
    sheet.append(["甲 5G 专网 ", 3, 2.5, date(2024, 5, 6), time(12, 30), True, "=1+1", None,
                  timedelta(hours=30)])  # fmt: skip
    sheet.append([None, 3.0, -1e-7, datetime(2025, 1, 2, 8, 0), None, False])
    sheet.append([])
    sheet.append([None, None, 12345678901234, "x" * 1000])
    sheet["C3"].number_format = "0.00%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    expected = as_openpyxl_reads_it(buffer.getvalue())
    assert read_rows("a.xlsx", buffer.getvalue(), max_data_rows=10) == expected
    assert expected[1][1][3] == "2024-05-06"  # the case is really about dates


HAND_WRITTEN = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="inlineStr"><is><r><t>富</t></r><r><t xml:space="preserve">文本 </t></r>'
    '<rPh sb="0" eb="1"><t>フリガナ</t></rPh></is></c></row>'
    '<row r="3"><c r="A3" s="1"><v>45417</v></c><c r="B3" s="2"><v>45417.75</v></c>'
    '<c r="C3" t="b"><v>1</v></c><c r="D3" t="e"><v>#N/A</v></c><c r="E3" t="str"><f>A1</f>'
    '<v>公式结果</v></c><c r="F3" t="d"><v>2024-05-06T00:00:00</v></c>'
    '<c r="G3"><v>1.5E+3</v></c><c r="H3" s="1"><v>99999999</v></c></row>'
    '<row><c t="inlineStr"><is><t>无引用</t></is></c><c><v>7</v></c></row>'
)
STRINGS = (
    f'<sst xmlns="{MAIN}"><si><t>专网&lt;名称&gt;</t></si>'
    '<si><r><t>企业</t></r><r><rPr><b/></rPr><t>&amp;客户</t></r><rPh sb="0" eb="2"><t>キギョウ</t>'
    "</rPh></si></sst>"
)


@pytest.mark.filterwarnings("ignore:Cell H3 is marked as a date")  # openpyxl, on 99999999
@pytest.mark.parametrize("date1904", [False, True])
def test_a_hand_written_sheet(date1904: bool) -> None:
    content = xlsx(
        sheet_head() + HAND_WRITTEN + SHEET_TAIL,
        date1904=date1904,
        parts={"xl/sharedStrings.xml": STRINGS},
    )
    expected = as_openpyxl_reads_it(content)
    assert read_rows("b.xlsx", content, max_data_rows=10) == expected
    assert expected[0][1] == ["专网<名称>", "企业&客户", "富文本"]


def test_namespace_prefixes() -> None:
    sheet = (
        f'<?xml version="1.0"?><x:worksheet xmlns:x="{MAIN}"><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>前缀</x:t></x:is></x:c>'
        '<x:c r="B1" s="1"><x:v>45418</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )
    content = xlsx(sheet)
    assert read_rows("c.xlsx", content, max_data_rows=10) == as_openpyxl_reads_it(content)
    assert read_rows("c.xlsx", content, max_data_rows=10) == [(1, ["前缀", "2024-05-06"])]
