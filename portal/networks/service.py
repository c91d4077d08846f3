"""5G industry private networks: the registry, declarations and their confirmation, and the
progress of the plan's indicator 16 (5G虚拟专网数: 66 in 2020 → 300 in 2025).

Every way a network is written — the form, an enterprise's declaration, a CSV/XLSX file and
``portal import`` — goes through the JSON Lines importer's ``network`` record, so the three
paths check the same things and say the same words.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from portal.audit.service import record
from portal.auth.permissions import Action, Principal, authorize, can
from portal.clock import local_today
from portal.dashboards.cache import memoized
from portal.dashboards.cubes import (
    NetworkOperatorCell,
    NetworkPlaceCell,
    counted_networks_filter,
    network_cube,
    total_by,
)
from portal.imports.service import ImportReport, import_lines, missing_demand
from portal.indicators.periods import (
    Outcome,
    Period,
    judge_outcome,
    list_periods,
    period_for,
    require_period,
)
from portal.indicators.trajectory import annual_rate, expected_path, fit_trend, needed_per_year
from portal.kit.errors import FieldErrors, Forbidden, NotFound
from portal.kit.i18n import N_, _
from portal.kit.pagination import Page
from portal.models import (
    Demand,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Membership,
    Organization,
    PrivateNetwork,
    User,
)
from portal.reference.vocab import get_vocabularies

INDICATOR_CODE = "private_networks_5g"
REGISTRY_SOURCE = N_("本平台专网登记（经主管部门确认、在用的虚拟/混合专网）")

# The fields of a network record, in the order of the import format, with their labels.
FIELD_LABELS = {
    "external_id": N_("专网编号"),
    "name": N_("专网名称"),
    "enterprise": N_("企业"),
    "operator": N_("运营商"),
    "industry": N_("行业"),
    "city": N_("城市"),
    "zone": N_("试点区域"),
    "mode": N_("模式"),
    "status": N_("状态"),
    "commissioned_on": N_("开通日期"),
    "demand": N_("来源需求"),
}
REQUIRED_FIELDS = ("name", "enterprise", "operator", "industry", "city", "mode", "status")


def count_registered_in_service(session: Session, *, born_from_portal: bool = False) -> int:
    """The networks indicator 16 counts; with ``born_from_portal``, only those an
    introduction of this portal reached (network_live)."""
    statement = select(func.count()).select_from(PrivateNetwork).where(*counted_networks_filter())
    if born_from_portal:
        statement = statement.where(col(PrivateNetwork.introduction_id).is_not(None))
    return int(session.exec(statement).one())


# --- writing through the importer ------------------------------------------------------


def apply_records(
    session: Session,
    records: list[dict[str, Any]],
    *,
    dry_run: bool = False,
    today: date | None = None,
) -> ImportReport:
    """Check ``network`` records with the importer and apply them — or, on a dry run or an
    error, leave the database as it was (a savepoint). Line N of the report is records[N-1]."""
    lines = [json.dumps({"type": "network", **r}, ensure_ascii=False) for r in records]
    savepoint = session.begin_nested()
    report = import_lines(session, lines, dry_run=dry_run, today=today)
    if dry_run or not report.ok:
        savepoint.rollback()
    else:
        savepoint.commit()
        report.applied = True
    return report


def _errors_of(report: ImportReport) -> dict[str, str]:
    errors: dict[str, str] = {}
    for issue in report.issues:
        errors.setdefault(issue.field or "form", issue.message)
    return errors


def _form_record(values: dict[str, Any]) -> dict[str, Any]:
    record_: dict[str, Any] = {}
    for name in FIELD_LABELS:
        value = values.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value in ("", None):
            if name in REQUIRED_FIELDS:
                record_[name] = ""  # the importer says "不能为空"
            continue
        record_[name] = value
    return record_


def _find(session: Session, external_id: str) -> PrivateNetwork:
    row = session.exec(
        select(PrivateNetwork).where(PrivateNetwork.external_id == external_id)
    ).first()
    assert row is not None
    return row


def _own_demand(session: Session, org: Organization, external_id: str | None) -> bool:
    """Whether an enterprise may link its network to this demand: only one of its own
    organisation's (or none). Officials link any demand; another organisation's, above
    all an anonymous one, is refused in the words of a demand that does not exist."""
    if external_id is None:
        return True
    statement = select(Demand.id).where(Demand.external_id == external_id, Demand.org_id == org.id)
    return session.exec(statement).first() is not None


def enterprise_org(session: Session, user: User) -> Organization | None:
    """The enterprise an enterprise user belongs to (their declarations are its networks)."""
    if user.id is None:
        return None
    return session.exec(
        select(Organization)
        .join(Membership, col(Membership.org_id) == col(Organization.id))
        .where(Membership.user_id == user.id, Organization.kind == "enterprise")
        .order_by(col(Organization.id))
    ).first()


def save_network(
    session: Session,
    *,
    principal: Principal | None,
    values: dict[str, Any],
    network: PrivateNetwork | None = None,
    now: datetime,
    ip: str | None = None,
) -> PrivateNetwork:
    """Create or edit a network from the form.

    An official's network is confirmed on creation; an edit keeps the confirmation as it
    was. An enterprise declares a network of its own organisation, unconfirmed until an
    official confirms it, and may edit it while it is unconfirmed."""
    official = can(session, principal, Action.NETWORK_MANAGE)
    org: Organization | None = None
    if not official:
        if principal is None:
            authorize(session, principal, Action.NETWORK_DECLARE)
        assert principal is not None
        org = enterprise_org(session, principal.user)
        authorize(session, principal, Action.NETWORK_DECLARE, org=org)
        assert org is not None
        if network is not None and (network.org_id != org.id or network.confirmed):
            raise Forbidden(_("已确认或不属于本企业的专网只能由主管部门修改"))
        values = {**values, "enterprise": org.external_id}
    assert principal is not None
    record_ = _form_record(values)
    if network is not None:
        record_["external_id"] = network.external_id
    elif not record_.get("external_id"):
        prefix = "decl" if org is not None else "net"
        record_["external_id"] = f"{prefix}-{secrets.token_hex(6)}"
    elif session.exec(
        select(PrivateNetwork.id).where(PrivateNetwork.external_id == record_["external_id"])
    ).first():
        raise FieldErrors({"external_id": _("该专网编号已被使用")}, status=400)
    was_confirmed = network.confirmed if network is not None else None
    refused_demand = None
    if org is not None and not _own_demand(session, org, record_.get("demand")):
        # Checked without the link, so the rest of the form is judged all the same.
        refused_demand = record_.pop("demand")
    report = apply_records(
        session, [record_], dry_run=refused_demand is not None, today=local_today(now)
    )
    errors = _errors_of(report)
    if refused_demand is not None:
        errors["demand"] = missing_demand(refused_demand)
    if errors:
        raise FieldErrors(errors, status=400)
    row = _find(session, record_["external_id"])
    if org is not None:
        row.confirmed, row.org_id, row.enterprise = False, org.id, org.name
    elif was_confirmed is not None:
        row.confirmed = was_confirmed
    session.add(row)
    session.flush()
    action = (
        "network.declared"
        if org is not None and network is None
        else ("network.created" if network is None else "network.updated")
    )
    record(
        session,
        action=action,
        now=now,
        actor=principal.user,
        entity="network",
        entity_id=row.id,
        detail={"external_id": row.external_id, "name": row.name},
        ip=ip,
    )
    return row


def confirm_network(
    session: Session,
    *,
    principal: Principal | None,
    network: PrivateNetwork,
    now: datetime,
    ip: str | None = None,
) -> PrivateNetwork:
    authorize(session, principal, Action.NETWORK_MANAGE)
    assert principal is not None
    if not network.confirmed:
        network.confirmed = True
        session.add(network)
        session.flush()
        record(
            session,
            action="network.confirmed",
            now=now,
            actor=principal.user,
            entity="network",
            entity_id=network.id,
            detail={"external_id": network.external_id, "name": network.name},
            ip=ip,
        )
    return network


def get_network(session: Session, network_id: int) -> PrivateNetwork:
    row = session.get(PrivateNetwork, network_id)
    if row is None:
        raise NotFound(_("找不到该专网"))
    return row


def form_values(session: Session, network: PrivateNetwork) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(network, name, None) for name in FIELD_LABELS}
    org = session.get(Organization, network.org_id) if network.org_id else None
    values["enterprise"] = org.external_id if org else network.enterprise
    demand = session.get(Demand, network.demand_id) if network.demand_id else None
    values["demand"] = demand.external_id if demand else ""
    values["commissioned_on"] = (
        network.commissioned_on.isoformat() if network.commissioned_on else ""
    )
    return {k: ("" if v is None else v) for k, v in values.items()}


def list_networks(
    session: Session,
    *,
    org_id: int | None = None,
    confirmed: bool | None = None,
    city: str | None = None,
    industry: str | None = None,
    status: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[PrivateNetwork]:
    conditions: list[Any] = []
    if org_id is not None:
        conditions.append(PrivateNetwork.org_id == org_id)
    if confirmed is not None:
        conditions.append(col(PrivateNetwork.confirmed).is_(confirmed))
    if city:
        conditions.append(PrivateNetwork.city == city)
    if industry:
        conditions.append(PrivateNetwork.industry == industry)
    if status:
        conditions.append(PrivateNetwork.status == status)
    total = session.exec(select(func.count()).select_from(PrivateNetwork).where(*conditions)).one()
    rows = session.exec(
        select(PrivateNetwork)
        .where(*conditions)
        .order_by(col(PrivateNetwork.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(items=list(rows), total=int(total), page=page, per_page=per_page)


# --- progress to the target -------------------------------------------------------------


@dataclass(frozen=True)
class Actual:
    """An indicator value, detached from any session (progress figures are memoized)."""

    year: int
    value: float
    source: str | None
    as_of: date | None = None
    next_update: date | None = None


@dataclass
class YearPoint:
    year: int
    expected: float | None
    official: float | None
    registered: int | None  # cumulative, in service now, by year commissioned


@dataclass
class Progress:
    name: str
    unit: str
    baseline: float
    baseline_year: int
    target: float
    target_year: int
    targets: list[tuple[int, float]]
    target_source: str | None
    official: Actual | None
    registered_in_service: int
    born_from_portal: int  # of those, linked to an introduction that reached network_live
    expected: dict[int, float]
    implied_rate: float | None
    by_city: dict[str, int]
    by_industry: dict[str, int]
    by_operator: dict[str, int]
    by_year: dict[int, int]  # newly commissioned per year (in service now)
    undated: int  # in service, commissioning date unknown
    as_of: date
    series: list[YearPoint] = field(default_factory=list)
    needed_per_year: float | None = None
    needed_rate: float | None = None
    forecast: float | None = None
    forecast_rate: float | None = None
    forecast_basis: str | None = None
    # Added by issue 17: the period shown, how it stands, and the periods one click away.
    period: Period | None = None
    ended: bool = False
    status: str = "no_data"  # achieved | missed | on_track | behind | no_data
    status_basis: str | None = None  # official | registered
    outcome: Outcome | None = None
    periods: list[Period] = field(default_factory=list)
    registered_by_target_year: int = 0  # in service now, commissioned by the period's end

    @property
    def gap(self) -> float | None:
        """The official statistic minus the platform's registered count."""
        return None if self.official is None else self.official.value - self.registered_in_service

    @property
    def current(self) -> tuple[int, float]:
        if self.official is not None and self.official.value >= self.registered_in_service:
            return self.official.year, self.official.value
        return self.as_of.year, float(self.registered_in_service)

    @property
    def forecast_on_track(self) -> bool | None:
        return None if self.forecast is None else self.forecast >= self.target

    @property
    def progress_percent(self) -> float | None:
        if self.official is None or not self.target:
            return None
        return round(100 * self.official.value / self.target, 1)


