from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from portal.deps import ClockDep, SessionDep
from portal.networks.schemas import (
    NetworkOutcome,
    NetworkProgressPublic,
    PeriodRange,
    ValueYear,
)
from portal.networks.service import progress

router = APIRouter(prefix="/api/v1", tags=["networks"])


@router.get(
    "/networks/progress",
    response_model=NetworkProgressPublic,
    summary="5G industry virtual private networks against the plan's target",
)
def networks_progress(
    session: SessionDep,
    clock: ClockDep,
    period: Annotated[
        str | None, Query(max_length=20, description="a period code, e.g. 2021-2025")
    ] = None,
) -> NetworkProgressPublic:
    p = progress(session, today=clock.today(), period=period)
    assert p.period is not None
    o = p.outcome
    return NetworkProgressPublic(
        target=ValueYear(value=p.target, year=p.target_year),
        baseline=ValueYear(value=p.baseline, year=p.baseline_year),
        registered_in_service=p.registered_in_service,
        born_from_portal=p.born_from_portal,
        official=ValueYear(
            value=p.official.value if p.official else None,
            year=p.official.year if p.official else None,
        ),
        expected=p.expected,
        by_city=p.by_city,
        by_industry=p.by_industry,
        by_operator=p.by_operator,
        period=PeriodRange(
            baseline_year=p.period.baseline_year,
            target_year=p.period.target_year,
            ended=p.ended,
            code=p.period.code,
            name=p.period.name,
            source=p.period.source,
        ),
        status=p.status,
        status_basis=p.status_basis,
        outcome=None
        if o is None
        else NetworkOutcome(
            value=o.value,
            year=o.year,
            target=o.target,
            difference=o.difference,
            basis=o.basis,
            source=o.source,
            as_of=o.as_of,
        ),
        periods=[x.code for x in p.periods],
    )
