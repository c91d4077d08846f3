"""The map of Hunan with the pilot zones and the 14 cities, and a page per place."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.dashboards.service import place_tables
from portal.deps import ClockDep, SessionDep
from portal.kit.templating import render
from portal.zones.service import cases_in, city_counts, place_counts, zone_counts

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/zones", name="zones")
def zones_page(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    today = clock.today()
    zones, cities = place_counts(session, today=today)
    zone_table, city_table = place_tables(zones, cities, today)
    places = [
        {
            "name": c.map_name,
            "label": c.name,
            "value": c.networks,
            "demands": c.demands,
            "solutions": c.solutions,
            "cases": c.cases,
            "url": str(request.app.url_path_for("city", code=c.code)),
        }
        for c in cities
    ]
    return render(
        request,
        "zones/list.html",
        {"zone_table": zone_table, "city_table": city_table, "places": places},
    )


@router.get("/cities/{code}", name="city")
def city_page(request: Request, session: SessionDep, clock: ClockDep, code: str) -> Response:
    today = clock.today()
    place = city_counts(session, code, today=today)
    zones, _ = place_counts(session, today=today)
    return render(
        request,
        "zones/place.html",
        {
            "place": place,
            "as_of": today.isoformat(),
            "cases": cases_in(session, city=code),
            "zones": [z for z in zones if z.city == code],
        },
    )


@router.get("/zones/{code}", name="zone")
def zone_page(request: Request, session: SessionDep, clock: ClockDep, code: str) -> Response:
    today = clock.today()
    place = zone_counts(session, code, today=today)
    return render(
        request,
        "zones/place.html",
        {
            "place": place,
            "as_of": today.isoformat(),
            "cases": cases_in(session, city=place.city) if place.kind == "city" else [],
            "zones": [],
        },
    )
