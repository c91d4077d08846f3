"""Networks from CSV and XLSX files as operators send them: read the table, map its headers
to our fields (Chinese headers recognised), turn operators' words (中国移动, 在用, 长沙市,
2024/5/6) into our codes, then check and apply the rows through the importer's ``network``
record — the same checks as ``portal import``. Nothing is applied before the person confirms.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from portal.audit.service import record
from portal.auth.permissions import Action, Principal, authorize
from portal.inputs import whole_number
from portal.kit.errors import NotFound, PortalError
from portal.kit.i18n import _
from portal.models import NetworkUpload
from portal.networks.service import FIELD_LABELS, REQUIRED_FIELDS, apply_records
from portal.reference.vocab import get_vocabularies
from portal.spreadsheets import UnreadableFile, read_rows

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

# Headers operators use for each field (compared after removing spaces, * and (必填)).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": ("专网编号", "网络编号", "编号", "专网id", "id", "externalid", "external_id"),
    "name": ("专网名称", "网络名称", "名称", "项目名称", "专网", "name"),
    "enterprise": ("企业", "企业名称", "客户", "客户名称", "使用单位", "行业客户", "enterprise"),
    "operator": ("运营商", "承建运营商", "运营企业", "基础电信企业", "operator"),
    "industry": ("行业", "所属行业", "行业类别", "行业领域", "industry"),
    "city": ("城市", "市州", "地市", "所在城市", "所在地", "所属市州", "city"),
    "zone": ("试点区域", "园区", "三市两山", "zone"),
    "mode": ("模式", "专网模式", "组网模式", "专网类型", "建设模式", "类型", "mode"),
    "status": ("状态", "网络状态", "建设状态", "运行状态", "status"),
    "commissioned_on": ("开通日期", "开通时间", "投运日期", "商用日期", "开通", "commissionedon"),
    "demand": ("需求编号", "来源需求", "demand"),
}
MODE_WORDS = {
    "virtual": ("虚拟专网", "虚拟", "5g虚拟专网", "vpn", "virtual"),
    "hybrid": ("混合专网", "混合", "混合组网", "hybrid"),
    "independent": ("独立专网", "独立", "物理专网", "independent"),
}
STATUS_WORDS = {
    "in_service": ("在用", "已开通", "在网", "运行", "运行中", "商用", "已商用", "in_service"),
    "building": ("建设中", "在建", "施工", "building"),
    "planned": ("规划中", "规划", "拟建", "planned"),
    "retired": ("已退网", "退网", "已拆除", "停用", "retired"),
}
OPERATOR_WORDS = {
    "china_mobile": ("移动",),
    "china_telecom": ("电信",),
    "china_unicom": ("联通",),
    "china_broadnet": ("广电",),
}


def _key(text: str) -> str:
    text = re.sub(r"[（(][^)）]*[)）]", "", text)
    return re.sub(r"[\s*_\-：:]", "", text).lower()


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """{header index (as text): our field} for the headers we recognise."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    keys = [_key(h) for h in headers]
    for exact in (True, False):
        for index, key in enumerate(keys):
            if str(index) in mapping or not key:
                continue
            for name, words in HEADER_SYNONYMS.items():
                if name in taken:
                    continue
                if any(key == _key(w) if exact else _key(w) in key for w in words):
                    mapping[str(index)] = name
                    taken.add(name)
                    break
    return mapping


def _file_row(line_to_row: dict[int, int], match: re.Match[str]) -> int | str:
    number = match.group(1) or match.group(2)
    return line_to_row.get(int(number), number)


