"""The evaluation report, read back: the PDF's text (pypdf) and the DOCX's tables
(python-docx) hold the same figures as the API."""

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

from docx import Document
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session
from typer.testing import CliRunner

from portal.cli import app as cli
from portal.clock import FrozenClock
from portal.indicators.periods import STATUS_LABELS
from portal.introductions import funnel as funnels
from portal.models import IndicatorValue
from tests.factories import make_network, make_user
from tests.support.web import sign_in


def _data(session: Session) -> None:
    make_network(session, city="zhuzhou", commissioned_on=date(2024, 5, 1))
    make_network(session, city="changsha", commissioned_on=date(2025, 7, 1))
    session.add(IndicatorValue(indicator_code="base_stations_5g", year=2025, value=15.6,
                               source="湖南省通信管理局公报", as_of=date(2026, 3, 20),
                               next_update=date(2026, 4, 1)))  # fmt: skip
    session.flush()


def _pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return "".join(text.split())


def _docx_tables(body: bytes) -> dict[str, list[list[str]]]:
    """Each table by its header and first cell ("代码|名称|专网数（个）|changde")."""
    document = Document(io.BytesIO(body))
    tables: dict[str, list[list[str]]] = {}
    for table in document.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        first = rows[1][0] if len(rows) > 1 else ""
        tables["|".join([*rows[0][:2], first])] = tables["|".join(rows[0][:2])] = rows
        tables["|".join([*rows[0], first])] = rows
    return tables


