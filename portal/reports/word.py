"""The evaluation report as DOCX (officials edit reports in Word or WPS): python-docx."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from portal.kit.i18n import _
from portal.kit.templating import cell_text
from portal.reports.fonts import DOCX_EAST_ASIAN_FONT
from portal.reports.service import Report


def to_docx(report: Report) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)  # A4 landscape
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Cm(1.8))
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption"):
        style = document.styles[name]
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), DOCX_EAST_ASIAN_FONT)
    document.styles["Normal"].font.size = Pt(10.5)

    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle)
    document.add_paragraph(
        _("数据截至 {today}；湖南5G应用产业生态对接平台 生成").format(
            today=report.as_of.isoformat()
        )
    )
    document.add_page_break()
    document.add_heading(_("摘要"), level=1)
    for text in report.summary:
        document.add_paragraph(text)
    width = Cm(29.7 - 2 * 1.8)  # landscape A4 between the margins
    for part in report.sections:
        document.add_heading(part.title, level=1)
        for text in part.paragraphs:
            document.add_paragraph(text)
        for chart in part.charts:
            document.add_picture(io.BytesIO(chart.png), width=int(width * 0.7))
            document.add_paragraph(chart.caption, style="Caption")
        for table in part.tables:
            document.add_heading(table.title, level=2)
            years = table.year_columns
            grid = document.add_table(rows=1, cols=len(table.columns))
            grid.style = "Table Grid"
            for cell, title in zip(grid.rows[0].cells, table.columns, strict=True):
                cell.text = title
            for row in table.rows:
                cells = grid.add_row().cells
                for i, value in enumerate(row):
                    cells[i].text = cell_text(value, year=i in years)
            meta = _("来源：{source} · 数据截至 {today}").format(
                source=table.source, today=table.as_of
            )
            document.add_paragraph(
                meta + (f"\n{table.note}" if table.note else ""), style="Caption"
            )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
