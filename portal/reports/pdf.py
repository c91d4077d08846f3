"""The evaluation report as PDF (for circulation): ReportLab, the Chinese font embedded."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

from portal.dashboards.service import Table as DataTable
from portal.kit.i18n import _
from portal.kit.templating import cell_text
from portal.reports.fonts import font_path
from portal.reports.service import Report

FONT = "ReportCJK"


@lru_cache(maxsize=1)
def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # A TrueType font is subset and embedded by ReportLab: the PDF needs nothing installed.
    pdfmetrics.registerFont(TTFont(FONT, str(font_path()), subfontIndex=0))
    return FONT


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    font = _register_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=22, leading=30, spaceAfter=16),
        "subtitle": ParagraphStyle("subtitle", fontName=font, fontSize=12, leading=18),
        "h1": ParagraphStyle(
            "h1", fontName=font, fontSize=15, leading=22, spaceBefore=12, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2", fontName=font, fontSize=11, leading=16, spaceBefore=8, spaceAfter=4
        ),
        "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=16, spaceAfter=4),
        "meta": ParagraphStyle(
            "meta", fontName=font, fontSize=7.5, leading=10, spaceAfter=8, textColor="#555555"
        ),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5),
        "head": ParagraphStyle(
            "head", fontName=font, fontSize=7.5, leading=9.5, textColor="#ffffff"
        ),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _widths(table: DataTable, width: float) -> list[float]:
    """Columns as wide as their longest text (capped), filling ``width``."""
    weights = [
        min(30, max([len(title) * 0.7, *(len(cell_text(r[i])) for r in table.rows)])) + 3
        for i, title in enumerate(table.columns)
    ]
    return [width * w / sum(weights) for w in weights]


def to_pdf(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Image,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    styles = _styles()
    out = io.BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=report.title,
        author=_("湖南5G应用产业生态对接平台"),
    )
    width = page[0] - 3 * cm
    story: list[Any] = [
        Spacer(1, 4 * cm),
        Paragraph(_escape(report.title), styles["title"]),
        Paragraph(
            _escape(report.subtitle),
            styles["subtitle"],
        ),
        Paragraph(
            _escape(_("数据截至 {today}").format(today=report.as_of.isoformat())),
            styles["subtitle"],
        ),
        Paragraph(_escape(_("湖南5G应用产业生态对接平台 生成")), styles["subtitle"]),
        PageBreak(),
        Paragraph(_escape(_("摘要")), styles["h1"]),
        *[Paragraph(_escape(s), styles["body"]) for s in report.summary],
    ]
    for section in report.sections:
        story.append(Paragraph(_escape(section.title), styles["h1"]))
        story.extend(Paragraph(_escape(t), styles["body"]) for t in section.paragraphs)
        for chart in section.charts:
            image = Image(io.BytesIO(chart.png))
            scale = min(width * 0.7 / image.imageWidth, 11 * cm / image.imageHeight)
            image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
            story.extend([image, Paragraph(_escape(chart.caption), styles["meta"])])
        for table in section.tables:
            years = table.year_columns
            head = [Paragraph(_escape(c), styles["head"]) for c in table.columns]
            body = [
                [
                    Paragraph(_escape(cell_text(v, year=i in years)), styles["cell"])
                    for i, v in enumerate(row)
                ]
                for row in table.rows
            ] or [[Paragraph(_escape(_("暂无数据")), styles["cell"])] + [""] * (len(head) - 1)]
            grid = Table([head, *body], repeatRows=1, colWidths=_widths(table, width))
            grid.setStyle(
                TableStyle(
                    [
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#2f6fb0")),
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            meta = _escape(
                _("来源：{source} · 数据截至 {today}").format(
                    source=table.source, today=table.as_of
                )
            ) + (f"<br/>{_escape(table.note)}" if table.note else "")
            story.extend(
                [
                    Paragraph(_escape(table.title), styles["h2"]),
                    grid,
                    Paragraph(meta, styles["meta"]),
                ]
            )
    doc.build(story)
    return out.getvalue()
