from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from portal.dashboards.cache import data_version
from portal.deps import ClockDep, OptionalUser, SessionDep
from portal.home.service import first_steps, headline
from portal.indicators.periods import STATUS_LABELS
from portal.kit.templating import render
from portal.models import User
from portal.page_memo import for_visitors, kept_on_loop

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", name="home")
async def home(
    request: Request, session: SessionDep, clock: ClockDep, user: OptionalUser
) -> Response:
    today = clock.today()
    # Most requests: a visitor's, answered with the kept page on the event loop.
    kept = await kept_on_loop(request, session, lambda: (data_version(session), today))
    if kept is not None:
        return kept
    return await run_in_threadpool(_home, request, session, user, today)


def _home(request: Request, session: Session, user: User | None, today: date) -> Response:
    def build() -> Response:
        steps = first_steps(session, role=user.role) if user is not None else None
        context = {"headline": headline(session, today=today), "steps": steps}
        return render(request, "home.html", {**context, "status_labels": STATUS_LABELS})

    return for_visitors(request, build, data=(data_version(session), today))
