"""The evaluation report for officials: ``GET /reports/{period}.pdf`` and ``.docx``."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response

from portal.auth.permissions import Action, authorize
from portal.deps import ClockDep, SessionDep, SignedIn
from portal.kit.errors import NotFound
from portal.kit.i18n import _
from portal.reports.service import Report, build_report

router = APIRouter(tags=["pages"], include_in_schema=False)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def render_report(report: Report, fmt: str) -> bytes:
    if fmt == "pdf":
        from portal.reports.pdf import to_pdf

        return to_pdf(report)
    from portal.reports.word import to_docx

    return to_docx(report)


@router.get("/reports/{period}.{fmt}", name="period_report")
def period_report(
    session: SessionDep, clock: ClockDep, principal: SignedIn, period: str, fmt: str
) -> Response:
    # A plain def: drawing the charts and the document takes a second or two, in a worker
    # thread, while the server keeps answering.
    authorize(session, principal, Action.DASHBOARD_VIEW)
    if fmt not in CONTENT_TYPES:
        raise NotFound(_("评估报告只提供 PDF 和 Word（DOCX）格式"))
    report = build_report(session, period=period, now=clock.now())
    body = render_report(report, fmt)
    chinese = quote(f"{report.title}.{fmt}")
    return Response(
        body,
        media_type=CONTENT_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{report.filename}.{fmt}"; '
            f"filename*=UTF-8''{chinese}"
        },
    )