def _with_all_codes(vocabulary: str, counts: dict[str, int]) -> dict[str, int]:
    codes = get_vocabularies().codes(vocabulary)
    result = {code: counts.get(code, 0) for code in codes}
    result.update({k: v for k, v in counts.items() if k not in result})  # never lose a row
    return result


def progress(session: Session, *, today: date, period: str | None = None) -> Progress:
    """Everything the progress page, the dashboard, the report and the API say about
    indicator 16 in the current plan period (or the one ``period`` names), from a handful
    of SQL aggregates (memoized until the data changes)."""
    if period is not None:
        period = require_period(list_periods(session), period).code
    return memoized(
        session,
        ("progress", today, period),
        lambda: _progress(session, today=today, period=period),
        reads=("networks", "indicators"),
    )


def _progress(session: Session, *, today: date, period: str | None = None) -> Progress:
    indicator = session.get(Indicator, INDICATOR_CODE)
    assert indicator is not None and indicator.baseline is not None
    targets = session.exec(
        select(IndicatorTarget)
        .where(IndicatorTarget.indicator_code == INDICATOR_CODE)
        .order_by(col(IndicatorTarget.year))
    ).all()
    numeric = [(t.year, t.value) for t in targets if t.value is not None]
    if not numeric and indicator.target is not None:
        numeric = [(indicator.target_year, indicator.target)]
    periods = list_periods(session) or [
        Period(indicator.baseline_year, indicator.target_year, "", None)
    ]
    shown = period_for(periods, {y for y, _ in numeric}, today, period)
    current_target = next(((y, v) for y, v in numeric if y == shown.target_year), numeric[-1])
    target_row = next((t for t in targets if t.year == current_target[0]), None)
    anchors = [(indicator.baseline_year, indicator.baseline), *numeric]
    expected = expected_path(anchors)
    previous = max(
        ((y, v) for y, v in anchors if y < current_target[0]), default=anchors[0]
    )  # the period's start
    actuals = session.exec(
        select(IndicatorValue)
        .where(IndicatorValue.indicator_code == INDICATOR_CODE)
        .order_by(col(IndicatorValue.year))
    ).all()
    # The official figure of the period: the latest after its baseline, up to its end.
    within = [a for a in actuals if shown.baseline_year < a.year <= shown.target_year]
    official = (
        Actual(
            within[-1].year,
            within[-1].value,
            within[-1].source,
            within[-1].as_of,
            within[-1].next_update,
        )
        if within
        else None
    )
    cube = network_cube(session)
    undated = sum(c.networks for c in cube.operators if c.year is None)
    by_year = dict(sorted(total_by(cube.operators, lambda c: c.year, lambda c: c.networks).items()))

    def by(dimension: str) -> dict[str, int]:
        cells: tuple[NetworkPlaceCell | NetworkOperatorCell, ...] = (
            cube.operators if dimension == "operator" else cube.places
        )
        counts = total_by(cells, lambda c: getattr(c, dimension), lambda c: c.networks)
        return _with_all_codes(dimension, counts)

    result = Progress(
        name=indicator.name,
        unit=indicator.unit,
        baseline=indicator.baseline,
        baseline_year=indicator.baseline_year,
        target=current_target[1],
        target_year=current_target[0],
        targets=numeric,
        target_source=target_row.source if target_row else None,
        official=official,
        registered_in_service=sum(by_year.values()) + undated,
        born_from_portal=count_registered_in_service(session, born_from_portal=True),
        expected=expected,
        implied_rate=annual_rate(previous[1], previous[0], current_target[1], current_target[0]),
        by_city=by("city"),
        by_industry=by("industry"),
        by_operator=by("operator"),
        by_year=by_year,
        undated=undated,
        as_of=today,
    )
    official_by_year = {v.year: v.value for v in actuals}
    first_year = min([indicator.baseline_year, *by_year, *official_by_year])
    last_year = max([*expected, today.year])
    cumulative = 0
    for year in range(first_year, last_year + 1):
        cumulative += by_year.get(year, 0)
        registered: int | None = None
        if year < today.year:
            registered = cumulative
        elif year == today.year:  # today: every network in service, dated or not
            registered = result.registered_in_service
        result.series.append(
            YearPoint(
                year=year,
                expected=round(expected[year], 2) if year in expected else None,
                official=official_by_year.get(year),
                registered=registered,
            )
        )
    result.period, result.periods = shown, periods
    result.ended = shown.ended(today)
    result.registered_by_target_year = undated + sum(
        n for y, n in by_year.items() if y <= shown.target_year
    )
    _judge(result, today)
    if result.ended:  # an outcome, not a countdown: no trajectory left to follow
        return result
    now_year, now_value = result.current
    result.needed_per_year = needed_per_year(now_value, now_year, result.target, result.target_year)
    result.needed_rate = annual_rate(now_value, now_year, result.target, result.target_year)
    # The trend: the official series when it has two years or more, else the registry's.
    trend = fit_trend(list(official_by_year.items()))
    basis = _("官方统计")
    if trend is None:
        trend = fit_trend([(p.year, p.registered) for p in result.series if p.registered])
        basis = _("平台登记")
    if trend is not None:
        result.forecast = round(trend.at(result.target_year), 1)
        result.forecast_rate = trend.rate
        result.forecast_basis = basis
    return result


def _judge(p: Progress, today: date) -> None:
    """The status of the period shown: on the official figure of the period when there is
    one, else on the registry (networks commissioned by the period's end, or now)."""
    assert p.period is not None
    if p.official is not None:
        basis, year, value = "official", p.official.year, p.official.value
        source, as_of = p.official.source, p.official.as_of
    elif p.ended:
        basis, year, value = "registered", p.period.target_year, p.registered_by_target_year
        source, as_of = REGISTRY_SOURCE, today
    else:
        basis, year, value = "registered", today.year, p.registered_in_service
        source, as_of = REGISTRY_SOURCE, today
    if p.ended:
        p.outcome = judge_outcome(
            target=p.target,
            target_year=p.target_year,
            falling=False,
            value=float(value),
            year=year,
            basis=basis,
            source=source,
            as_of=as_of,
        )
        p.status, p.status_basis = p.outcome.status, basis
        return
    if not p.period.started(today) or (basis == "registered" and value == 0):
        p.status, p.status_basis = "no_data", None
        return
    expected = p.expected.get(min(year, p.target_year))
    p.status_basis = basis
    p.status = "on_track" if expected is None or value >= expected - 1e-9 else "behind"
