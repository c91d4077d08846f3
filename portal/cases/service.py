"""The benchmark-case library (标杆案例)."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from portal.errors import NotFound
from portal.models import UseCase
from portal.pagination import Page


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
        raise NotFound("找不到该标杆案例")
    return case


def count_cases(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(UseCase)).one())


def split_sources(source: str | None) -> list[str]:
    """The source field may hold several addresses separated by ';' or whitespace."""
    if not source:
        return []
    parts = [p.strip() for chunk in source.split(";") for p in chunk.split()]
    return [p for p in parts if p]
