from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from portal.auth.permissions import Action, authorize, can
from portal.deps import WRITES_ON_GET, ClockDep, PagePrincipal, SessionDep, SignedIn, client_ip
from portal.indicators import service, sheet
from portal.indicators.periods import STATUS_LABELS, find_period, list_periods
from portal.indicators.schemas import IndicatorPublic
from portal.indicators.service import list_indicators
from portal.indicators.trajectory import expected_path, implied_expected
from portal.inputs import finite_number, whole_number
from portal.kit.errors import FieldErrors, PortalError
from portal.kit.i18n import _
from portal.kit.templating import render
from portal.spreadsheets import UnreadableFile

router = APIRouter(tags=["pages"], include_in_schema=False)


def history_chart(row: IndicatorPublic) -> dict[str, Any]:
    """Actual values and the trajectory implied by the growth column, year by year."""
    numeric = [(t.year, t.value) for t in row.targets if t.value is not None]
    last = max([row.target_year, *(a.year for a in row.actuals), *(y for y, _ in numeric)])
    years = list(range(row.baseline_year, last + 1))
    actual = {a.year: a.value for a in row.actuals}
    later = (
        expected_path([(row.baseline_year, row.baseline), *numeric])
        if row.baseline is not None and numeric
        else {}
    )

    def expected(year: int) -> float | None:
        if year <= row.target_year:
            value = implied_expected(
                baseline=row.baseline,
                baseline_year=row.baseline_year,
                target=row.target,
                target_year=row.target_year,
                growth_kind=row.growth_kind,
                growth=row.growth_rate,
                year=year,
            )
        else:
            value = later.get(year)
        return None if value is None else round(value, 3)

    return {
        "type": "line",
        "title": row.name,
        "yName": row.unit,
        "categories": years,
        "series": [
            {"name": _("实际值"), "data": [actual.get(y) for y in years]},
            {"name": _("规划轨迹"), "data": [expected(y) for y in years], "dashed": True},
        ],
    }


def _context(
    session: SessionDep,
    principal: PagePrincipal,
    today: date,
    period: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    rows = list_indicators(session, today=today, period=period)
    periods = list_periods(session)
    return {
        "indicators": rows,
        "periods": periods,
        "period": find_period(periods, period) if period else None,
        "today": today,
        "status_labels": STATUS_LABELS,
        "charts": {r.code: history_chart(r) for r in rows},
        "can_edit": can(session, principal, Action.INDICATOR_EDIT),
        "errors": {},
        "values": {},
        **extra,
    }


@router.get("/indicators", name="indicators")
def indicators_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: PagePrincipal,
    period: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    context = _context(session, principal, clock.today(), period)
    return render(request, "indicators/list.html", context)


Text = Annotated[str, Form(max_length=500)]


def _number(text: str) -> float | None:
    return finite_number(text)


def _year(text: str) -> int | None:
    return whole_number(text, maximum=9999)


def form_date(text: str) -> tuple[date | None, str | None]:
    """A date typed in a form (2026-03-31, 2026/3/31, 2026年3月31日), or why not."""
    return sheet.read_date(text)


@router.post("/indicators/values", name="indicator_value_submit")
def value_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: PagePrincipal,
    indicator: Text = "",
    year: Text = "",
    value: Text = "",
    source: Text = "",
    as_of: Text = "",
    next_update: Text = "",
) -> Response:
    as_of_date, as_of_error = form_date(as_of)
    next_date, next_error = form_date(next_update)
    try:
        if as_of_error or next_error:
            errors = {"as_of": as_of_error, "next_update": next_error}
            raise FieldErrors({k: v for k, v in errors.items() if v}, status=400)
        service.record_value(
            session,
            principal=principal,
            code=indicator,
            year=_year(year),
            value=_number(value),
            source=source,
            as_of=as_of_date,
            next_update=next_date,
            now=clock.now(),
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        values = {
            "indicator": indicator,
            "year": year,
            "value": value,
            "source": source,
            "as_of": as_of,
            "next_update": next_update,
        }
        context = _context(
            session,
            principal,
            clock.today(),
            errors=refused.errors,
            values=values,
            form="value",
        )
        return render(request, "indicators/list.html", context, status_code=400)
    return RedirectResponse(f"/indicators?saved={indicator}#row-{indicator}", status_code=303)


@router.post("/indicators/targets", name="indicator_target_submit")
def target_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: PagePrincipal,
    indicator: Text = "",
    year: Text = "",
    value: Text = "",
    printed: Text = "",
    source: Text = "",
    period_name: Text = "",
) -> Response:
    try:
        service.set_target(
            session,
            principal=principal,
            code=indicator,
            year=_year(year),
            value=_number(value),
            printed=printed,
            source=source,
            period_name=period_name,
            now=clock.now(),
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        values = {
            "indicator": indicator,
            "year": year,
            "value": value,
            "source": source,
            "period_name": period_name,
        }
        context = _context(
            session, principal, clock.today(), target_errors=refused.errors,
            target_values=values,
        )  # fmt: skip
        return render(request, "indicators/list.html", context, status_code=400)
    return RedirectResponse(f"/indicators?saved={indicator}#row-{indicator}", status_code=303)


# --- the yearly statistics sheet: upload, check, confirm --------------------------------


@router.get("/indicators/import", name="indicator_import")
def import_page(request: Request, session: SessionDep, principal: SignedIn) -> Response:
    authorize(session, principal, Action.INDICATOR_EDIT)
    return render(request, "indicators/import.html", {"upload": None, "labels": sheet.LABELS})


@router.post("/indicators/import", name="indicator_upload")
def import_upload(
    request: Request,
    session: SessionDep,
    principal: SignedIn,
    file: Annotated[UploadFile, File()],
) -> Response:
    # A plain def, like the network import: the file is read in a worker thread.
    authorize(session, principal, Action.INDICATOR_EDIT)
    content = file.file.read(sheet.MAX_BYTES + 1)
    try:
        upload = sheet.create_upload(
            session, principal=principal, filename=file.filename or "upload.csv", content=content
        )
    except UnreadableFile as error:
        context = {"upload": None, "labels": sheet.LABELS, "error": error.message}
        return render(request, "indicators/import.html", context, status_code=400)
    url = request.app.url_path_for("indicator_upload_review", upload_id=upload.id)
    return RedirectResponse(str(url), status_code=303)


def _review(
    request: Request, session: SessionDep, upload: Any, error: str | None = None
) -> Response:
    context = {
        "upload": upload,
        "report": sheet.check_upload(session, upload),
        "labels": sheet.LABELS,
        "error": error,
    }
    return render(request, "indicators/import.html", context, status_code=400 if error else 200)


@router.get(
    "/indicators/import/{upload_id}", name="indicator_upload_review", dependencies=[WRITES_ON_GET]
)
def review_page(
    request: Request, session: SessionDep, principal: SignedIn, upload_id: int
) -> Response:
    upload = sheet.get_upload(session, principal=principal, upload_id=upload_id)
    return _review(request, session, upload)


@router.post("/indicators/import/{upload_id}/confirm", name="indicator_upload_confirm")
def confirm_upload(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn, upload_id: int
) -> Response:
    upload = sheet.get_upload(session, principal=principal, upload_id=upload_id)
    try:
        count = sheet.apply_upload(
            session, principal=principal, upload=upload, now=clock.now(), ip=client_ip(request)
        )
    except PortalError as error:
        return _review(request, session, upload, error.message)
    return RedirectResponse(
        str(request.app.url_path_for("indicators")) + f"?imported={count}", status_code=303
    )
