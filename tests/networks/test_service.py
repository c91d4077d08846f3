from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, col, func, select

from portal.auth.permissions import Principal
from portal.kit.errors import FieldErrors, Forbidden
from portal.models import AuditLog, IndicatorTarget, IndicatorValue, PrivateNetwork
from portal.networks import service
from tests.factories import make_demand, make_network, make_org, make_user

NOW = datetime(2026, 3, 1, tzinfo=UTC)
TODAY = date(2024, 6, 1)


def official(session: Session) -> Principal:
    return Principal(user=make_user(session, role="official"))


def test_expected_is_the_plans_geometric_trajectory(session: Session) -> None:
    p = service.progress(session, today=TODAY)
    assert p.expected[2020] == pytest.approx(66) and p.expected[2025] == pytest.approx(300)
    for year in range(2020, 2026):
        assert p.expected[year] == pytest.approx(66 * (300 / 66) ** ((year - 2020) / 5))
    assert round(100 * p.implied_rate, 1) == 35.4  # the printed 35.4 %
    assert (p.target, p.target_year, p.baseline, p.baseline_year) == (300, 2025, 66, 2020)


def test_only_confirmed_virtual_or_hybrid_networks_in_service_count(session: Session) -> None:
    before = service.progress(session, today=TODAY)
    make_network(session, city="changsha", mode="virtual", commissioned_on=date(2023, 5, 1))
    make_network(session, city="changsha", mode="hybrid", operator="china_telecom")
    make_network(session, city="changsha", mode="independent")
    make_network(session, city="changsha", status="building")
    make_network(session, city="changsha", confirmed=False)
    p = service.progress(session, today=TODAY)
    assert p.registered_in_service == before.registered_in_service + 2
    assert p.by_city["changsha"] == before.by_city["changsha"] + 2
    assert p.by_operator["china_telecom"] == before.by_operator["china_telecom"] + 1
    assert len(p.by_city) == 14
    counted = session.exec(
        select(func.count()).select_from(PrivateNetwork).where(*service.counted_networks_filter())
    ).one()
    assert p.registered_in_service == counted == sum(p.by_city.values())


def test_gap_needed_per_year_and_forecast_from_the_official_series(session: Session) -> None:
    session.add(IndicatorValue(indicator_code="private_networks_5g", year=2022, value=110))
    session.add(IndicatorValue(indicator_code="private_networks_5g", year=2023, value=150))
    session.flush()
    p = service.progress(session, today=TODAY)
    assert p.official is not None and p.official.value == 150
    assert p.gap == 150 - p.registered_in_service
    assert p.needed_per_year == pytest.approx((300 - 150) / 2)
    assert p.forecast_basis == "官方统计" and p.forecast is not None and p.forecast > 150
    series = {s.year: s for s in p.series}
    assert series[2023].official == 150 and series[2025].registered is None


def test_a_2030_target_is_data(session: Session) -> None:
    session.add(IndicatorTarget(indicator_code="private_networks_5g", year=2030, value=600))
    session.flush()
    p = service.progress(session, today=date(2027, 1, 1))
    assert (p.target, p.target_year) == (600, 2030)
    assert p.expected[2025] == pytest.approx(300) and p.expected[2030] == pytest.approx(600)
    assert p.expected[2020] == pytest.approx(66)
    assert p.expected[2028] == pytest.approx(300 * 2 ** (3 / 5))


def test_official_creates_a_confirmed_network_linked_to_its_demand(session: Session) -> None:
    demand = make_demand(session)
    row = service.save_network(
        session,
        principal=official(session),
        values={
            "name": "测试专网",
            "enterprise": "某企业",
            "operator": "china_mobile",
            "industry": "ceramics",
            "city": "zhuzhou",
            "mode": "virtual",
            "status": "in_service",
            "commissioned_on": "2024-03-01",
            "demand": demand.external_id,
        },
        now=NOW,
    )
    assert row.confirmed and row.demand_id == demand.id
    assert row.commissioned_on == date(2024, 3, 1)


def test_the_form_says_what_is_wrong_in_the_importers_words(session: Session) -> None:
    with pytest.raises(FieldErrors) as refused:
        service.save_network(
            session,
            principal=official(session),
            values={"name": "x", "enterprise": "y", "operator": "mobile", "industry": "ceramics",
                    "city": "nowhere", "mode": "virtual", "status": "in_service"},
            now=NOW,
        )  # fmt: skip
    assert "未知代码" in refused.value.errors["operator"]
    assert "city" in refused.value.errors


