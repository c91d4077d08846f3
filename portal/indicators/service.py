"""The plan's indicators (表1): rows, actuals, targets per period, and progress against the
trajectory each row's growth column implies."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from portal.audit.service import record
from portal.auth.permissions import Action, Principal, authorize
from portal.dashboards.cache import memoized
from portal.indicators.periods import (
    STATUS_LABELS,
    Outcome,
    Period,
    is_stale,
    judge_outcome,
    list_periods,
    period_for,
    require_period,
)
from portal.indicators.rules import update_error, value_error
from portal.indicators.schemas import (
    IndicatorActual,
    IndicatorPublic,
    IndicatorTargetPublic,
    OutcomePublic,
    PeriodPublic,
)
from portal.indicators.trajectory import expected_path, implied_expected
from portal.inputs import text_error
from portal.kit.errors import FieldErrors, NotFound
from portal.kit.i18n import _
from portal.models import Indicator, IndicatorTarget, IndicatorValue, PlanPeriod, utcnow
from portal.networks.service import INDICATOR_CODE, progress

__all__ = ["STATUS_LABELS", "assess", "list_indicators"]


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


def period_public(period: Period, today: date) -> PeriodPublic:
    return PeriodPublic(
        code=period.code,
        name=period.name,
        baseline_year=period.baseline_year,
        target_year=period.target_year,
        ended=period.ended(today),
        source=period.source,
    )


def _falling(row: IndicatorPublic, target: float | None) -> bool:
    return target is not None and row.baseline is not None and target < row.baseline


def assess(row: IndicatorPublic, period: Period | None = None, *, today: date) -> IndicatorPublic:
    """Fill period, latest, expected, progress, outcome and status of ``row``: an outcome
    (achieved / missed) once ``period`` has ended, a trajectory (on track / behind) while
    it runs. Without ``period``, 表1's own."""
    period = period or Period(row.baseline_year, row.target_year, "", None)
    row.period = period_public(period, today)
    latest = row.actuals[-1] if row.actuals else None
    row.latest = latest
    row.next_update = latest.next_update if latest else None
    row.stale = is_stale(row.next_update, today)
    own = next((t for t in row.targets if t.year == period.target_year), None)
    row.period_target = own
    if period.ended(today):
        return _assess_outcome(row, period, own)
    numeric_targets = [(t.year, t.value) for t in row.targets if t.value is not None]
    final = max(numeric_targets) if numeric_targets else None
    if row.growth_kind is None and (row.baseline is None or final is None):
        row.status = "not_measurable"
        return row
    if latest is None or latest.year <= period.baseline_year or not period.started(today):
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
    falling = _falling(row, final[1] if final else None)
    on_track = latest.value <= expected if falling else latest.value >= expected
    row.status = "on_track" if on_track else "behind"
    return row


def _outcome_public(outcome: Outcome) -> OutcomePublic:
    return OutcomePublic(
        value=outcome.value,
        year=outcome.year,
        target=outcome.target,
        target_year=outcome.target_year,
        difference=outcome.difference,
        basis=outcome.basis,
        source=outcome.source,
        as_of=outcome.as_of,
    )


def _assess_outcome(
    row: IndicatorPublic, period: Period, own: IndicatorTargetPublic | None
) -> IndicatorPublic:
    """The final official figure of the period (its target year's, else the latest within
    the period) against the period's target."""
    target = own.value if own is not None else None
    if target is None and row.growth_kind == "cumulative" and row.target_year == period.target_year:
        target = row.growth_rate  # "[15]": the cumulative change is the target
    if target is None:
        row.status = "not_measurable"
        return row
    within = [a for a in row.actuals if period.baseline_year < a.year <= period.target_year]
    final = within[-1] if within else None
    outcome = judge_outcome(
        target=target,
        target_year=period.target_year,
        falling=_falling(row, target),
        value=final.value if final else None,
        year=final.year if final else None,
        basis="official" if final else None,
        source=final.source if final else None,
        as_of=final.as_of if final else None,
    )
    row.status = outcome.status
    if outcome.status != "no_data":
        row.outcome = _outcome_public(outcome)
    return row


def list_indicators(
    session: Session, *, today: date, period: str | None = None
) -> list[IndicatorPublic]:
    """Every row of 表1, each judged in its period (the current one unless ``period`` names
    another); memoized until the data changes (callers copy to mutate)."""
    if period is not None:
        period = require_period(list_periods(session), period).code
    return memoized(
        session,
        ("indicators", today, period),
        lambda: _list_indicators(session, today=today, period=period),
        reads=("indicators", "networks"),
    )


def _registry_fallback(session: Session, row: IndicatorPublic, *, today: date) -> None:
    """表1's 5G virtual private network row has no official count after 2020; the progress
    page then judges it on the platform's registry, and so does this row, so that every
    page gives one answer for it."""
    if row.code != INDICATOR_CODE or row.status != "no_data" or row.period is None:
        return
    judged = progress(session, today=today, period=row.period.code)
    if judged.status == "no_data":
        return
    row.status = judged.status
    outcome = judged.outcome
    if outcome is not None and outcome.status != "no_data":
        row.outcome = _outcome_public(outcome)


