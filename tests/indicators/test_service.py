from datetime import UTC, date, datetime
from functools import partial

import pytest
from sqlmodel import Session, select

from portal.auth.permissions import Principal
from portal.indicators import service
from portal.indicators.trajectory import annual_rate, expected_path, fit_trend, implied_expected
from portal.kit.errors import FieldErrors, Forbidden
from portal.models import AuditLog, IndicatorValue
from tests.factories import make_user

NOW = datetime(2026, 3, 1, tzinfo=UTC)
TODAY = date(2024, 6, 1)  # within 表1's period 2021–2025


def row(session: Session, code: str):  # type: ignore[no-untyped-def]
    return next(r for r in service.list_indicators(session, today=TODAY) if r.code == code)


def test_the_printed_growth_follows_from_66_and_300() -> None:
    assert round(100 * (annual_rate(66, 2020, 300, 2025) or 0), 1) == 35.4
    path = expected_path([(2020, 66), (2025, 300)])
    assert path[2020] == 66 and path[2025] == pytest.approx(300)


def test_trajectory_of_each_growth_kind() -> None:
    common = {"baseline_year": 2020, "target_year": 2025}
    annual = implied_expected(baseline=2.9, target=15, growth_kind="annual", growth=0.389,
                              year=2023, **common)  # fmt: skip
    assert annual == pytest.approx(2.9 * 1.389**3)
    cumulative = implied_expected(baseline=None, target=None, growth_kind="cumulative",
                                  growth=15, year=2022, **common)  # fmt: skip
    assert cumulative == pytest.approx(6)
    linear = implied_expected(baseline=1.79, target=1.55, growth_kind=None, growth=None,
                              year=2023, **common)  # fmt: skip
    assert linear == pytest.approx(1.79 - 0.24 * 3 / 5)
    trend = fit_trend([(2021, 100), (2022, 200), (2023, 400)])
    assert (
        trend is not None
        and trend.rate == pytest.approx(1)
        and trend.at(2024) == pytest.approx(800)
    )


def test_status_on_track_behind_and_falling_indicators(session: Session) -> None:
    session.add(IndicatorValue(indicator_code="mobile_data_per_user", year=2022, value=13))
    session.add(IndicatorValue(indicator_code="pue_operating_dc", year=2022, value=1.6))
    session.add(IndicatorValue(indicator_code="energy_per_business_drop", year=2022, value=7))
    session.flush()
    traffic = row(session, "mobile_data_per_user")
    assert traffic.status == "behind" and traffic.expected == pytest.approx(12 * 1.108**2, rel=1e-3)
    stations = row(session, "base_stations_5g")  # the public 2023 figure, with its source
    assert stations.latest is not None and stations.latest.year == 2023
    assert stations.latest.source and "hn.news.cn" in stations.latest.source
    assert stations.status == "on_track"
    assert row(session, "pue_operating_dc").status == "on_track"  # lower is better
    energy = row(session, "energy_per_business_drop")
    assert energy.status == "on_track" and energy.progress_percent == pytest.approx(46.7)
    assert row(session, "telecom_satisfaction").status == "not_measurable"


def test_officials_enter_values_audited(session: Session) -> None:
    official = Principal(user=make_user(session, role="official"))
    service.record_value(session, principal=official, code="private_networks_5g", year=2023,
                         value=180, source="省通信管理局", now=NOW)  # fmt: skip
    service.record_value(session, principal=official, code="private_networks_5g", year=2023,
                         value=182, source="省通信管理局（更正）", now=NOW)  # fmt: skip
    vpn = row(session, "private_networks_5g")
    assert vpn.latest is not None and (vpn.latest.year, vpn.latest.value) == (2023, 182)
    entries = session.exec(select(AuditLog).where(AuditLog.action == "indicator.edited")).all()
    assert entries[-1].detail["before"] == {"value": 180, "source": "省通信管理局"}
    with pytest.raises(FieldErrors) as refused:
        service.record_value(session, principal=official, code="nope", year=1900, value=None,
                             source="", now=NOW)  # fmt: skip
    assert set(refused.value.errors) == {"indicator", "year", "value", "source"}
    with pytest.raises(Forbidden):
        service.record_value(
            session,
            principal=Principal(user=make_user(session)),
            code="private_networks_5g",
            year=2023,
            value=1,
            source="x",
            now=NOW,
        )


def test_a_new_period_target_without_code(session: Session) -> None:
    official = Principal(user=make_user(session, role="official"))
    service.set_target(session, principal=official, code="private_networks_5g", year=2030,
                       value=600, printed=None, source="“十五五”规划", now=NOW)  # fmt: skip
    vpn = row(session, "private_networks_5g")
    assert [(t.year, t.value) for t in vpn.targets] == [(2025, 300), (2030, 600)]


@pytest.mark.parametrize(
    ("code", "value", "says"),
    [
        ("private_networks_5g", -1, "不能为负数"),
        ("iot_terminal_users", -0.5, "不能为负数"),
        ("interprovincial_bandwidth", -1, "不能为负数"),
        ("ict_revenue", -700, "不能为负数"),
        ("mobile_ipv6_traffic_share", -1, "不能为负数"),
        ("mobile_ipv6_traffic_share", 101, "不能大于 100"),
        ("village_5g_coverage", 120, "不能大于 100"),
        ("pue_operating_dc", 0.9, "不能小于 1"),
        ("private_networks_5g", 0, None),
        ("penetration_5g_users", 101, None),  # users per hundred people may pass 100
        ("pue_operating_dc", 1.3, None),
        ("energy_per_business_drop", -2.5, None),  # a "drop" is negative when use rose
        ("energy_per_business_drop", 101, "不能大于 100"),
    ],
)
def test_values_an_indicator_cannot_take_are_refused(
    session: Session, code: str, value: float, says: str | None
) -> None:
    official = Principal(user=make_user(session, role="official"))
    given = {"principal": official, "code": code, "year": 2030, "value": value,
             "source": "测试", "now": NOW}  # fmt: skip
    for write in (partial(service.record_value), partial(service.set_target, printed=None)):
        if says is None:
            write(session, **given)
            continue
        with pytest.raises(FieldErrors) as refused:
            write(session, **given)
        assert says in refused.value.errors["value"], write
