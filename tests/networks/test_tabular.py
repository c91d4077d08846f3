import io
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook
from sqlmodel import Session, func, select

from portal.auth.permissions import Principal
from portal.kit.errors import Forbidden
from portal.models import PrivateNetwork
from portal.networks import tabular
from portal.networks.service import count_registered_in_service
from tests.factories import make_user

NOW = datetime(2026, 3, 1, tzinfo=UTC)
HEADERS = [
    "序号",
    "专网名称",
    "企业名称",
    "运营商",
    "所属行业",
    "所在城市",
    "专网模式",
    "网络状态",
    "开通日期",
]
CSV = (
    ",".join(HEADERS)
    + "\n1,甲钢铁5G专网,甲钢铁公司,中国移动,钢铁,娄底市,虚拟专网,在用,2024/5/6"
    + "\n2,乙陶瓷5G专网,乙陶瓷公司,湖南电信,陶瓷,株洲,混合专网,已开通,2024年7月1日"
    + "\n3,丙矿山5G专网,丙矿业,中国联通,矿山,长春,虚拟专网,在用,2024-01-02"
    + "\n4,丁港口5G专网,丁港务,中国广电,港口物流,岳阳市,虚拟专网,在用,20240301"
    + "\n5,戊医院5G专网,戊医院,中国移动,医疗健康,衡阳,虚拟专网,在用,2025-02-30\n"
)


def official(session: Session) -> Principal:
    return Principal(user=make_user(session, role="official"))


def test_chinese_headers_are_recognised() -> None:
    mapping = tabular.guess_mapping(HEADERS)
    assert {HEADERS[int(i)]: f for i, f in mapping.items()} == {
        "专网名称": "name",
        "企业名称": "enterprise",
        "运营商": "operator",
        "所属行业": "industry",
        "所在城市": "city",
        "专网模式": "mode",
        "网络状态": "status",
        "开通日期": "commissioned_on",
    }


def test_operators_words_become_codes() -> None:
    assert tabular.normalize("operator", "湖南电信") == "china_telecom"
    assert tabular.normalize("city", "湘西土家族苗族自治州") == "xiangxi"
    assert tabular.normalize("city", "长沙市") == "changsha"
    assert tabular.normalize("status", "已开通") == "in_service"
    assert tabular.normalize("commissioned_on", "2024年7月1日") == "2024-07-01"
    assert tabular.normalize("commissioned_on", "2025-02-30") == "2025-02-30"  # left for the check


def test_report_names_the_bad_rows_and_nothing_is_imported_before_confirmation(
    session: Session,
) -> None:
    before = session.exec(select(func.count()).select_from(PrivateNetwork)).one()
    upload = tabular.create_upload(
        session, principal=official(session), filename="运营商.csv", content=CSV.encode("gb18030")
    )
    report = tabular.check_upload(session, upload)
    assert report.total == 5 and report.good_rows == [2, 3, 5]
    assert {(i.row, i.field) for i in report.issues} == {(4, "city"), (6, "commissioned_on")}
    assert all(i.reason for i in report.issues)
    assert session.exec(select(func.count()).select_from(PrivateNetwork)).one() == before


def test_confirming_imports_the_good_rows_once(session: Session) -> None:
    principal = official(session)
    upload = tabular.create_upload(
        session, principal=principal, filename="a.csv", content=CSV.encode("utf-8-sig")
    )
    counted = count_registered_in_service(session)
    applied = tabular.apply_upload(session, principal=principal, upload=upload, now=NOW)
    assert (applied.created, applied.skipped) == (3, 2)
    assert count_registered_in_service(session) == counted + 3
    # The next month's file with the same networks updates, it does not copy.
    again = tabular.create_upload(
        session, principal=principal, filename="b.csv", content=CSV.encode("utf-8")
    )
    assert tabular.apply_upload(session, principal=principal, upload=again, now=NOW).unchanged == 3


def test_xlsx_with_dates_and_a_custom_mapping(session: Session) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["网络", "客户", "承建运营商", "行业", "地市", "类型", "状态", "投运日期"])
    sheet.append(
        ["己注塑5G专网", "己公司", "中国移动", "注塑", "长沙", "虚拟", "在用", datetime(2025, 1, 2)]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    principal = official(session)
    upload = tabular.create_upload(
        session, principal=principal, filename="x.xlsx", content=buffer.getvalue()
    )
    assert "name" not in upload.mapping.values()  # "网络" is not a header we know
    tabular.set_mapping(session, upload=upload, mapping={**upload.mapping, "0": "name"})
    report = tabular.check_upload(session, upload)
    assert report.good_rows == [2] and not report.issues
    tabular.apply_upload(session, principal=principal, upload=upload, now=NOW)
    row = session.exec(select(PrivateNetwork).where(PrivateNetwork.name == "己注塑5G专网")).one()
    assert row.commissioned_on is not None and row.commissioned_on.isoformat() == "2025-01-02"


def test_only_officials_upload_and_bad_files_are_refused(session: Session) -> None:
    with pytest.raises(Forbidden):
        tabular.create_upload(
            session, principal=Principal(user=make_user(session)), filename="a.csv", content=b"x"
        )
    with pytest.raises(tabular.UnreadableFile):
        tabular.create_upload(session, principal=official(session), filename="a.pdf", content=b"x")


def test_utf16_text_from_excel_is_read_and_nul_bytes_are_refused() -> None:
    tsv = CSV.replace(",", "\t")
    headers, rows = tabular.read_table("networks.txt", tsv.encode("utf-16"))
    assert headers == HEADERS and rows[0]["cells"][1] == "甲钢铁5G专网"
    with pytest.raises(tabular.UnreadableFile, match="空字符"):
        tabular.read_table("networks.csv", CSV.replace("甲钢铁", "甲\x00钢铁").encode())


def test_an_operators_row_dated_1900_or_with_control_characters_is_reported(
    session: Session,
) -> None:
    content = (
        ",".join(HEADERS)
        + "\n1,己5G专网,己公司,中国移动,钢铁,娄底,虚拟专网,在用,1900-01-01"
        + "\n2,庚5G专网\x1b[2J,庚公司,中国移动,钢铁,娄底,虚拟专网,在用,2024-01-02\n"
    )
    upload = tabular.create_upload(
        session, principal=official(session), filename="a.csv", content=content.encode()
    )
    report = tabular.check_upload(session, upload)
    assert {(i.row, i.field) for i in report.issues} == {(2, "commissioned_on"), (3, "name")}
    assert report.good_rows == []
