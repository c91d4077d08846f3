"""No two of the portal's routers share a path: FastAPI tries them in the order of
``portal.app.ROUTERS`` (the busiest first, issue 19), and that order must never change which
route answers a request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter

from portal.app import ROUTERS

# What a path parameter may be in a request: a number, a word, a file name.
SAMPLES = ("1", "new", "edit", "x.csv")


def _routes(router: Any) -> Iterator[Any]:
    for route in router.routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:  # a router included in this one
            yield from _routes(inner)
        else:
            yield route


def _shared(routers: list[Any]) -> set[tuple[str, str]]:
    """(a route's path, the path of another router's route that answers it too)."""
    routes = [list(_routes(router)) for router in routers]
    shared = set()
    for i, own in enumerate(routes):
        for route in own:
            for value in SAMPLES:
                path = re.sub(r"\{[^}]+\}", value, route.path)
                for j, others in enumerate(routes):
                    shared |= {
                        (route.path, other.path)
                        for other in others
                        if j != i and other.path_regex.match(path)
                    }
    return shared


def test_no_path_of_one_router_is_answered_by_another() -> None:
    assert sum(len(list(_routes(router))) for router in ROUTERS) > 150  # nested ones too
    assert _shared(list(ROUTERS)) == set()


def test_the_check_finds_a_shared_path() -> None:
    first, second = APIRouter(), APIRouter()
    first.add_api_route("/demands/{demand_id}", lambda demand_id: None)
    second.add_api_route("/demands/new", lambda: None)
    assert ("/demands/new", "/demands/{demand_id}") in _shared([first, second])
