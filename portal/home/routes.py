from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.deps import ClockDep, SessionDep
from portal.home.service import headline
from portal.indicators.periods import STATUS_LABELS
from portal.kit.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", name="home")
def home(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    context = {"headline": headline(session, today=clock.now().date())}
    return render(request, "home.html", {**context, "status_labels": STATUS_LABELS})
