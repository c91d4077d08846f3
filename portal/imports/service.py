"""``portal import``: JSON Lines in, validated, applied all-or-nothing.

The file is read whole, every line is validated and applied inside one transaction, and the
transaction is committed only when no line had an error (and never on a dry run). Records are
upserted by (type, external_id) and a row is only written when a field differs, so importing
the same file twice changes nothing. The demo seed goes through this same path.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, col, or_, select

from portal.auth.permissions import may_post
from portal.clock import get_clock
from portal.db import bump_version
from portal.imports.schemas import (
    APPLY_ORDER,
    DemandRecord,
    ImportRecord,
    IndicatorValueRecord,
    NetworkRecord,
    OrganizationRecord,
    SolutionRecord,
    UseCaseRecord,
)
from portal.indicators.rules import update_error, value_error
from portal.kit.i18n import _
from portal.kit.translate import translate_error
from portal.listings.registry import KINDS
from portal.listings.service import errors_in
from portal.models import (
    Demand,
    Indicator,
    IndicatorValue,
    Organization,
    PrivateNetwork,
    UseCase,
    utcnow,
)
from portal.organizations.credit_code import credit_code_error
from portal.organizations.schemas import clean_profile
from portal.reference.vocab import Vocabularies, get_vocabularies
from portal.search.outbox import enqueue

_adapter: TypeAdapter[Any] = TypeAdapter(ImportRecord)

# China issued its 5G commercial licences on 2019-06-06: no 5G network is older than 2019.
FIRST_5G_YEAR = 2019
# How far ahead a planned network's commissioning date may be.
PLANNING_YEARS = 5


def commissioning_error(day: date, *, status: str, today: date) -> str | None:
    """Why ``day`` cannot be the commissioning date of a network of ``status``, or None."""
    if day < date(FIRST_5G_YEAR, 1, 1):
        return _(
            "开通日期不能早于 {FIRST_5G_YEAR}-01-01（我国 {FIRST_5G_YEAR} 年发放5G商用牌照）"
        ).format(FIRST_5G_YEAR=FIRST_5G_YEAR)
    if status in ("in_service", "retired"):
        if day > today:  # ``today`` is Hunan's date (portal.clock.local_today)
            return _("在用或已退网的专网，开通日期不能晚于今天")
        return None
    try:
        latest = today.replace(year=today.year + PLANNING_YEARS)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + PLANNING_YEARS, day=28)
    if day > latest:
        return _("计划开通日期不能晚于 {value}（{PLANNING_YEARS} 年内）").format(
            value=latest.isoformat(), PLANNING_YEARS=PLANNING_YEARS
        )
    return None


def missing_demand(external_id: str) -> str:
    """What a ``demand`` reference that names no demand is told (the network form too)."""
    return _("找不到需求 {external_id!r}").format(external_id=external_id)


@dataclass
class ImportIssue:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = _("第 {line} 行").format(line=self.line) + (
            _("，字段 {field}").format(field=self.field) if self.field else ""
        )
        return f"{where}：{self.message}"


@dataclass
class ImportReport:
    lines: int = 0
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    issues: list[ImportIssue] = field(default_factory=list)
    applied: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.issues

    def summary(self) -> str:
        types = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        parts = [
            _("{t}: 新增 {value}，更新 {value2}，未变 {value3}").format(
                t=t, value=self.created[t], value2=self.updated[t], value3=self.unchanged[t]
            )
            for t in types
        ]
        return "；".join(parts) if parts else _("没有记录")


CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


def _translate(error: Any) -> tuple[str, str]:
    """A pydantic error of a record: the field without the record type's prefix."""
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return "type", _("type 应为 {value} 之一").format(value=", ".join(APPLY_ORDER))
    loc = list(error["loc"])
    if loc and str(loc[0]) in APPLY_ORDER:
        loc = loc[1:]
    return translate_error({**error, "loc": loc})


