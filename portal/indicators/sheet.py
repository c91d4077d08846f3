"""A yearly statistics sheet (CSV/XLSX): one row per indicator and year, the indicator named
as printed in 表1. Read with the network import's reader and limits, checked row by row with
the form's rules (:func:`portal.indicators.service.value_errors`), applied only when the
official confirms — the same validate-then-confirm flow as the network import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from portal.audit.service import record
from portal.auth.permissions import Action, Principal, authorize
from portal.indicators.service import record_value, value_errors
from portal.inputs import finite_number, whole_number
from portal.kit.errors import NotFound, PortalError
from portal.kit.i18n import N_, _
from portal.models import Indicator, IndicatorUpload
from portal.networks.tabular import MAX_BYTES, MAX_ROWS, parse_date, read_table

# Our field → the headers a sheet may use for it (compared without spaces).
HEADERS: dict[str, tuple[str, ...]] = {
    "indicator": (N_("指标名称"), N_("指标")),
    "year": (N_("年份"), N_("年度")),
    "value": (N_("数值"), N_("实际值"), N_("统计值")),
    "source": (N_("来源"), N_("数据来源")),
    "as_of": (N_("发布日期"), N_("截至日期"), N_("数据日期")),
    "next_update": (N_("下次更新"), N_("下次更新日期"), N_("预计下次更新")),
}
LABELS = {name: words[0] for name, words in HEADERS.items()}
REQUIRED = ("indicator", "year", "value", "source")
ERROR_FIELDS = {"indicator": "indicator", "year": "year", "value": "value", "source": "source"}


@dataclass
class SheetRow:
    row: int
    code: str
    name: str
    year: int | None
    value: float | None
    source: str
    as_of: date | None
    next_update: date | None


@dataclass
class SheetIssue:
    row: int
    label: str
    reason: str


@dataclass
class SheetReport:
    total: int
    good: list[SheetRow] = field(default_factory=list)
    issues: list[SheetIssue] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> set[int]:
        return {i.row for i in self.issues}


def _key(text: str) -> str:
    return "".join(text.split())


def columns(headers: list[str]) -> dict[str, int]:
    """Our field → the index of its column."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        for name, words in HEADERS.items():
            if name not in found and _key(header) in words:
                found[name] = index
    return found


def read_date(text: str) -> tuple[date | None, str | None]:
    if not text.strip():
        return None, None
    try:
        return date.fromisoformat(parse_date(text)), None
    except ValueError:
        return None, _("“{text}”不是日期（如 2026-03-31）").format(text=text)


def create_upload(
    session: Session, *, principal: Principal | None, filename: str, content: bytes
) -> IndicatorUpload:
    """Keep the sheet for the review page; raises ``UnreadableFile`` with the reason."""
    authorize(session, principal, Action.INDICATOR_EDIT)
    assert principal is not None and principal.user.id is not None
    headers, rows = read_table(filename, content)
    upload = IndicatorUpload(
        user_id=principal.user.id, filename=filename[:200], headers=headers, rows=rows
    )
    session.add(upload)
    session.flush()
    return upload


def get_upload(session: Session, *, principal: Principal | None, upload_id: int) -> IndicatorUpload:
    authorize(session, principal, Action.INDICATOR_EDIT)
    upload = session.get(IndicatorUpload, upload_id)
    if upload is None:
        raise NotFound(_("找不到该文件，请重新上传"))
    return upload


def check_upload(session: Session, upload: IndicatorUpload) -> SheetReport:
    """Every row checked with the form's rules; nothing is written."""
    report = SheetReport(total=len(upload.rows))
    where = columns(upload.headers)
    report.missing = [LABELS[name] for name in REQUIRED if name not in where]
    if report.missing:
        return report
    names = {_key(i.name): i for i in session.exec(select(Indicator).order_by(col(Indicator.sort)))}
    seen: dict[tuple[str, int], int] = {}
    for item in upload.rows:
        number, cells = item["row"], item["cells"]

        def cell(name: str, cells: list[str] = cells) -> str:
            index = where.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        if not any(c.strip() for c in cells):
            continue
        issues: list[SheetIssue] = []
        printed = cell("indicator")
        indicator = names.get(_key(printed))
        if indicator is None:
            issues.append(
                SheetIssue(
                    number, LABELS["indicator"], _("表1中没有“{printed}”").format(printed=printed)
                )
            )
        year = whole_number(cell("year"), maximum=9999)
        value = finite_number(cell("value"))
        as_of, as_of_error = read_date(cell("as_of"))
        next_update, next_error = read_date(cell("next_update"))
        for name, error in (("as_of", as_of_error), ("next_update", next_error)):
            if error:
                issues.append(SheetIssue(number, LABELS[name], error))
        errors = value_errors(
            session,
            code=indicator.code if indicator else "",
            year=year,
            value=value,
            source=cell("source"),
            as_of=as_of,
            next_update=next_update,
        )
        errors.pop("indicator", None)  # said above, with the name as printed
        if cell("value") and value is None:
            errors["value"] = _("“{cell}”不是数字").format(cell=cell("value"))
        if cell("year") and year is None:
            errors["year"] = _("“{cell}”不是年份").format(cell=cell("year"))
        for name, reason in errors.items():
            issues.append(SheetIssue(number, LABELS.get(name, name), reason))
        if indicator is not None and year is not None:
            first = seen.setdefault((indicator.code, year), number)
            if first != number:
                issues.append(
                    SheetIssue(
                        number,
                        LABELS["year"],
                        _("与第 {first} 行重复（同一指标同一年份）").format(first=first),
                    )
                )
        if issues:
            report.issues.extend(issues)
            continue
        assert indicator is not None
        report.good.append(
            SheetRow(
                number,
                indicator.code,
                indicator.name,
                year,
                value,
                cell("source"),
                as_of,
                next_update,
            )
        )
    return report


def apply_upload(
    session: Session,
    *,
    principal: Principal | None,
    upload: IndicatorUpload,
    now: datetime,
    ip: str | None = None,
) -> int:
    """Record the sheet's good rows (each audited like a form entry); the rows with issues
    are skipped, as the review page said."""
    authorize(session, principal, Action.INDICATOR_EDIT)
    if upload.applied_at is not None:
        raise PortalError(_("该文件已经导入"))
    report = check_upload(session, upload)
    if not report.good:
        raise PortalError(_("没有可以导入的行"))
    for row in report.good:
        record_value(
            session,
            principal=principal,
            code=row.code,
            year=row.year,
            value=row.value,
            source=row.source,
            as_of=row.as_of,
            next_update=row.next_update,
            now=now,
            ip=ip,
        )
    upload.applied_at = now
    session.add(upload)
    session.flush()
    assert principal is not None
    record(
        session,
        action="indicator.sheet_imported",
        now=now,
        actor=principal.user,
        entity="indicator_upload",
        entity_id=upload.id,
        detail={"filename": upload.filename, "rows": len(report.good)},
        ip=ip,
    )
    return len(report.good)


__all__ = ["MAX_BYTES", "MAX_ROWS", "apply_upload", "check_upload", "create_upload"]
