from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.deps import SessionDep
from portal.indicators.service import list_indicators
from portal.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/indicators", name="indicators")
def indicators_page(request: Request, session: SessionDep) -> Response:
    return render(request, "indicators/list.html", {"indicators": list_indicators(session)})
