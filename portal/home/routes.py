from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.deps import SessionDep
from portal.home.service import headline
from portal.kit.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", name="home")
def home(request: Request, session: SessionDep) -> Response:
    return render(request, "home.html", {"headline": headline(session)})
