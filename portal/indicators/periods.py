"""Plan periods as the pages see them: which period is current, whether it has ended, and
how an indicator stands in it. Pure functions, apart from :func:`list_periods`.

A period runs from the year after its baseline to its target year (表1: 2020 → 2025, so
"2021–2025"). It is in progress until its target year is over — during the target year
itself the year's figure is not known yet — and ended from the first day of the next
year. An ended period has an outcome (achieved or missed, by how much); one in progress
has a trajectory (on track or behind).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from portal.kit.errors import NotFound
from portal.kit.i18n import N_, _
from portal.models import IndicatorTarget, PlanPeriod

ENDED_STATUSES = ("achieved", "missed")
STATUS_LABELS = {
    "achieved": N_("已达标"),
    "missed": N_("未达标"),
    "on_track": N_("按计划推进"),
    "behind": N_("落后于进度"),
    "no_data": N_("暂无新数据"),
    "not_measurable": N_("无法量化"),
}
BASIS_LABELS = {"official": N_("官方统计"), "registered": N_("平台登记")}
STALE_LABEL = N_("待更新")


@dataclass(frozen=True)
class Period:
    baseline_year: int
    target_year: int
    name: str
    source: str | None

    @property
    def code(self) -> str:
        """As in URLs and ``portal report --period``: "2021-2025"."""
        return f"{self.baseline_year + 1}-{self.target_year}"

    @property
    def label(self) -> str:
        return _("{first}–{last} 年").format(first=self.baseline_year + 1, last=self.target_year)

    def ended(self, today: date) -> bool:
        return today.year > self.target_year

    def started(self, today: date) -> bool:
        return today.year > self.baseline_year


def list_periods(session: Session) -> list[Period]:
    """The periods officials added, then one per later target year a target was loaded for
    without a period (``portal import``, an older database): a target is enough."""
    rows = session.exec(select(PlanPeriod).order_by(col(PlanPeriod.target_year))).all()
    periods = [Period(r.baseline_year, r.target_year, r.name, r.source) for r in rows]
    last = periods[-1].target_year if periods else None
    later = session.exec(
        select(IndicatorTarget.year, func.min(IndicatorTarget.source))
        .where(IndicatorTarget.year > (last or 0))
        .group_by(col(IndicatorTarget.year))
        .order_by(col(IndicatorTarget.year))
    ).all()
    for year, source in later:
        start = periods[-1].target_year if periods else year - 5
        periods.append(Period(start, year, "", source))
    return periods


def current_period(periods: Sequence[Period], today: date) -> Period:
    """The first period not yet ended; when all have ended, the last one."""
    assert periods, "the plan's own period is loaded with the reference data"
    return next((p for p in periods if not p.ended(today)), periods[-1])


def period_for(
    periods: Sequence[Period], target_years: set[int], today: date, wanted: str | None = None
) -> Period:
    """The period an indicator is shown in: the one asked for (``wanted`` code), else the
    current period when the indicator has a target in it, else the latest earlier period
    it has a target in (its outcome), else the current period."""
    if wanted is not None:
        chosen = find_period(periods, wanted)
        if chosen is not None:
            return chosen
    current = current_period(periods, today)
    if current.target_year in target_years:
        return current
    earlier = [p for p in periods if p.target_year < current.target_year]
    return next((p for p in reversed(earlier) if p.target_year in target_years), current)


def find_period(periods: Sequence[Period], code: str) -> Period | None:
    return next((p for p in periods if p.code == code), None)


def require_period(periods: Sequence[Period], code: str) -> Period:
    """The period ``code`` names (``?period=``, ``portal report --period``), or a 404 that
    lists the known ones."""
    period = find_period(periods, code)
    if period is None:
        known = "、".join(p.code for p in periods)
        raise NotFound(_("没有规划期“{code}”；现有：{known}").format(code=code, known=known))
    return period


def reached(value: float, target: float, *, falling: bool) -> bool:
    """Whether ``value`` meets ``target``; for a falling indicator (PUE), at or below it."""
    return value <= target if falling else value >= target


@dataclass(frozen=True)
class Outcome:
    """An ended period's result for one indicator: the final figure against the target."""

    status: str  # achieved | missed | no_data
    basis: str | None  # official | registered
    value: float | None
    year: int | None
    target: float
    target_year: int
    difference: float | None  # value − target
    source: str | None
    as_of: date | None

    @property
    def final(self) -> bool:
        """Whether the figure is for the target year itself (not an earlier year's)."""
        return self.year == self.target_year


def judge_outcome(
    *,
    target: float,
    target_year: int,
    falling: bool,
    value: float | None,
    year: int | None,
    basis: str | None,
    source: str | None,
    as_of: date | None,
) -> Outcome:
    if value is None:
        return Outcome("no_data", None, None, None, target, target_year, None, None, None)
    status = "achieved" if reached(value, target, falling=falling) else "missed"
    return Outcome(
        status, basis, value, year, target, target_year, round(value - target, 4), source, as_of
    )


def is_stale(next_update: date | None, today: date) -> bool:
    """A figure whose next expected update has passed is 待更新."""
    return next_update is not None and next_update < today
