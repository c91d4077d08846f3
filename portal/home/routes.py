from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.deps import OptionalUser, SessionDep
from portal.home.service import first_steps, headline
from portal.kit.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", name="home")
def home(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    steps = first_steps(session, role=user.role) if user is not None else None
    return render(request, "home.html", {"headline": headline(session), "steps": steps})
