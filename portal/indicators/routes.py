from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from portal.auth.permissions import Action, can
from portal.deps import ClockDep, PagePrincipal, SessionDep, client_ip
from portal.indicators import service
from portal.indicators.schemas import IndicatorPublic
from portal.indicators.service import STATUS_LABELS, list_indicators
from portal.indicators.trajectory import expected_path, implied_expected
from portal.inputs import finite_number, whole_number
from portal.kit.errors import FieldErrors
from portal.kit.i18n import _
from portal.kit.templating import render

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


def _context(session: SessionDep, principal: PagePrincipal, **extra: Any) -> dict[str, Any]:
    rows = list_indicators(session)
    return {
        "indicators": rows,
        "status_labels": STATUS_LABELS,
        "charts": {r.code: history_chart(r) for r in rows},
        "can_edit": can(session, principal, Action.INDICATOR_EDIT),
        "errors": {},
        "values": {},
        **extra,
    }


@router.get("/indicators", name="indicators")
def indicators_page(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    return render(request, "indicators/list.html", _context(session, principal))


Text = Annotated[str, Form(max_length=500)]


def _number(text: str) -> float | None:
    return finite_number(text)


def _year(text: str) -> int | None:
    return whole_number(text, maximum=9999)


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
) -> Response:
    try:
        service.record_value(
            session,
            principal=principal,
            code=indicator,
            year=_year(year),
            value=_number(value),
            source=source,
            now=clock.now(),
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        values = {"indicator": indicator, "year": year, "value": value, "source": source}
        return render(
            request,
            "indicators/list.html",
            _context(session, principal, errors=refused.errors, values=values, form="value"),
            status_code=400,
        )
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
            now=clock.now(),
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        values = {"indicator": indicator, "year": year, "value": value, "source": source}
        return render(
            request,
            "indicators/list.html",
            _context(session, principal, target_errors=refused.errors, target_values=values),
            status_code=400,
        )
    return RedirectResponse(f"/indicators?saved={indicator}#row-{indicator}", status_code=303)