def _list_indicators(session: Session, *, today: date, period: str | None) -> list[IndicatorPublic]:
    actuals: dict[str, list[IndicatorActual]] = defaultdict(list)
    values = session.exec(
        select(IndicatorValue).order_by(
            col(IndicatorValue.indicator_code), col(IndicatorValue.year)
        )
    )
    for v in values:
        actuals[v.indicator_code].append(
            IndicatorActual(
                year=v.year,
                value=v.value,
                source=v.source,
                as_of=v.as_of,
                next_update=v.next_update,
            )
        )
    targets = _targets(session)
    periods = list_periods(session)
    rows = session.exec(select(Indicator).order_by(col(Indicator.sort)))
    result = []
    for row in rows:
        years = {t.year for t in targets[row.code]}
        if row.growth_kind == "cumulative":
            years.add(row.target_year)
        chosen = period_for(periods, years, today, period) if periods else None
        result.append(
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
                ),
                chosen,
                today=today,
            )
        )
        _registry_fallback(session, result[-1], today=today)
    return result


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


def value_errors(
    session: Session,
    *,
    code: str,
    year: int | None,
    value: float | None,
    source: str | None,
    as_of: date | None = None,
    next_update: date | None = None,
) -> dict[str, str]:
    """Why one official figure cannot be recorded (field → reason), for the form and the
    yearly statistics sheet alike."""
    errors: dict[str, str] = {}
    indicator = session.get(Indicator, code)
    if indicator is None:
        errors["indicator"] = _("请选择表1中的指标")
    _check_year(year, errors)
    if value is None:
        errors["value"] = _("请填写数值")
    elif indicator is not None and (reason := value_error(indicator, value)):
        errors["value"] = reason
    source = (source or "").strip()
    if not source:
        errors["source"] = _("请注明数据来源（文件、网址或发布机构）")
    elif reason := text_error(source):
        errors["source"] = reason
    if reason := update_error(as_of, next_update):
        errors["next_update"] = reason
    return errors


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
    as_of: date | None = None,
    next_update: date | None = None,
) -> IndicatorValue:
    """Enter (or correct) the official value of one indicator for one year, with when it
    was published and when the next is expected; audited."""
    authorize(session, principal, Action.INDICATOR_EDIT)
    assert principal is not None
    errors = value_errors(
        session,
        code=code,
        year=year,
        value=value,
        source=source,
        as_of=as_of,
        next_update=next_update,
    )
    if errors:
        raise FieldErrors(errors, status=400)
    assert year is not None and value is not None
    source = (source or "").strip()
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
    row.as_of, row.next_update = as_of, next_update
    session.add(row)
    session.flush()
    record(
        session,
        action="indicator.edited",
        now=now,
        actor=principal.user,
        entity="indicator",
        entity_id=code,
        detail={
            "year": year,
            "value": value,
            "source": source,
            "as_of": as_of.isoformat() if as_of else None,
            "next_update": next_update.isoformat() if next_update else None,
            "before": before,
        },
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
    period_name: str | None = None,
) -> IndicatorTarget:
    """Add or change the target of one indicator for a period's end year (e.g. 2030); a
    year no period ends in starts a new period, named ``period_name``, from ``source``."""
    authorize(session, principal, Action.INDICATOR_EDIT)
    assert principal is not None
    errors: dict[str, str] = {}
    indicator = session.get(Indicator, code)
    if indicator is None:
        errors["indicator"] = _("请选择表1中的指标")
    _check_year(year, errors, low=2021)
    last = session.exec(select(func.max(PlanPeriod.target_year))).one()
    new_period = year is not None and session.get(PlanPeriod, year) is None
    if (
        "year" not in errors
        and new_period
        and last is not None
        and year is not None
        and year <= last
    ):
        errors["year"] = _("目标年份应为某一规划期的末年，或晚于 {last} 年（新一期规划）").format(
            last=last
        )
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
    assert source is not None
    ensure_period(session, target_year=year, name=period_name, source=source)
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


def ensure_period(
    session: Session, *, target_year: int, name: str | None, source: str
) -> PlanPeriod:
    """The period ending in ``target_year``; a new one starts where the last earlier one
    ended (or at 表1's baseline)."""
    period = session.get(PlanPeriod, target_year)
    if period is not None:
        return period
    earlier = session.exec(
        select(PlanPeriod)
        .where(PlanPeriod.target_year < target_year)
        .order_by(col(PlanPeriod.target_year).desc())
    ).first()
    baseline_year = earlier.target_year if earlier else target_year - 5
    period = PlanPeriod(
        target_year=target_year,
        baseline_year=baseline_year,
        name=(name or "").strip()[:100] or f"{baseline_year + 1}–{target_year} 年规划",
        source=source[:300],
    )
    session.add(period)
    session.flush()
    return period
