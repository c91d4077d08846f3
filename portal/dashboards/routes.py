"""The public progress page (aggregates only), the officials' dashboard, and the exports of
every table as CSV and XLSX."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from portal.auth.permissions import Action, authorize
from portal.dashboards.cache import data_version
from portal.dashboards.exports import CONTENT_TYPES, to_csv, to_xlsx
from portal.dashboards.service import (
    OFFICIAL_TABLES,
    Table,
    build_table,
    dashboard_tables,
    progress_page_tables,
)
from portal.deps import ClockDep, PagePrincipal, SessionDep, SignedIn
from portal.indicators.periods import BASIS_LABELS, STATUS_LABELS
from portal.inputs import whole_number
from portal.kit.errors import NotFound
from portal.kit.i18n import _
from portal.kit.templating import render
from portal.networks.service import Progress
from portal.page_memo import for_visitors, kept_on_loop

router = APIRouter(tags=["pages"], include_in_schema=False)


def progress_chart(p: Progress) -> dict[str, Any]:
    return {
        "type": "line",
        "yName": _("个"),
        "categories": [s.year for s in p.series],
        "series": [
            {"name": _("规划轨迹"), "data": [s.expected for s in p.series], "dashed": True},
            {"name": _("官方统计"), "data": [s.official for s in p.series]},
            {"name": _("平台登记在用"), "data": [s.registered for s in p.series]},
        ],
    }


def city_chart(p: Progress) -> dict[str, Any]:
    from portal.reference.vocab import get_vocabularies

    vocab = get_vocabularies()
    return {
        "type": "bar",
        "yName": _("个"),
        "categories": [vocab.label("city", c) for c in p.by_city],
        "series": [{"name": _("在用专网"), "data": list(p.by_city.values())}],
    }


def _context(p: Progress, tables: list[Table]) -> dict[str, Any]:
    return {
        "p": p,
        "status_labels": STATUS_LABELS,
        "basis_labels": BASIS_LABELS,
        "tables": {t.key: t for t in tables},
        "progress_chart": progress_chart(p),
        "city_chart": city_chart(p),
    }


PeriodQuery = Annotated[str | None, Query(max_length=20)]


@router.get("/progress", name="progress")
async def progress_page(
    request: Request, session: SessionDep, clock: ClockDep, period: PeriodQuery = None
) -> Response:
    today = clock.today()
    # Most requests: a visitor's, answered with the kept page on the event loop.
    kept = await kept_on_loop(request, session, lambda: (data_version(session), today))
    if kept is not None:
        return kept
    return await run_in_threadpool(_progress, request, session, today, period)


def _progress(request: Request, session: Session, today: date, period: str | None) -> Response:
    def build() -> Response:
        p, tables = progress_page_tables(session, today=today, period=period)
        return render(request, "dashboards/progress.html", _context(p, tables))

    return for_visitors(request, build, data=(data_version(session), today))


@router.get("/dashboard", name="dashboard")
def dashboard_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    period: PeriodQuery = None,
) -> Response:
    authorize(session, principal, Action.DASHBOARD_VIEW)
    p, tables = dashboard_tables(session, today=clock.today(), period=period)
    context = _context(p, tables)
    context["imported"] = request.query_params.get("imported")
    # What the import changed: a re-import of the same rows changes nothing (issue 18).
    context["import_counts"] = {
        key: whole_number(request.query_params.get(key) or "") or 0
        for key in ("created", "updated", "unchanged")
    }
    return render(request, "dashboards/dashboard.html", context, block=None)


@router.get("/exports/{key}.{fmt}", name="export_table")
def export_table(
    session: SessionDep, clock: ClockDep, principal: PagePrincipal, key: str, fmt: str
) -> Response:
    if fmt not in CONTENT_TYPES:
        raise NotFound(_("只提供 CSV 和 XLSX 格式"))
    if key in OFFICIAL_TABLES:
        authorize(session, principal, Action.DASHBOARD_VIEW)
    table = build_table(session, key, today=clock.today())
    body = to_csv(table) if fmt == "csv" else to_xlsx(table)
    filename = f"{key}-{table.as_of}.{fmt}"
    return Response(
        body,
        media_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
