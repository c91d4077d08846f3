"""The yearly statistics sheet: upload, validation report, nothing applied before confirming."""

import io
from datetime import date

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlmodel import Session, select

from portal.models import AuditLog, IndicatorValue
from tests.factories import make_user
from tests.support.web import csrf_of, sign_in

SHEET = """指标名称,年份,数值,来源,发布日期,下次更新
5G虚拟专网数,2025,286,湖南省通信管理局统计公报,2026-03-15,2027-03-31
其中：基础电信企业收入,2025,640.5,湖南省通信管理局,2026/3/15,
5G虚拟专网,2025,10,某来源,,
5G基站数,二〇二五,16,某来源,,
5G基站数,2025,-1,某来源,,
5G虚拟专网数,2025,290,重复,,
"""


def _upload(client: TestClient, token: str, name: str, content: bytes) -> str:
    response = client.post(
        "/indicators/import",
        data={"csrf_token": token},
        files={"file": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def _value(session: Session, code: str, year: int) -> IndicatorValue | None:
    return session.exec(
        select(IndicatorValue).where(
            IndicatorValue.indicator_code == code, IndicatorValue.year == year
        )
    ).first()


def test_a_sheet_is_checked_then_applied_on_confirmation(
    client: TestClient, session: Session
) -> None:
    token = sign_in(client, make_user(session, role="official").email)
    assert client.get("/indicators/import").status_code == 200
    review_url = _upload(client, token, "2025年统计.csv", SHEET.encode("utf-8"))
    review = client.get(review_url)
    assert 'data-testid="good-count">2<' in review.text
    assert 'data-testid="bad-count">4<' in review.text
    for words in ("表1中没有“5G虚拟专网”", "“二〇二五”不是年份", "不能为负数", "与第 2 行重复"):
        assert words in review.text, words
    assert _value(session, "private_networks_5g", 2025) is None  # nothing before confirming
    done = client.post(
        review_url + "/confirm", data={"csrf_token": csrf_of(review.text)}, follow_redirects=False
    )
    assert done.status_code == 303 and "imported=2" in done.headers["location"]
    vpn = _value(session, "private_networks_5g", 2025)
    assert vpn is not None and (vpn.value, vpn.source) == (286, "湖南省通信管理局统计公报")
    assert (vpn.as_of, vpn.next_update) == (date(2026, 3, 15), date(2027, 3, 31))
    telecom = _value(session, "ict_revenue_telecom", 2025)
    assert telecom is not None and telecom.value == 640.5 and telecom.as_of == date(2026, 3, 15)
    actions = session.exec(select(AuditLog.action)).all()
    assert actions.count("indicator.edited") == 2 and "indicator.sheet_imported" in actions
    again = client.post(review_url + "/confirm", data={"csrf_token": csrf_of(review.text)})
    assert again.status_code == 400 and "已经导入" in again.text


def test_an_xlsx_sheet_and_missing_columns(client: TestClient, session: Session) -> None:
    token = sign_in(client, make_user(session, role="official").email)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["指标名称", "年份", "数值", "来源"])
    sheet.append(["5G基站数", 2025, 16.2, "省通信管理局"])
    buffer = io.BytesIO()
    book.save(buffer)
    review = client.get(_upload(client, token, "统计.xlsx", buffer.getvalue()))
    assert 'data-testid="good-count">1<' in review.text
    missing = client.get(_upload(client, token, "a.csv", "指标名称,数值\n5G基站数,1\n".encode()))
    assert "缺少必填的列：年份、来源" in missing.text


def test_only_officials_upload_sheets(client: TestClient, session: Session) -> None:
    token = sign_in(client, make_user(session, role="enterprise").email)
    response = client.post(
        "/indicators/import",
        data={"csrf_token": token},
        files={"file": ("a.csv", SHEET.encode("utf-8"), "text/csv")},
    )
    assert response.status_code == 403
    too_big = b"x" * (5 * 1024 * 1024 + 10)
    token = sign_in(client, make_user(session, role="official").email)
    refused = client.post(
        "/indicators/import",
        data={"csrf_token": token},
        files={"file": ("a.csv", too_big, "text/csv")},
    )
    assert refused.status_code == 400 and "文件过大（最多 5 MB）" in refused.text
