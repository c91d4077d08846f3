"""The plan's indicators (表1): rows, actuals, targets per period, and progress against the
trajectory each row's growth column implies."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, col, select

from portal.audit.service import record
from portal.auth.permissions import Action, Principal, authorize
from portal.dashboards.cache import memoized
from portal.indicators.rules import value_error
from portal.indicators.schemas import IndicatorActual, IndicatorPublic, IndicatorTargetPublic
from portal.indicators.trajectory import expected_path, implied_expected
from portal.inputs import text_error
from portal.kit.errors import FieldErrors, NotFound
from portal.kit.i18n import N_, _
from portal.models import Indicator, IndicatorTarget, IndicatorValue, utcnow

STATUS_LABELS = {
    "on_track": N_("按计划推进"),
    "behind": N_("落后于进度"),
    "no_data": N_("暂无新数据"),
    "not_measurable": N_("无法量化"),
}


def _targets(session: Session) -> dict[str, list[IndicatorTargetPublic]]:
    targets: dict[str, list[IndicatorTargetPublic]] = defaultdict(list)
    rows = session.exec(
        select(IndicatorTarget).order_by(
            col(IndicatorTarget.indicator_code), col(IndicatorTarget.year)
        )
    )
    for t in rows:
        targets[t.indicator_code].append(
            IndicatorTargetPublic(year=t.year, value=t.value, printed=t.printed, source=t.source)
        )
    return targets


def assess(row: IndicatorPublic) -> IndicatorPublic:
    """Fill latest, expected, progress and status of ``row`` from its actuals and targets."""
    latest = row.actuals[-1] if row.actuals else None
    row.latest = latest
    numeric_targets = [(t.year, t.value) for t in row.targets if t.value is not None]
    final = max(numeric_targets) if numeric_targets else None
    if row.growth_kind is None and (row.baseline is None or final is None):
        row.status = "not_measurable"
        return row
    if latest is None or latest.year <= row.baseline_year:
        row.status = "no_data"
        return row
    if latest.year <= row.target_year or final is None or row.baseline is None:
        expected = implied_expected(
            baseline=row.baseline,
            baseline_year=row.baseline_year,
            target=row.target,
            target_year=row.target_year,
            growth_kind=row.growth_kind,
            growth=row.growth_rate,
            year=latest.year,
        )
    else:  # past 表1's period: the geometric path towards the later plan's target
        anchors = [(row.baseline_year, row.baseline), *numeric_targets]
        expected = expected_path(anchors).get(min(latest.year, final[0]))
    row.expected = round(expected, 4) if expected is not None else None
    if row.growth_kind == "cumulative" and row.growth_rate:
        row.progress_percent = round(100 * latest.value / row.growth_rate, 1)
    elif row.baseline is not None and final is not None and final[1] != row.baseline:
        row.progress_percent = round(
            100 * (latest.value - row.baseline) / (final[1] - row.baseline), 1
        )
    if expected is None:
        row.status = "not_measurable"
        return row
    falling = final is not None and row.baseline is not None and final[1] < row.baseline
    on_track = latest.value <= expected if falling else latest.value >= expected
    row.status = "on_track" if on_track else "behind"
    return row


def list_indicators(session: Session) -> list[IndicatorPublic]:
    """Every row of 表1, assessed; memoized until the data changes (callers copy to mutate)."""
    return memoized(
        session, ("indicators",), lambda: _list_indicators(session), reads=("indicators",)
    )


def _list_indicators(session: Session) -> list[IndicatorPublic]:
    actuals: dict[str, list[IndicatorActual]] = defaultdict(list)
    values = session.exec(
        select(IndicatorValue).order_by(
            col(IndicatorValue.indicator_code), col(IndicatorValue.year)
        )
    )
    for v in values:
        actuals[v.indicator_code].append(
            IndicatorActual(year=v.year, value=v.value, source=v.source)
        )
    targets = _targets(session)
    rows = session.exec(select(Indicator).order_by(col(Indicator.sort)))
    return [
        assess(
            IndicatorPublic(
                code=row.code,
                seq=row.seq,
                category=row.category,
                name=row.name,
                parent=row.parent_code,
                unit=row.unit,
                baseline_year=row.baseline_year,
                baseline=row.baseline,
                baseline_printed=row.baseline_printed,
                target_year=row.target_year,
                target=row.target,
                target_printed=row.target_printed,
                growth=row.growth_printed,
                growth_kind=row.growth_kind,
                growth_rate=row.growth,
                actuals=actuals[row.code],
                targets=targets[row.code],
            )
        )
        for row in rows
    ]


def latest_actual(session: Session, code: str) -> IndicatorValue | None:
    return session.exec(
        select(IndicatorValue)
        .where(IndicatorValue.indicator_code == code)
        .order_by(col(IndicatorValue.year).desc())
    ).first()


def get_indicator(session: Session, code: str) -> Indicator:
    indicator = session.get(Indicator, code)
    if indicator is None:
        raise NotFound(_("找不到该指标"))
    return indicator


def _check_year(year: int | None, errors: dict[str, str], low: int = 2000) -> None:
    if year is None:
        errors["year"] = _("请填写年份")
    elif not low <= year <= 2100:
        errors["year"] = _("年份应在 {low}–2100 之间").format(low=low)


def record_value(
    session: Session,
    *,
    principal: Principal | None,
    code: str,
    year: int | None,
    value: float | None,
    source: str | None,
    now: datetime,
    ip: str | None = None,
) -> IndicatorValue:
    """Enter (or correct) the official value of one indicator for one year; audited."""
    authorize(session, principal, Action.INDICATOR_EDIT)
    assert principal is not None
    errors: dict[str, str] = {}
    indicator = session.get(Indicator, code)
    if indicator is None:
        errors["indicator"] = _("请选择表1中的指标")
    _check_year(year, errors)
    if value is None:
        errors["value"] = _("请填写数值")
    elif indicator is not None and (reason := value_error(indicator, value)):
        errors["value"] = reason
    source = (source or "").strip() or None
    if not source:
        errors["source"] = _("请注明数据来源（文件、网址或发布机构）")
    elif reason := text_error(source):
        errors["source"] = reason
    if errors:
        raise FieldErrors(errors, status=400)
    assert year is not None and value is not None
    row = session.exec(
        select(IndicatorValue).where(
            IndicatorValue.indicator_code == code, IndicatorValue.year == year
        )
    ).first()
    before = None if row is None else {"value": row.value, "source": row.source}
    if row is None:
        row = IndicatorValue(indicator_code=code, year=year, value=value, source=source)
    else:
        row.value, row.source, row.updated_at = value, source, utcnow()
    session.add(row)
    session.flush()
    record(
        session,
        action="indicator.edited",
        now=now,
        actor=principal.user,
        entity="indicator",
        entity_id=code,
        detail={"year": year, "value": value, "source": source, "before": before},
        ip=ip,
    )
    return row


def set_target(
    session: Session,
    *,
    principal: Principal | None,
    code: str,
    year: int | None,
    value: float | None,
    printed: str | None,
    source: str | None,
    now: datetime,
    ip: str | None = None,
) -> IndicatorTarget:
    """Add or change the target of one indicator for a period's end year (e.g. 2030)."""
    authorize(session, principal, Action.INDICATOR_EDIT)
    assert principal is not None
    errors: dict[str, str] = {}
    indicator = session.get(Indicator, code)
    if indicator is None:
        errors["indicator"] = _("请选择表1中的指标")
    _check_year(year, errors, low=2021)
    printed = (printed or "").strip()  # the target as printed ("力争小于1.35")
    out_of_bounds = value_error(indicator, value) if indicator and value is not None else None
    if value is None and not printed:
        errors["value"] = _("请填写目标值")
    elif reason := out_of_bounds or text_error(printed):
        errors["value"] = reason
    source = (source or "").strip() or None
    if not source:
        errors["source"] = _("请注明目标出处（规划文件名称）")
    elif reason := text_error(source):
        errors["source"] = reason
    if errors:
        raise FieldErrors(errors, status=400)
    assert year is not None
    printed = printed or (f"{value:g}" if value is not None else "")
    row = session.get(IndicatorTarget, (code, year))
    if row is None:
        row = IndicatorTarget(indicator_code=code, year=year)
    row.value, row.printed, row.source = value, printed[:32], source
    session.add(row)
    session.flush()
    record(
        session,
        action="indicator.target_set",
        now=now,
        actor=principal.user,
        entity="indicator",
        entity_id=code,
        detail={"year": year, "value": value, "printed": printed, "source": source},
        ip=ip,
    )
    return row
