from __future__ import annotations

from fastapi import APIRouter

from portal.deps import ClockDep, SessionDep
from portal.networks.schemas import NetworkProgressPublic, ValueYear
from portal.networks.service import progress

router = APIRouter(prefix="/api/v1", tags=["networks"])


@router.get(
    "/networks/progress",
    response_model=NetworkProgressPublic,
    summary="5G industry virtual private networks against the plan's target",
)
def networks_progress(session: SessionDep, clock: ClockDep) -> NetworkProgressPublic:
    p = progress(session, today=clock.now().date())
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
    )
