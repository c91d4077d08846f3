from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.dashboards.cache import data_version
from portal.deps import ClockDep, OptionalUser, SessionDep
from portal.home.service import first_steps, headline
from portal.indicators.periods import STATUS_LABELS
from portal.kit.templating import render
from portal.page_memo import for_visitors

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", name="home")
def home(request: Request, session: SessionDep, clock: ClockDep, user: OptionalUser) -> Response:
    today = clock.today()

    def build() -> Response:
        steps = first_steps(session, role=user.role) if user is not None else None
        context = {"headline": headline(session, today=today), "steps": steps}
        return render(request, "home.html", {**context, "status_labels": STATUS_LABELS})

    return for_visitors(request, build, data=(data_version(session), today))
