from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.clock import FrozenClock
from portal.indicators.periods import STATUS_LABELS
from portal.models import IndicatorValue


def test_indicators_api_has_every_row_with_printed_values(client: TestClient) -> None:
    rows = client.get("/api/v1/indicators").json()
    assert len(rows) == 24
    vpn = next(r for r in rows if r["name"] == "5G虚拟专网数")
    assert vpn["baseline"] == 66 and vpn["baseline_year"] == 2020
    assert vpn["target"] == 300 and vpn["target_year"] == 2025
    assert vpn["growth"] == "35.4%"
    assert [(a["year"], a["value"]) for a in vpn["actuals"]] == [(2020, 66.0)]
    energy = next(r for r in rows if r["code"] == "energy_per_business_drop")
    assert (energy["baseline"], energy["baseline_printed"], energy["growth"]) == (None, "-", "[15]")


def test_new_actuals_appear_in_year_order(client: TestClient, session: Session) -> None:
    session.add(
        IndicatorValue(indicator_code="private_networks_5g", year=2022, value=150, source="测试")
    )
    session.flush()
    vpn = next(
        r for r in client.get("/api/v1/indicators").json() if r["code"] == "private_networks_5g"
    )
    assert [a["year"] for a in vpn["actuals"]] == [2020, 2022]


def test_indicators_page_lists_table_1(client: TestClient) -> None:
    page = client.get("/indicators")
    assert page.status_code == 200
    assert "5G虚拟专网数" in page.text and "35.4%" in page.text and "[15]" in page.text


def test_every_row_has_its_period_status_and_next_update(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    session.add(IndicatorValue(indicator_code="private_networks_5g", year=2025, value=280,
                               source="省通信管理局", as_of=date(2026, 3, 1),
                               next_update=date(2027, 3, 31)))  # fmt: skip
    session.flush()
    clock.at = datetime(2026, 5, 1, tzinfo=UTC)
    rows = client.get("/api/v1/indicators").json()
    vpn = next(r for r in rows if r["code"] == "private_networks_5g")
    assert vpn["period"] == {"code": "2021-2025", "name": "“十四五”", "baseline_year": 2020,
                             "target_year": 2025, "ended": True,
                             "source": "《湖南省“十四五”信息通信行业发展规划》表1"}  # fmt: skip
    assert vpn["status"] == "missed" and vpn["next_update"] == "2027-03-31"
    assert vpn["outcome"]["difference"] == -20 and vpn["stale"] is False
    assert all(r["status"] in STATUS_LABELS and r["period"] for r in rows)
    clock.at = datetime(2027, 4, 1, tzinfo=UTC)
    vpn = next(r for r in client.get("/api/v1/indicators").json() if r["code"] == vpn["code"])
    assert vpn["stale"] is True
    page = client.get("/indicators")
    assert 'data-testid="stale-private_networks_5g"' in page.text and "待更新" in page.text


def test_an_unknown_period_is_a_404_naming_the_known_ones(client: TestClient) -> None:
    for url in ("/api/v1/indicators", "/api/v1/networks/progress", "/progress", "/indicators"):
        response = client.get(url, params={"period": "1990-1995"})
        assert response.status_code == 404, url
        assert "现有：2021-2025" in response.text, url
    assert client.get("/progress", params={"period": "2021-2025"}).status_code == 200
