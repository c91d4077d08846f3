"""Plan periods at their boundaries: before, during, the target year itself, after; no
official figure; a new period added."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from portal.auth.permissions import Principal
from portal.indicators import service
from portal.indicators.periods import Period, current_period, is_stale, period_for
from portal.kit.errors import FieldErrors
from portal.models import IndicatorValue
from portal.networks.service import progress
from tests.factories import make_network, make_user

NOW = datetime(2026, 3, 1, tzinfo=UTC)
PLAN = Period(2020, 2025, "“十四五”", "表1")
NEXT = Period(2025, 2030, "“十五五”", "“十五五”规划")


def vpn(session: Session, today: date, period: str | None = None):  # type: ignore[no-untyped-def]
    rows = service.list_indicators(session, today=today, period=period)
    return next(r for r in rows if r.code == "private_networks_5g")


def official(session: Session, year: int, value: float, **kw: object) -> None:
    session.add(
        IndicatorValue(
            indicator_code="private_networks_5g",
            year=year,
            value=value,
            source="省通信管理局",
            **kw,
        )
    )
    session.flush()


@pytest.mark.parametrize(
    ("today", "ended", "started"),
    [
        (date(2020, 6, 1), False, False),  # before: the baseline year
        (date(2023, 6, 1), False, True),  # during
        (date(2025, 12, 31), False, True),  # the target year itself: its figure is not out
        (date(2026, 1, 1), True, True),  # after
    ],
)
def test_a_period_ends_when_its_target_year_is_over(
    today: date, ended: bool, started: bool
) -> None:
    assert PLAN.ended(today) is ended and PLAN.started(today) is started
    assert PLAN.code == "2021-2025" and current_period([PLAN], today) == PLAN


def test_the_current_period_is_the_first_not_ended_else_the_last() -> None:
    assert current_period([PLAN, NEXT], date(2025, 12, 31)) == PLAN
    assert current_period([PLAN, NEXT], date(2026, 1, 1)) == NEXT
    assert current_period([PLAN, NEXT], date(2031, 1, 1)) == NEXT
    # An indicator without a target in the current period keeps its last period (its outcome).
    assert period_for([PLAN, NEXT], {2025}, date(2026, 1, 1)) == PLAN
    assert period_for([PLAN, NEXT], {2025, 2030}, date(2026, 1, 1)) == NEXT
    assert period_for([PLAN, NEXT], {2025, 2030}, date(2026, 1, 1), "2021-2025") == PLAN


def test_before_the_period_there_is_no_data(session: Session) -> None:
    row = vpn(session, date(2020, 6, 1))
    assert row.status == "no_data" and row.outcome is None
    assert row.period is not None and not row.period.ended


def test_during_the_period_the_trajectory_judges(session: Session) -> None:
    official(session, 2022, 150)  # the path is at 121.5 in 2022
    row = vpn(session, date(2023, 6, 1))
    assert row.status == "on_track" and row.outcome is None


def test_in_the_target_year_itself_it_is_still_in_progress(session: Session) -> None:
    official(session, 2024, 150)  # the path is at 221 in 2024
    row = vpn(session, date(2025, 12, 31))
    assert row.status == "behind" and row.outcome is None


def test_after_the_period_the_final_figure_meets_the_target_or_not(session: Session) -> None:
    official(session, 2024, 200)
    official(session, 2025, 310, as_of=date(2026, 3, 31))
    row = vpn(session, date(2026, 1, 1))
    assert row.status == "achieved" and row.period is not None and row.period.ended
    assert row.outcome is not None
    assert (row.outcome.value, row.outcome.year, row.outcome.difference) == (310, 2025, 10)
    assert row.outcome.source == "省通信管理局" and row.outcome.as_of == date(2026, 3, 31)


def test_after_the_period_a_shortfall_is_missed_by_how_much(session: Session) -> None:
    official(session, 2023, 180)  # no 2025 figure yet: the latest of the period counts
    row = vpn(session, date(2026, 1, 1))
    assert row.status == "missed" and row.outcome is not None
    assert (row.outcome.year, row.outcome.difference) == (2023, -120)


def test_after_the_period_without_an_official_figure_there_is_no_data(session: Session) -> None:
    rows = service.list_indicators(session, today=date(2026, 1, 1))
    row = next(r for r in rows if r.code == "pon_10g_ports")  # no figure of the period
    assert row.status == "no_data" and row.outcome is None


def test_without_an_official_count_the_network_row_is_judged_as_the_progress_page_judges(
    session: Session,
) -> None:
    """Row 16 has no official count after 2020: the progress page judges it on the
    platform's registry, and 表1 must say the same, not 暂无新数据."""
    make_network(session, commissioned_on=date(2024, 5, 1))
    today = date(2026, 1, 1)
    row = vpn(session, today)  # only 2020's 66, the baseline, and one registered network
    judged = progress(session, today=today)
    assert (row.status, judged.status) == ("missed", "missed")
    assert row.outcome is not None and row.outcome.basis == "registered"
    assert row.outcome.value == judged.registered_by_target_year
    assert row.outcome.difference == judged.registered_by_target_year - 300


