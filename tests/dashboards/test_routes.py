import csv
import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from tests.factories import make_network, make_user
from tests.support.web import sign_in


def test_public_progress_page_shows_aggregates_with_sources(
    client: TestClient, session: Session
) -> None:
    make_network(session, name="某保密专网", enterprise="某保密企业")
    page = client.get("/progress")
    assert page.status_code == 200
    assert "某保密企业" not in page.text and "某保密专网" not in page.text
    assert "来源" in page.text and "数据截至" in page.text
    assert "data-chart=" in page.text and "35.4" in page.text


def test_exports_hold_the_numbers_on_screen(client: TestClient, session: Session) -> None:
    make_network(session, city="changde")
    csv_body = client.get("/exports/networks_by_city.csv")
    assert csv_body.headers["content-type"].startswith("text/csv")
    assert csv_body.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(csv_body.content.decode("utf-8-sig"))))
    assert rows[0] == ["代码", "名称", "专网数（个）"]
    by_city = {r[0]: int(r[2]) for r in rows[1:15]}
    api = client.get("/api/v1/networks/progress").json()["by_city"]
    assert by_city == api
    xlsx = client.get("/exports/networks_by_city.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert {r[0]: r[2] for r in sheet.iter_rows(min_row=2, values_only=True)} == api


def test_every_table_exports(client: TestClient, session: Session) -> None:
    for key in ("progress_summary", "progress_series", "networks_by_industry",
                "networks_by_operator", "zones", "cities", "clusters", "indicators"):  # fmt: skip
        for fmt in ("csv", "xlsx"):
            assert client.get(f"/exports/{key}.{fmt}").status_code == 200, key
    assert client.get("/exports/nothing.csv").status_code == 404


def test_dashboard_and_registry_export_are_for_officials(
    client: TestClient, session: Session
) -> None:
    # (A refused request rolls the test's session back, so the rows come after.)
    assert client.get("/exports/networks_registry.csv").status_code == 401
    sign_in(client, make_user(session).email)
    assert client.get("/dashboard").status_code == 403
    client.cookies.clear()
    make_network(session, name="待确认专网甲", confirmed=False)
    sign_in(client, make_user(session, role="official").email)
    page = client.get("/dashboard")
    assert page.status_code == 200 and "待确认专网甲" in page.text
    assert "待确认专网甲" in client.get("/exports/networks_pending.csv").content.decode("utf-8-sig")


def test_years_print_as_years_and_an_ended_period_shows_its_outcome(client: TestClient) -> None:
    page = client.get("/progress")  # the test clock is after 2025
    assert "2,020" not in page.text and "2,025" not in page.text
    assert '<th scope="row">2020</th>' in page.text
    assert 'data-testid="outcome"' in page.text and "未达标" in page.text
    assert "尚需每年新增" not in page.text and "预计约" not in page.text