class _Importer:
    def __init__(self, session: Session, *, demo: bool, today: date) -> None:
        self.session = session
        self.demo = demo
        self.today = today
        self.vocab: Vocabularies = get_vocabularies()
        self.report = ImportReport()

    # --- checks ---------------------------------------------------------------------

    def fail(self, line: int, field_name: str, message: str) -> None:
        self.report.issues.append(ImportIssue(line, field_name, message))

    def check_codes(self, line: int, name: str, vocabulary: str, codes: Iterable[str]) -> bool:
        ok = True
        for code in codes:
            if not self.vocab.has(vocabulary, code):
                self.fail(line, name, _("未知代码 {code!r}").format(code=code))
                ok = False
        return ok

    def check_zone(self, line: int, city: str, zone: str | None) -> bool:
        if zone is None:
            return True
        if not self.vocab.has("pilot_zone", zone):
            self.fail(line, "zone", _("未知试点区域 {zone!r}").format(zone=zone))
            return False
        if self.vocab.terms["pilot_zone"][zone].city != city:
            self.fail(
                line,
                "zone",
                _("试点区域 {value} 不在该城市").format(value=self.vocab.label("pilot_zone", zone)),
            )
            return False
        return True

    def org(self, line: int, external_id: str, name: str = "org") -> Organization | None:
        found = self.session.exec(
            select(Organization).where(Organization.external_id == external_id)
        ).first()
        if found is None:
            self.fail(line, name, _("找不到机构 {external_id!r}").format(external_id=external_id))
        return found

    # --- upsert ---------------------------------------------------------------------

    def upsert(self, kind: str, model: type[Any], external_id: str, values: dict[str, Any]) -> Any:
        row = self.session.exec(select(model).where(model.external_id == external_id)).first()
        if row is None:
            row = model(external_id=external_id, is_demo=self.demo, **values)
            self.session.add(row)
            self.session.flush()
            self.report.created[kind] += 1
            self._after_write(kind, row)
            return row
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not changed:
            self.report.unchanged[kind] += 1
            return row
        for name, value in changed.items():
            setattr(row, name, value)
        if hasattr(row, "version"):
            bump_version(row)
        row.updated_at = utcnow()
        self.session.add(row)
        self.session.flush()
        self.report.updated[kind] += 1
        self._after_write(kind, row)
        return row

    def _after_write(self, kind: str, row: Any) -> None:
        if kind in KINDS or kind == "use_case":
            enqueue(self.session, entity=kind, entity_id=row.id, version=row.version)  # type: ignore[arg-type]

    # --- one function per record type ---------------------------------------------

    def organization(self, line: int, r: OrganizationRecord) -> None:
        ok = self.check_codes(line, "kind", "org_kind", [r.kind])
        ok &= self.check_codes(line, "city", "city", [r.city])
        if r.credit_code and (reason := credit_code_error(r.credit_code)):
            self.fail(line, "credit_code", reason)
            ok = False
        values = r.model_dump(exclude={"type", "external_id", *CONTACT_FIELDS})
        # Contacts as the profile form checks them; a line without them keeps what is stored.
        given = {k: getattr(r, k) for k in CONTACT_FIELDS if k in r.model_fields_set}
        contacts, errors = clean_profile(given)
        ok &= self.fail_all(line, errors)
        if ok:
            self.upsert("organization", Organization, r.external_id, {**values, **contacts})

    def fail_all(self, line: int, errors: dict[str, str]) -> bool:
        for name, message in errors.items():
            self.fail(line, name, message)
        return not errors

    def listing(self, line: int, r: SolutionRecord | DemandRecord) -> None:
        """A listing of any kind: the same validation as its forms and the JSON API
        (:func:`portal.listings.service.errors_in`); an import may carry history, so a past
        deadline is kept."""
        kind = KINDS[r.type]
        values = r.model_dump(include=set(kind.field_names))
        ok = self.fail_all(line, errors_in(kind, values, today=None))
        owner = self.org(line, r.org)
        if owner is not None and not may_post(kind.name, owner):
            self.fail(
                line,
                "org",
                (
                    _("机构 {org}（{kind}）不能发布需求")
                    if kind.name == "demand"
                    else _("机构 {org}（{kind}）不能发布解决方案")
                ).format(org=repr(r.org), kind=self.vocab.label("org_kind", owner.kind)),
            )
            ok = False
        if ok and owner is not None:
            columns = kind.to_columns(kind.fields.model_validate(values))
            columns.update(org_id=owner.id, status=r.status)
            self.upsert(kind.name, kind.model, r.external_id, columns)

    def use_case(self, line: int, r: UseCaseRecord) -> None:
        ok = self.check_codes(line, "industry", "industry", [r.industry])
        ok &= self.check_codes(line, "scenarios", "scenario", r.scenarios)
        ok &= self.check_codes(line, "capabilities", "capability", r.capabilities)
        ok &= self.check_codes(line, "city", "city", [r.city])
        if ok:
            self.upsert(
                "use_case", UseCase, r.external_id, r.model_dump(exclude={"type", "external_id"})
            )

    def network(self, line: int, r: NetworkRecord) -> None:
        ok = self.check_codes(line, "operator", "operator", [r.operator])
        ok &= self.check_codes(line, "industry", "industry", [r.industry])
        ok &= self.check_codes(line, "city", "city", [r.city]) and self.check_zone(
            line, r.city, r.zone
        )
        if r.commissioned_on is not None and (
            reason := commissioning_error(r.commissioned_on, status=r.status, today=self.today)
        ):
            self.fail(line, "commissioned_on", reason)
            ok = False
        owner = self.session.exec(
            select(Organization).where(Organization.external_id == r.enterprise)
        ).first()
        demand_id = None
        if r.demand is not None:
            demand = self.session.exec(select(Demand).where(Demand.external_id == r.demand)).first()
            if demand is None:
                self.fail(line, "demand", missing_demand(r.demand))
                ok = False
            else:
                demand_id = demand.id
        if ok:
            values = r.model_dump(exclude={"type", "external_id", "enterprise", "demand"})
            values.update(
                enterprise=owner.name if owner else r.enterprise,
                org_id=owner.id if owner else None,
                demand_id=demand_id,
                confirmed=True,
            )
            self.upsert("network", PrivateNetwork, r.external_id, values)

    def indicator_value(self, line: int, r: IndicatorValueRecord) -> None:
        indicator = self.session.exec(
            select(Indicator).where(
                or_(col(Indicator.code) == r.indicator, col(Indicator.name) == r.indicator)
            )
        ).first()
        if indicator is None:
            self.fail(
                line,
                "indicator",
                _("找不到指标 {indicator!r}（用代码或表1中的指标名称）").format(
                    indicator=r.indicator
                ),
            )
            return
        if reason := value_error(indicator, r.value):
            self.fail(line, "value", reason)
            return
        if reason := update_error(r.as_of, r.next_update):
            self.fail(line, "next_update", reason)
            return
        dates = (r.as_of, r.next_update)
        row = self.session.exec(
            select(IndicatorValue).where(
                IndicatorValue.indicator_code == indicator.code, IndicatorValue.year == r.year
            )
        ).first()
        if row is None:
            self.session.add(
                IndicatorValue(
                    indicator_code=indicator.code,
                    year=r.year,
                    value=r.value,
                    source=r.source,
                    as_of=r.as_of,
                    next_update=r.next_update,
                )
            )
            self.report.created["indicator_value"] += 1
        elif (row.value, row.source, row.as_of, row.next_update) != (r.value, r.source, *dates):
            row.value, row.source, row.updated_at = r.value, r.source, utcnow()
            row.as_of, row.next_update = dates
            self.session.add(row)
            self.report.updated["indicator_value"] += 1
        else:
            self.report.unchanged["indicator_value"] += 1
        self.session.flush()


