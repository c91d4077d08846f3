from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from portal.indicators.schemas import IndicatorActual, IndicatorPublic
from portal.models import Indicator, IndicatorValue


def list_indicators(session: Session) -> list[IndicatorPublic]:
    actuals: dict[str, list[IndicatorActual]] = defaultdict(list)
    values = session.exec(
        select(IndicatorValue).order_by(
            col(IndicatorValue.indicator_code), col(IndicatorValue.year)
        )
    )
    for v in values:
        actuals[v.indicator_code].append(
            IndicatorActual(year=v.year, value=v.value, source=v.source)
        )
    rows = session.exec(select(Indicator).order_by(col(Indicator.sort)))
    return [
        IndicatorPublic(
            code=row.code,
            seq=row.seq,
            category=row.category,
            name=row.name,
            parent=row.parent_code,
            unit=row.unit,
            baseline_year=row.baseline_year,
            baseline=row.baseline,
            baseline_printed=row.baseline_printed,
            target_year=row.target_year,
            target=row.target,
            target_printed=row.target_printed,
            growth=row.growth_printed,
            growth_kind=row.growth_kind,
            growth_rate=row.growth,
            actuals=actuals[row.code],
        )
        for row in rows
    ]


def latest_actual(session: Session, code: str) -> IndicatorValue | None:
    return session.exec(
        select(IndicatorValue)
        .where(IndicatorValue.indicator_code == code)
        .order_by(col(IndicatorValue.year).desc())
    ).first()