def test_the_report_holds_the_apis_figures_in_both_formats(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    _data(session)
    clock.at = datetime(2026, 5, 1, tzinfo=UTC)
    sign_in(client, make_user(session, role="official").email)
    progress = client.get("/api/v1/networks/progress").json()
    indicators = client.get("/api/v1/indicators").json()
    outcome = progress["outcome"]
    assert progress["status"] == "missed" and outcome["value"] == progress["registered_in_service"]

    pdf = client.get("/reports/2021-2025.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert 'filename="evaluation-2021-2025.pdf"' in pdf.headers["content-disposition"]
    text = _pdf_text(pdf.content)
    flat = _flat(text)
    assert "2021–2025年总结评估报告" in flat
    assert (
        f"期末平台登记{outcome['value']:g}个（2025年），未达标，距目标差{-outcome['difference']:g}个"
        in flat
    )
    for row in indicators:  # every row of 表1, by its printed name, with its status
        assert _flat(row["name"]) in flat, row["name"]
    stations = next(r for r in indicators if r["code"] == "base_stations_5g")
    assert stations["status"] == "achieved" and stations["outcome"]["difference"] == 0.6
    assert "湖南省通信管理局公报" in flat and "待更新" in flat
    assert "2,020" not in text and "2,025" not in text
    reader = PdfReader(io.BytesIO(pdf.content))
    fonts = reader.pages[1]["/Resources"]["/Font"]
    chinese = [f.get_object() for f in fonts.values() if "WenQuanYi" in f.get_object()["/BaseFont"]]
    # the font travels with the PDF (subset, TrueType)
    assert chinese and all("/FontFile2" in f["/FontDescriptor"].get_object() for f in chinese)

    docx = client.get("/reports/2021-2025.docx")
    assert docx.status_code == 200
    tables = _docx_tables(docx.content)
    table1 = tables["序号|指标名称"]
    status_of = {r[1]: r[table1[0].index("状态")] for r in table1[1:]}
    assert status_of == {r["name"]: STATUS_LABELS[r["status"]] for r in indicators}
    row = next(r for r in table1 if r[1] == "5G基站数")
    header = table1[0]
    assert row[header.index("最新/期末实际值")] == "15.6"
    assert row[header.index("实际值年份")] == "2025"
    assert row[header.index("与目标之差 / 进度（%）")] == "0.6"
    summary = {r[0]: r[1] for r in tables["项目|数值"][1:]}
    assert summary["平台登记在用（个）"] == str(progress["registered_in_service"])
    assert summary["期末结果：未达标（平台登记，个）"] == f"{outcome['value']:g}"
    assert summary["与目标之差（个）"] == f"{outcome['difference']:g}"
    by_city = {r[0]: int(r[2]) for r in tables["代码|名称|专网数（个）|changsha"][1:]}
    assert by_city == progress["by_city"]
    stages = funnels.rows(funnels.compute(session, now=clock.now()))
    assert [r[:2] for r in tables["阶段|到达数"][1:]] == [[r[0], str(r[1])] for r in stages]
    years = tables["年份|规划轨迹（个）"]
    assert [r[0] for r in years[1:3]] == ["2020", "2021"]


def test_the_report_is_for_officials_and_names_unknown_periods(
    client: TestClient, session: Session
) -> None:
    anonymous = client.get("/reports/2021-2025.pdf", follow_redirects=False)
    assert anonymous.status_code in (303, 401)
    sign_in(client, make_user(session, role="enterprise").email)
    assert client.get("/reports/2021-2025.pdf").status_code == 403
    sign_in(client, make_user(session, role="official").email)
    unknown = client.get("/reports/2031-2035.docx")
    assert unknown.status_code == 404 and "现有：2021-2025" in unknown.text
    assert client.get("/reports/2021-2025.txt").status_code == 404


def test_the_dashboard_offers_the_report(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role="official").email)
    page = client.get("/dashboard").text
    assert 'href="/reports/2021-2025.pdf"' in page and 'href="/reports/2021-2025.docx"' in page
    assert "总结评估" in page


def test_portal_report_writes_both_formats(data_dir: Path) -> None:
    for fmt in ("pdf", "docx"):
        out = data_dir / f"report.{fmt}"
        done = CliRunner().invoke(
            cli, ["report", "--period", "2021-2025", "--format", fmt, "--out", str(out)]
        )
        assert done.exit_code == 0, done.output
        assert out.stat().st_size > 10_000
    text = _flat(_pdf_text((data_dir / "report.pdf").read_bytes()))
    assert "5G虚拟专网数" in text and "方法说明" in text
    refused = CliRunner().invoke(
        cli, ["report", "--period", "1990-1995", "--format", "pdf", "--out", str(out)]
    )
    assert refused.exit_code == 1 and "没有规划期" in refused.output


def test_the_report_follows_the_requests_language(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    _data(session)
    clock.at = datetime(2026, 5, 1, tzinfo=UTC)
    sign_in(client, make_user(session, role="official").email)
    pdf = client.get("/reports/2021-2025.pdf?lang=en")
    assert pdf.status_code == 200
    assert 'filename="evaluation-2021-2025.pdf"' in pdf.headers["content-disposition"]
    text = _pdf_text(pdf.content)
    assert "Summary" in text and "Methodology" in text
    docx = client.get("/reports/2021-2025.docx")  # the cookie keeps English
    document = Document(io.BytesIO(docx.content))
    prose = "\n".join(p.text for p in document.paragraphs)
    assert "final evaluation report, 2021–2025" in prose
    headers = {"|".join(c.text for c in t.rows[0].cells[:2]) for t in document.tables}
    assert "No." in next(h for h in headers if "Indicator" in h)
    years = next(t for t in document.tables if t.rows[0].cells[0].text == "Year")
    assert [years.rows[i].cells[0].text for i in (1, 2)] == ["2020", "2021"]  # never "2,020"
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert not [c for c in cells if re.fullmatch(r"20\d,\d\d\d|2,0\d\d", c)]
    # Names and sources of the data stay as recorded; the report's own words are English.
    for chinese in ("摘要", "数据截至", "方法说明", "统计口径", "本报告", "平台对接", "个"):
        assert chinese not in prose, chinese


def test_portal_report_in_english(data_dir: Path) -> None:
    out = data_dir / "report.docx"
    done = CliRunner().invoke(
        cli,
        ["report", "--period", "2021-2025", "--format", "docx", "--out", str(out), "--lang", "en"],
    )
    assert done.exit_code == 0, done.output
    assert done.output.startswith("Wrote “Hunan Information and Communications")
    prose = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "Summary" in prose and "摘要" not in prose
    assert "2021–2025 (“14th Five-Year Plan”) · final evaluation" in prose
