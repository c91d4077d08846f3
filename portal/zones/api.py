from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from portal.deps import ClockDep, SessionDep
from portal.zones.schemas import PlacePublic, ZonesPublic
from portal.zones.service import place_counts

router = APIRouter(prefix="/api/v1", tags=["zones"])


@router.get("/zones", response_model=ZonesPublic, summary="Pilot zones 三市两山 and the 14 cities")
def zones(session: SessionDep, clock: ClockDep) -> ZonesPublic:
    today = clock.today()
    zone_rows, city_rows = place_counts(session, today=today)
    return ZonesPublic(
        as_of=today.isoformat(),
        zones=[PlacePublic.model_validate(asdict(z)) for z in zone_rows],
        cities=[PlacePublic.model_validate(asdict(c)) for c in city_rows],
    )