def parse_lines(lines: Iterable[str], report: ImportReport) -> list[tuple[int, Any]]:
    records: list[tuple[int, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        report.lines += 1
        try:
            record = _adapter.validate_json(text)
        except ValidationError as exc:
            for error in exc.errors():
                name, message = _translate(error)
                report.issues.append(ImportIssue(number, name, message))
            continue
        key = (
            record.type,
            getattr(
                record,
                "external_id",
                f"{getattr(record, 'indicator', '')}/{getattr(record, 'year', '')}",
            ),
        )
        if key in seen:
            report.issues.append(
                ImportIssue(
                    number,
                    "external_id",
                    _("与第 {value} 行重复：{value2}").format(value=seen[key], value2=key[1]),
                )
            )
            continue
        seen[key] = number
        records.append((number, record))
    return records


def import_lines(
    session: Session,
    lines: Iterable[str],
    *,
    dry_run: bool = False,
    demo: bool = False,
    today: date | None = None,
) -> ImportReport:
    """Validate and apply ``lines`` inside the session's transaction; ``today`` (the clock's
    date when not given) bounds the networks' commissioning dates.

    The caller owns the transaction: on ``report.ok and not dry_run`` it commits, otherwise
    it must roll back (:func:`import_file` does both).
    """
    importer = _Importer(session, demo=demo, today=today or get_clock().today())
    report = importer.report
    report.dry_run = dry_run
    records = parse_lines(lines, report)
    by_type: dict[str, list[tuple[int, Any]]] = defaultdict(list)
    for number, record in records:
        by_type[record.type].append((number, record))
    for kind in APPLY_ORDER:
        apply = importer.listing if kind in KINDS else getattr(importer, kind)
        for number, record in by_type[kind]:
            apply(number, record)
    report.issues.sort(key=lambda issue: issue.line)
    return report


def import_jsonl_text(
    session: Session, text: str, *, dry_run: bool = False, demo: bool = False
) -> ImportReport:
    """Import ``text`` and commit it, or roll everything back (bad line or dry run)."""
    report = import_lines(session, text.splitlines(), dry_run=dry_run, demo=demo)
    if report.ok and not dry_run:
        session.commit()
        report.applied = True
    else:
        session.rollback()
    return report


def to_jsonable(report: ImportReport) -> dict[str, Any]:
    return {
        "lines": report.lines,
        "applied": report.applied,
        "dry_run": report.dry_run,
        "created": dict(report.created),
        "updated": dict(report.updated),
        "unchanged": dict(report.unchanged),
        "errors": [{"line": i.line, "field": i.field, "message": i.message} for i in report.issues],
    }


def _json_default(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value))


def dumps_record(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, default=_json_default)
