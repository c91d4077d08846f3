from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.models import IndicatorValue
from tests.factories import make_user
from tests.support.web import sign_in


def test_page_shows_status_chart_data_and_no_form_for_visitors(client: TestClient) -> None:
    page = client.get("/indicators")
    assert page.status_code == 200
    assert "data-chart-sets=" in page.text and "状态" in page.text
    assert "录入年度数值" not in page.text


def test_official_enters_a_yearly_value(client: TestClient, session: Session) -> None:
    token = sign_in(client, make_user(session, role="official").email)
    assert "录入年度数值" in client.get("/indicators").text
    response = client.post(
        "/indicators/values",
        data={"csrf_token": token, "indicator": "private_networks_5g", "year": "2024",
              "value": "210", "source": "省通信管理局通报"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    value = session.exec(
        select(IndicatorValue).where(
            IndicatorValue.indicator_code == "private_networks_5g", IndicatorValue.year == 2024
        )
    ).one()
    assert value.value == 210
    bad = client.post("/indicators/values", data={"csrf_token": token, "indicator": "x"})
    assert bad.status_code == 400 and "field-error" in bad.text


def test_numbers_that_are_not_finite_or_not_ascii_are_refused_beside_the_field(
    client: TestClient, session: Session
) -> None:
    token = sign_in(client, make_user(session, role="official").email)
    for year, value in (("2024", "1e309"), ("2024", "NaN"), ("²⁰²⁴", "210")):
        response = client.post(
            "/indicators/values",
            data={"csrf_token": token, "indicator": "private_networks_5g", "year": year,
                  "value": value, "source": "测试"},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 400, (year, value)
        assert "field-error" in response.text
    stored = select(IndicatorValue).where(
        IndicatorValue.indicator_code == "private_networks_5g", IndicatorValue.year == 2024
    )
    assert session.exec(stored).first() is None


def test_a_negative_count_is_refused_beside_the_field(client: TestClient, session: Session) -> None:
    token = sign_in(client, make_user(session, role="official").email)
    data = {"csrf_token": token, "year": "2024", "source": "测试"}
    response = client.post(
        "/indicators/values", data={**data, "indicator": "private_networks_5g", "value": "-1"}
    )
    assert response.status_code == 400
    assert 'id="f-value-error"' in response.text and "不能为负数" in response.text
    drop = client.post(
        "/indicators/values",
        data={**data, "indicator": "energy_per_business_drop", "value": "-2.5"},
        follow_redirects=False,
    )
    assert drop.status_code == 303


def test_an_official_figure_has_its_dates_and_a_new_period_its_document(
    client: TestClient, session: Session
) -> None:
    token = sign_in(client, make_user(session, role="official").email)
    done = client.post(
        "/indicators/values",
        data={"csrf_token": token, "indicator": "private_networks_5g", "year": "2025",
              "value": "290", "source": "省通信管理局", "as_of": "2026/3/15",
              "next_update": "2027-03-31"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    value = session.exec(
        select(IndicatorValue).where(
            IndicatorValue.indicator_code == "private_networks_5g", IndicatorValue.year == 2025
        )
    ).one()
    assert (str(value.as_of), str(value.next_update)) == ("2026-03-15", "2027-03-31")
    bad = client.post(
        "/indicators/values",
        data={"csrf_token": token, "indicator": "private_networks_5g", "year": "2025",
              "value": "290", "source": "局", "as_of": "三月"},
    )  # fmt: skip
    assert bad.status_code == 400 and "“三月”不是日期" in bad.text
    added = client.post(
        "/indicators/targets",
        data={"csrf_token": token, "indicator": "private_networks_5g", "year": "2030",
              "value": "800", "source": "《“十五五”规划》", "period_name": "“十五五”"},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303
    page = client.get("/indicators").text
    assert "2026–2030 年“十五五”" in page and "?period=2021-2025" in page
    progress = client.get("/progress").text
    assert 'data-testid="period-current">2026–2030 年“十五五”' in progress
