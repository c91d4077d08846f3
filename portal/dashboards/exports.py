"""A table as CSV (UTF-8 with a BOM, so Excel reads the Chinese) or XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io

from portal.dashboards.service import Table

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _footer(table: Table) -> list[list[str]]:
    rows = [["来源", table.source], ["数据截至", table.as_of]]
    if table.note:
        rows.append(["说明", table.note])
    return rows


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    writer.writerow([])
    writer.writerows(_footer(table))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    """The table on the first sheet (header row, then the rows, numbers as numbers); its
    source and as-of date on a second sheet "说明"."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "数据"
    sheet.append(table.columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(list(row))
    about = workbook.create_sheet("说明")
    about.append(["表格", table.title])
    for row in _footer(table):
        about.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