def test_a_falling_indicator_is_achieved_at_or_below_its_target(session: Session) -> None:
    session.add(IndicatorValue(indicator_code="pue_operating_dc", year=2025, value=1.5))
    session.flush()
    rows = service.list_indicators(session, today=date(2026, 1, 1))
    pue = next(r for r in rows if r.code == "pue_operating_dc")
    assert pue.status == "achieved" and pue.outcome and pue.outcome.difference == -0.05


def test_a_new_period_added_is_followed_and_the_previous_stays_one_query_away(
    session: Session,
) -> None:
    official(session, 2025, 280)
    principal = Principal(user=make_user(session, role="official"))
    service.set_target(session, principal=principal, code="private_networks_5g", year=2030,
                       value=800, printed=None, source="“十五五”规划", period_name="“十五五”",
                       now=NOW)  # fmt: skip
    row = vpn(session, date(2026, 6, 1))
    assert row.period is not None
    assert (row.period.code, row.period.name, row.period.ended) == ("2026-2030", "“十五五”", False)
    assert row.period.source == "“十五五”规划" and row.status == "no_data"
    assert row.period_target is not None and row.period_target.value == 800
    before = vpn(session, date(2026, 6, 1), period="2021-2025")
    assert before.status == "missed" and before.outcome and before.outcome.difference == -20
    # Another indicator without a 2030 target keeps its 2021–2025 outcome.
    rows = service.list_indicators(session, today=date(2026, 6, 1))
    stations = next(r for r in rows if r.code == "base_stations_5g")
    assert stations.period is not None and stations.period.code == "2021-2025"


def test_a_target_year_inside_an_existing_period_is_refused(session: Session) -> None:
    principal = Principal(user=make_user(session, role="official"))
    with pytest.raises(FieldErrors) as refused:
        service.set_target(session, principal=principal, code="private_networks_5g", year=2023,
                           value=200, printed=None, source="某文件", now=NOW)  # fmt: skip
    assert "规划期的末年" in refused.value.errors["year"]


def test_a_figure_past_its_next_update_is_stale(session: Session) -> None:
    official(session, 2024, 200, as_of=date(2025, 3, 1), next_update=date(2026, 3, 31))
    assert not vpn(session, date(2026, 3, 31)).stale
    row = vpn(session, date(2026, 4, 1))
    assert row.stale and row.next_update == date(2026, 3, 31)
    assert is_stale(None, date(2030, 1, 1)) is False


def test_next_update_must_come_after_the_figure(session: Session) -> None:
    principal = Principal(user=make_user(session, role="official"))
    with pytest.raises(FieldErrors) as refused:
        service.record_value(session, principal=principal, code="private_networks_5g",
                             year=2024, value=200, source="局", as_of=date(2025, 3, 1),
                             next_update=date(2025, 1, 1), now=NOW)  # fmt: skip
    assert refused.value.errors == {"next_update": "下次更新日期应晚于发布日期"}