def test_enterprise_declares_its_network_and_an_official_confirms_it(session: Session) -> None:
    org = make_org(session, kind="enterprise")
    enterprise = Principal(user=make_user(session, org=org))
    values = {"name": "申报专网", "operator": "china_unicom", "industry": "steel",
              "city": "loudi", "mode": "hybrid", "status": "in_service"}  # fmt: skip
    before = service.count_registered_in_service(session)
    row = service.save_network(session, principal=enterprise, values=values, now=NOW)
    assert not row.confirmed and row.org_id == org.id and row.enterprise == org.name
    assert service.count_registered_in_service(session) == before
    with pytest.raises(Forbidden):
        service.confirm_network(session, principal=enterprise, network=row, now=NOW)
    service.confirm_network(session, principal=official(session), network=row, now=NOW)
    assert service.count_registered_in_service(session) == before + 1
    audit = session.exec(
        select(AuditLog.action)
        .where(AuditLog.entity == "network", AuditLog.entity_id == str(row.id))
        .order_by(col(AuditLog.id))
    ).all()
    assert list(audit) == ["network.declared", "network.confirmed"]
    with pytest.raises(Forbidden):  # confirmed: only officials edit it now
        service.save_network(session, principal=enterprise, values=values, network=row, now=NOW)


def test_a_vendor_cannot_declare_a_network(session: Session) -> None:
    vendor = Principal(user=make_user(session, org=make_org(session, kind="integrator")))
    with pytest.raises(Forbidden):
        service.save_network(session, principal=vendor, values={"name": "x"}, now=NOW)


def test_official_edit_keeps_the_confirmation_state(session: Session) -> None:
    row = make_network(session, confirmed=False, external_id="pending-1")
    values = service.form_values(session, row)
    values["name"] = "改名后的专网"
    service.save_network(session, principal=official(session), values=values, network=row, now=NOW)
    session.refresh(row)
    assert row.name == "改名后的专网" and row.confirmed is False


# NOW is 2026-03-01 (UTC); in Hunan it may already be the 2nd.
@pytest.mark.parametrize(
    ("status", "day", "says"),
    [
        ("in_service", "1900-01-01", "2019-01-01"),
        ("in_service", "2018-12-31", "2019-01-01"),
        ("in_service", "2019-01-01", None),
        ("in_service", "2026-03-01", None),  # NOW's date in Hunan
        ("in_service", "2026-03-02", "今天"),
        ("retired", "2027-01-01", "今天"),
        ("building", "2026-12-31", None),
        ("planned", "2031-03-01", None),
        ("planned", "2031-03-02", "2031-03-01"),
        ("planned", "2099-01-01", "2031-03-01"),
    ],
)
def test_commissioning_dates_are_plausible(
    session: Session, status: str, day: str, says: str | None
) -> None:
    values = {"name": "日期专网", "enterprise": "某企业", "operator": "china_mobile",
              "industry": "steel", "city": "loudi", "mode": "virtual", "status": status,
              "commissioned_on": day}  # fmt: skip
    if says is None:
        row = service.save_network(session, principal=official(session), values=values, now=NOW)
        assert row.commissioned_on == date.fromisoformat(day)
        return
    with pytest.raises(FieldErrors) as refused:
        service.save_network(session, principal=official(session), values=values, now=NOW)
    assert says in refused.value.errors["commissioned_on"]


def test_a_progress_chart_does_not_start_in_1900(session: Session) -> None:
    values = {"name": "旧日期专网", "enterprise": "某企业", "operator": "china_mobile",
              "industry": "steel", "city": "loudi", "mode": "virtual", "status": "in_service",
              "commissioned_on": "1900-01-01"}  # fmt: skip
    with pytest.raises(FieldErrors):
        service.save_network(session, principal=official(session), values=values, now=NOW)
    assert service.progress(session, today=NOW.date()).series[0].year >= 2019


