"""The benchmark-case library (标杆案例)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from portal.audit import service as audit
from portal.auth.permissions import Action, Principal, authorize
from portal.cases.schemas import CaseFields
from portal.db import bump_version
from portal.kit.errors import FieldErrors, NotFound
from portal.kit.i18n import _
from portal.kit.pagination import Page
from portal.listings.service import new_external_id
from portal.models import UseCase
from portal.reference.vocab import get_vocabularies
from portal.search.outbox import enqueue


def list_cases(
    session: Session,
    *,
    industry: str | None = None,
    city: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page[UseCase]:
    conditions = []
    if industry:
        conditions.append(UseCase.industry == industry)
    if city:
        conditions.append(UseCase.city == city)
    total = session.exec(select(func.count()).select_from(UseCase).where(*conditions)).one()
    rows = session.exec(
        select(UseCase)
        .where(*conditions)
        .order_by(col(UseCase.year).desc(), col(UseCase.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(items=list(rows), total=int(total), page=page, per_page=per_page)


def get_case(session: Session, case_id: int) -> UseCase:
    case = session.get(UseCase, case_id)
    if case is None:
        raise NotFound(_("找不到该标杆案例"))
    return case


def count_cases(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(UseCase)).one())


def split_sources(source: str | None) -> list[str]:
    """The source field may hold several addresses separated by ';' or whitespace."""
    if not source:
        return []
    parts = [p.strip() for chunk in source.split(";") for p in chunk.split()]
    return [p for p in parts if p]


def case_errors(fields: CaseFields) -> dict[str, str]:
    """The vocabulary rules of a case (the importer checks the same codes)."""
    vocab = get_vocabularies()
    errors: dict[str, str] = {}
    checks = [
        ("industry", "industry", [fields.industry]),
        ("scenarios", "scenario", fields.scenarios),
        ("capabilities", "capability", fields.capabilities),
        ("city", "city", [fields.city]),
    ]
    for name, vocabulary, codes in checks:
        unknown = [c for c in codes if not vocab.has(vocabulary, c)]
        if unknown:
            errors[name] = _("未知代码 ") + "、".join(repr(c) for c in unknown)
    return errors


def save_case(
    session: Session,
    *,
    principal: Principal | None,
    fields: CaseFields,
    now: datetime,
    case: UseCase | None = None,
    ip: str | None = None,
) -> UseCase:
    """Add a case (``case`` None) or change one; officials only; audited and re-indexed."""
    authorize(session, principal, Action.CASE_EDIT)
    assert principal is not None
    if errors := case_errors(fields):
        raise FieldErrors(errors)
    values = fields.model_dump()
    if case is None:
        case = UseCase(
            external_id=new_external_id("case"), created_at=now, updated_at=now, **values
        )
        changed = sorted(values)
        action = "case.created"
    else:
        changed = sorted(k for k, v in values.items() if getattr(case, k) != v)
        if not changed:
            return case
        for name in changed:
            setattr(case, name, values[name])
        bump_version(case)
        case.updated_at = now
        action = "case.updated"
    session.add(case)
    session.flush()
    assert case.id is not None
    enqueue(session, entity="use_case", entity_id=case.id, version=case.version)
    audit.record(
        session,
        action=action,
        now=now,
        actor=principal.user,
        entity="use_case",
        entity_id=case.external_id,
        detail={"fields": changed},
        ip=ip,
    )
    return case
