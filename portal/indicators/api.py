from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from portal.deps import ClockDep, SessionDep
from portal.indicators.schemas import IndicatorPublic
from portal.indicators.service import list_indicators

router = APIRouter(prefix="/api/v1", tags=["indicators"])


@router.get("/indicators", response_model=list[IndicatorPublic], summary="Every row of 表1")
def indicators(
    session: SessionDep,
    clock: ClockDep,
    period: Annotated[
        str | None, Query(max_length=20, description="a period code, e.g. 2021-2025")
    ] = None,
) -> list[IndicatorPublic]:
    return list_indicators(session, today=clock.today(), period=period)
