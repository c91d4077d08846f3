from __future__ import annotations

from fastapi import APIRouter

from portal.deps import SessionDep
from portal.indicators.schemas import IndicatorPublic
from portal.indicators.service import list_indicators

router = APIRouter(prefix="/api/v1", tags=["indicators"])


@router.get("/indicators", response_model=list[IndicatorPublic], summary="Every row of 表1")
def indicators(session: SessionDep) -> list[IndicatorPublic]:
    return list_indicators(session)