def test_an_enterprise_links_only_its_own_organisations_demands(session: Session) -> None:
    org = make_org(session, kind="enterprise")
    enterprise = Principal(user=make_user(session, org=org))
    own = make_demand(session, org=org)
    theirs = make_demand(session, anonymous=True, status="published")
    values = {"name": "申报专网", "operator": "china_unicom", "industry": "steel",
              "city": "loudi", "mode": "hybrid", "status": "in_service"}  # fmt: skip

    def refusal(demand: str, **more: str) -> dict[str, str]:
        with pytest.raises(FieldErrors) as refused:
            service.save_network(
                session, principal=enterprise, values={**values, "demand": demand, **more}, now=NOW
            )
        return refused.value.errors

    # Another organisation's (anonymous) demand reads as one that does not exist.
    other = refusal(theirs.external_id)
    missing = refusal("dem-nowhere")
    assert other == {"demand": missing["demand"].replace("dem-nowhere", theirs.external_id)}
    assert "找不到需求" in other["demand"]
    # … and the rest of the form is still checked at the same time.
    assert set(refusal(theirs.external_id, city="nowhere")) == {"demand", "city"}
    assert not session.exec(select(PrivateNetwork).where(PrivateNetwork.name == "申报专网")).all()
    row = service.save_network(
        session, principal=enterprise, values={**values, "demand": own.external_id}, now=NOW
    )
    assert row.demand_id == own.id
    # Officials link any demand.
    linked = service.save_network(
        session,
        principal=official(session),
        values={**values, "enterprise": "某企业", "demand": theirs.external_id},
        now=NOW,
    )
    assert linked.demand_id == theirs.id


# --- plan periods (issue 17) -------------------------------------------------------------


def test_after_the_period_without_an_official_figure_the_registry_judges(
    session: Session,
) -> None:
    make_network(session, commissioned_on=date(2025, 6, 1))
    make_network(session, commissioned_on=date(2026, 2, 1))  # after the period: not counted
    p = service.progress(session, today=date(2026, 3, 1))
    assert p.ended and p.period is not None and p.period.code == "2021-2025"
    assert p.official is None  # 2020's 66 is the baseline, not a figure of the period
    assert p.status == "missed" and p.status_basis == "registered"
    assert p.outcome is not None and p.outcome.value == p.registered_by_target_year
    assert p.registered_by_target_year == p.registered_in_service - 1
    assert p.outcome.difference == p.registered_by_target_year - 300
    # an outcome, not a countdown: no trajectory left to follow, no forecast
    assert p.needed_per_year is None and p.forecast is None


def test_after_the_period_the_official_figure_judges(session: Session) -> None:
    session.add(IndicatorValue(indicator_code="private_networks_5g", year=2025, value=320,
                               source="省通信管理局", as_of=date(2026, 4, 1)))  # fmt: skip
    session.flush()
    p = service.progress(session, today=date(2026, 5, 1))
    assert (p.status, p.status_basis) == ("achieved", "official")
    assert p.outcome is not None and (p.outcome.value, p.outcome.difference) == (320, 20)
    assert p.outcome.as_of == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("today", "status", "basis"),
    [
        (date(2020, 6, 1), "no_data", None),  # before the period
        (date(2023, 6, 1), "behind", "official"),  # 2022: 100 against the path's 121.5
        (date(2025, 12, 31), "behind", "official"),  # the target year itself: in progress
    ],
)
def test_during_the_period_the_trajectory_judges(
    session: Session, today: date, status: str, basis: str | None
) -> None:
    if today.year > 2020:
        session.add(IndicatorValue(indicator_code="private_networks_5g", year=2022, value=100))
        session.flush()
    p = service.progress(session, today=today)
    assert not p.ended and p.outcome is None
    assert (p.status, p.status_basis) == (status, basis)
    assert p.needed_per_year is not None


def test_a_new_period_is_followed_and_the_previous_outcome_stays(session: Session) -> None:
    from portal.indicators.service import set_target

    principal = official(session)
    set_target(session, principal=principal, code="private_networks_5g", year=2030, value=800,
               printed=None, source="“十五五”规划", now=NOW)  # fmt: skip
    p = service.progress(session, today=date(2026, 3, 1))
    assert p.period is not None and p.period.code == "2026-2030" and not p.ended
    assert (p.target, p.target_year, p.target_source) == (800, 2030, "“十五五”规划")
    assert [x.code for x in p.periods] == ["2021-2025", "2026-2030"]
    assert p.forecast is not None or p.forecast_basis is None
    before = service.progress(session, today=date(2026, 3, 1), period="2021-2025")
    assert before.ended and before.status == "missed" and before.target == 300
