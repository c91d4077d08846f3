"""A table as CSV (UTF-8 with a BOM, so Excel reads the Chinese) or XLSX (openpyxl).

Cells hold what people typed (a network's name, an enterprise's name), and a spreadsheet
runs a cell that starts with ``=`` as a formula — ``=HYPERLINK(…)`` sends the reader's data
away. Following OWASP's advice on CSV injection, such text gets a leading ``'``; XLSX text is
always written as a string cell; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from portal.dashboards.service import Table
from portal.kit.i18n import _

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# What a spreadsheet may read as the start of a formula; East Asian Excel also takes the
# full-width signs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# A sign that starts no formula: 表1's printed "-" and a number as printed (-35.4%).
_NOT_A_FORMULA = re.compile(r"-|[+-]?\d+(\.\d+)?%?")
# Characters an XLSX file cannot hold (openpyxl refuses them): C0 controls but TAB/LF/CR.
_ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: Any) -> Any:
    """``value`` safe for a spreadsheet cell: text that could start a formula gets a leading
    ``'``; numbers and everything else are returned as they are."""
    formula = isinstance(value, str) and value.startswith(_FORMULA_START)
    return "'" + value if formula and not _NOT_A_FORMULA.fullmatch(value) else value


def _xlsx_value(value: Any) -> Any:
    value = neutralise(value)
    return _ILLEGAL_IN_XLSX.sub("\ufffd", value) if isinstance(value, str) else value


def _footer(table: Table) -> list[list[str]]:
    rows = [[_("来源"), table.source], [_("数据截至"), table.as_of]]
    if table.note:
        rows.append([_("说明"), table.note])
    return rows


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(v) for v in table.columns])
    for row in table.rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    writer.writerow([])
    writer.writerows([[neutralise(v) for v in row] for row in _footer(table)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    """The table on the first sheet (header row, then the rows, numbers as numbers); its
    source and as-of date on a second sheet "说明"."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    def append(sheet: Worksheet, values: list[Any]) -> None:
        sheet.append([_xlsx_value(v) for v in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula ("=…") or an error value ("#N/A")

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("数据")
    append(sheet, table.columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        append(sheet, list(row))
    about = workbook.create_sheet(_("说明"))
    append(about, [_("表格"), table.title])
    for row in _footer(table):
        append(about, row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
