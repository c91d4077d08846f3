"""Hostile network-import files are refused while they are read, with a Chinese message
naming the limit, and reading one never costs more than a bounded amount of memory: a zip
bomb, a sheet declaring A1:XFD1048576, a million rows, a row of a million cells, one cell
of 40 MB, a shared string repeated into every cell."""

from __future__ import annotations

import struct
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.auth.permissions import Principal
from portal.models import NetworkUpload
from portal.networks import tabular
from tests.factories import make_user
from tests.support.web import sign_in
from tests.support.xlsx import SHEET_TAIL, row, sheet_head, xlsx

# Memory a refused file may cost while it is read (the bound: +50 MB).
MEMORY_BOUND = 50 * 1024 * 1024
HEADER = row(1, "专网名称", "企业")


def peak_while(call: Callable[[], Any]) -> tuple[BaseException | None, int]:
    """The exception ``call`` raised (or None) and the peak of memory allocated meanwhile."""
    tracemalloc.start()
    try:
        call()
        raised: BaseException | None = None
    except Exception as exc:
        raised = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return raised, peak


def refused(filename: str, content: bytes, says: str) -> None:
    """Reads the file expecting a refusal that says ``says``, in bounded memory."""
    raised, peak = peak_while(lambda: tabular.read_table(filename, content))
    assert isinstance(raised, tabular.UnreadableFile), repr(raised)
    assert says in raised.message, raised.message
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.0f} MB"


def rows_of(sheet_row: Callable[[int], str], count: int) -> Iterator[str]:
    """A sheet streamed piece by piece: the header, then ``count`` rows from row 2."""
    yield sheet_head() + HEADER
    for n in range(2, 2 + count):
        yield sheet_row(n)
    yield SHEET_TAIL


def with_declared_size(content: bytes, name: str, size: int) -> bytes:
    """The zip with the central directory claiming ``size`` bytes unzipped for ``name``."""
    data = bytearray(content)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == name.encode():
            struct.pack_into("<I", data, at + 24, size)
            return bytes(data)
        at = data.find(b"PK\x01\x02", at + 46)
    raise AssertionError(name)


def test_a_zip_bomb_is_refused_by_the_size_it_declares() -> None:
    sheet = "<row><c><v>1</v></c></row>" * 10_000
    content = xlsx(rows_of(lambda n: sheet, 240))  # 62 MB of XML
    assert len(content) < 200_000
    refused("bomb.xlsx", content, "解压后的内容过大（最多 50 MB）")