def read_table(filename: str, content: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    """Headers and rows ({"row": row number in the file, "cells": [...]}) of a CSV or XLSX."""
    if len(content) > MAX_BYTES:
        raise UnreadableFile(_("文件过大（最多 5 MB）"))
    table = read_rows(filename, content, max_data_rows=MAX_ROWS)
    if not table:
        raise UnreadableFile(_("文件中没有数据"))
    width = max(len(cells) for _, cells in table)
    (_row, headers), body = table[0], table[1:]
    rows = [{"row": n, "cells": cells + [""] * (width - len(cells))} for n, cells in body]
    return headers + [""] * (width - len(headers)), rows


# --- operators' words → our codes --------------------------------------------------------


def _lookup(vocabulary: str, text: str) -> str:
    vocab = get_vocabularies()
    key = _key(text)
    for code, term in vocab.terms[vocabulary].items():
        names = {code, term.name_zh, term.name_en, term.map_name, term.name_zh + _("市")}
        if key in {_key(n) for n in names if n}:
            return code
    return text


def _words(table: dict[str, tuple[str, ...]], text: str) -> str:
    key = _key(text)
    for code, words in table.items():
        if key in {_key(w) for w in words}:
            return code
    return text


def parse_date(text: str) -> str:
    """2024-05-06, 2024/5/6, 2024.5.6, 2024年5月6日, 20240506 → ISO; else as given."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?", text)
    m = m or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m is None:
        return text
    year, month, day = (int(g) for g in m.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return text


def normalize(name: str, text: str) -> str:
    if name == "operator":
        code = _lookup("operator", text)
        if code == text:  # 湖南移动, 中国移动湖南分公司 …
            found = [c for c, words in OPERATOR_WORDS.items() if any(w in text for w in words)]
            code = found[0] if len(found) == 1 else text
        return code
    if name == "industry":
        return _lookup("industry", text)
    if name == "city":
        return _lookup("city", text)
    if name == "zone":
        return _lookup("pilot_zone", text)
    if name == "mode":
        return _words(MODE_WORDS, text)
    if name == "status":
        return _words(STATUS_WORDS, text)
    if name == "commissioned_on":
        return parse_date(text)
    return text


def to_record(cells: list[str], mapping: dict[str, str]) -> dict[str, Any]:
    values: dict[str, str] = {}
    for index, name in mapping.items():
        i = int(index)
        if name in FIELD_LABELS and i < len(cells) and cells[i].strip():
            values[name] = normalize(name, cells[i].strip())
    record_: dict[str, Any] = {n: v for n, v in values.items()}
    for name in REQUIRED_FIELDS:
        record_.setdefault(name, "")
    if not record_.get("external_id"):
        # The same network in the next month's file gets the same id: upsert, not a copy.
        basis = "|".join(record_.get(n, "") for n in ("name", "enterprise", "city"))
        record_["external_id"] = "op-" + hashlib.sha1(basis.encode()).hexdigest()[:16]
    return record_


# --- the report --------------------------------------------------------------------------


@dataclass
class RowIssue:
    row: int
    field: str
    label: str
    reason: str


@dataclass
class UploadReport:
    total: int
    good_rows: list[int] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({i.row for i in self.issues})


def check_upload(session: Session, upload: NetworkUpload) -> UploadReport:
    """Which rows would be imported and why the others would not; changes nothing."""
    mapping = upload.mapping or {}
    report = UploadReport(total=len(upload.rows))
    mapped = set(mapping.values())
    report.missing_fields = [FIELD_LABELS[n] for n in REQUIRED_FIELDS if n not in mapped]
    records = [to_record(r["cells"], mapping) for r in upload.rows]
    result = apply_records(session, records, dry_run=True)
    line_to_row = {i + 1: r["row"] for i, r in enumerate(upload.rows)}
    for issue in result.issues:
        reason = re.sub(
            r"第 (\d+) 行|Row (\d+)",  # the message's line number, in either language
            lambda m: _("第 {value} 行").format(value=_file_row(line_to_row, m)),
            issue.message,
        )
        name = issue.field.split(".")[0]
        report.issues.append(
            RowIssue(
                line_to_row.get(issue.line, issue.line), name, FIELD_LABELS.get(name, name), reason
            )
        )
    bad = {i.row for i in report.issues}
    report.good_rows = [r["row"] for r in upload.rows if r["row"] not in bad]
    return report


def create_upload(
    session: Session,
    *,
    principal: Principal | None,
    filename: str,
    content: bytes,
) -> NetworkUpload:
    authorize(session, principal, Action.NETWORK_MANAGE)
    assert principal is not None
    headers, rows = read_table(filename, content)
    upload = NetworkUpload(
        user_id=principal.user_id,
        filename=filename[:200],
        headers=headers,
        rows=rows,
        mapping=guess_mapping(headers),
    )
    session.add(upload)
    session.flush()
    return upload


def get_upload(session: Session, *, principal: Principal | None, upload_id: int) -> NetworkUpload:
    authorize(session, principal, Action.NETWORK_MANAGE)
    upload = session.get(NetworkUpload, upload_id)
    if upload is None:
        raise NotFound(_("找不到该上传文件"))
    return upload


def set_mapping(session: Session, *, upload: NetworkUpload, mapping: dict[str, str]) -> None:
    clean: dict[str, str] = {}
    used: set[str] = set()
    for index, name in mapping.items():
        column = whole_number(index)
        valid = column is not None and column < len(upload.headers)
        if valid and name in FIELD_LABELS and name not in used:
            clean[index] = name
            used.add(name)
    upload.mapping = clean
    session.add(upload)
    session.flush()


@dataclass
class Applied:
    created: int
    updated: int
    unchanged: int
    skipped: int


def apply_upload(
    session: Session,
    *,
    principal: Principal | None,
    upload: NetworkUpload,
    now: datetime,
    ip: str | None = None,
) -> Applied:
    """Import the rows that pass the checks (the bad ones are skipped, as the report said)."""
    authorize(session, principal, Action.NETWORK_MANAGE)
    assert principal is not None
    if upload.applied_at is not None:
        raise PortalError(_("该文件已经导入过了"))
    report = check_upload(session, upload)
    good = set(report.good_rows)
    records = [to_record(r["cells"], upload.mapping) for r in upload.rows if r["row"] in good]
    result = apply_records(session, records)
    if not result.ok:  # changed between the report and the confirmation
        raise PortalError(_("数据在检查后发生了变化，请重新检查后再导入"))
    upload.applied_at = now
    session.add(upload)
    applied = Applied(
        created=result.created["network"],
        updated=result.updated["network"],
        unchanged=result.unchanged["network"],
        skipped=report.total - len(good),
    )
    record(
        session,
        action="network.imported",
        now=now,
        actor=principal.user,
        entity="network_upload",
        entity_id=upload.id,
        detail={"filename": upload.filename, **applied.__dict__},
        ip=ip,
    )
    return applied