def test_a_member_hiding_its_real_size_is_refused() -> None:
    content = xlsx(rows_of(lambda n: f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>', 200_000))
    lying = with_declared_size(content, "xl/worksheets/sheet1.xml", 10_000)
    refused("lying.xlsx", lying, "不是有效的 Excel")


@pytest.mark.parametrize(
    ("shape", "says"),
    [
        # 1.5 million cells in one row, ~40 MB of XML: under the unzipped cap.
        (("<row>", "<c><v>1</v></c>" * 1000, 1500, "</row>"), "列数过多（最多 50 列）"),
        # One cell of 40 MB.
        (('<row><c t="inlineStr"><is><t>', "x" * 100_000, 400, "</t></is></c></row>"),
         "内容过长（每格最多 1000 个字符）"),
        # One tag of 40 MB: an attribute the parser must hold whole.
        (('<row r="2" x="', "y" * 100_000, 400, '"/>'), "不是有效的 Excel"),
        # A comment of 40 MB.
        (("<!--", "z" * 100_000, 400, "-->"), "不是有效的 Excel"),
    ],
    ids=["a-million-cells-in-a-row", "a-40-mb-cell", "a-40-mb-tag", "a-40-mb-comment"],
)  # fmt: skip
def test_a_huge_row_cell_or_tag_is_refused_in_bounded_memory(
    shape: tuple[str, str, int, str], says: str
) -> None:
    start, piece, times, end = shape

    def sheet() -> Iterator[str]:
        yield sheet_head() + HEADER + start
        for _ in range(times):
            yield piece
        yield end + SHEET_TAIL

    content = xlsx(sheet())
    assert len(content) < 300_000
    refused("huge.xlsx", content, says)


def test_the_declared_dimension_is_ignored_and_what_is_stored_is_bounded(
    session: Session,
) -> None:
    content = xlsx(sheet_head("A1:XFD1048576") + HEADER + row(2, "甲专网", "甲公司") + SHEET_TAIL)
    assert len(content) < 3000
    principal = Principal(user=make_user(session, role="official"))
    raised, peak = peak_while(
        lambda: tabular.create_upload(
            session, principal=principal, filename="dim.xlsx", content=content
        )
    )
    assert raised is None and peak < MEMORY_BOUND
    upload = session.exec(select(NetworkUpload).where(NetworkUpload.filename == "dim.xlsx")).one()
    assert upload.headers == ["专网名称", "企业"]
    assert upload.rows == [{"row": 2, "cells": ["甲专网", "甲公司"]}]


def test_a_million_rows_of_xlsx_are_refused_at_the_row_cap() -> None:
    content = xlsx(rows_of(lambda n: f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>', 1_000_000))
    assert len(content) < tabular.MAX_BYTES
    refused("million.xlsx", content, "行数过多（最多 5000 行）")


def test_a_million_rows_of_csv_are_refused_at_the_row_cap() -> None:
    content = ("name,enterprise\n" + "a,b\n" * 1_000_000).encode()
    assert len(content) < tabular.MAX_BYTES
    refused("million.csv", content, "行数过多（最多 5000 行）")


def test_a_too_long_cell_is_refused_naming_the_cell_and_the_limit() -> None:
    long = "长" * 1001
    says = "第 3 行第 2 列的内容过长（每格最多 1000 个字符）"
    csv = f"专网名称,企业\n甲,乙\n丙,{long}\n".encode()
    refused("long.csv", csv, says)
    inline = xlsx(sheet_head() + HEADER + row(2, "甲", "乙") + row(3, "丙", long) + SHEET_TAIL)
    refused("inline.xlsx", inline, says)
    shared = xlsx(
        sheet_head() + HEADER + '<row r="3"><c r="B3" t="s"><v>1</v></c></row>' + SHEET_TAIL,
        strings=["短", long],
    )
    refused("shared.xlsx", shared, says)


def test_too_many_columns_are_refused() -> None:
    says = "列数过多（最多 50 列）"
    refused("wide.csv", ("专网名称,企业\n" + ",".join(["x"] * 51) + "\n").encode(), says)
    wide = '<row r="2"><c r="AY2" t="inlineStr"><is><t>x</t></is></c></row>'  # column 51
    refused("wide.xlsx", xlsx(sheet_head() + HEADER + wide + SHEET_TAIL), says)


def test_empty_cells_beyond_the_last_column_are_not_columns() -> None:
    padded = "专网名称,企业" + "," * 200 + "\n甲,乙" + "," * 200 + "\n"
    headers, rows = tabular.read_table("padded.csv", padded.encode())
    assert headers == ["专网名称", "企业"] and rows == [{"row": 2, "cells": ["甲", "乙"]}]
    styled = '<row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c><c r="XFD2" s="1"/></row>'
    headers, rows = tabular.read_table(
        "styled.xlsx", xlsx(sheet_head() + HEADER + styled + SHEET_TAIL)
    )
    assert headers == ["专网名称", "企业"] and rows == [{"row": 2, "cells": ["甲", ""]}]


def test_a_too_long_csv_line_is_refused() -> None:
    content = ("专网名称,企业\n甲," + "," * 1_000_000 + "\n").encode()
    refused("line.csv", content, "第 2 行过长（每行最多 60000 个字符）")


def test_a_shared_string_repeated_into_every_cell_is_refused() -> None:
    cells = "".join(f'<c r="{c}{{n}}" t="s"><v>0</v></c>' for c in ("A", "B"))
    content = xlsx(rows_of(lambda n: f'<row r="{n}">' + cells.format(n=n) + "</row>", 4000),
                   strings=["长" * 1000])  # fmt: skip
    refused("repeated.xlsx", content, "单元格文字合计过多（最多 2,000,000 个字符）")


def test_a_zip_of_many_members_is_refused() -> None:
    parts = {f"xl/media/{n}.bin": "" for n in range(2000)}
    content = xlsx(sheet_head() + HEADER + SHEET_TAIL, parts=parts)
    refused("many.xlsx", content, "压缩包内的文件过多（最多 1000 个）")


def test_the_import_page_says_why_a_file_is_refused(client: TestClient, session: Session) -> None:
    token = sign_in(client, make_user(session, role="official").email)
    response = client.post(
        "/networks/import",
        data={"csrf_token": token},
        files={"file": ("宽表.csv", ("专网名称,企业\n" + "x," * 60 + "\n").encode(), "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "列数过多（最多 50 列）" in response.text
    assert (
        session.exec(select(NetworkUpload).where(NetworkUpload.filename == "宽表.csv")).first()
        is None
    )
