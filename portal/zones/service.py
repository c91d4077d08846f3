"""Pilot zones 三市两山 and the 14 cities: counts of demands, solutions serving the place,
networks and benchmark cases — SQL aggregates, a few GROUP BYs for all places at once.

- demands: published, by the demand's city (a park: demands that name the park as zone);
- solutions: published and not expired that serve the place — their regions hold the city,
  ``hunan`` or ``national`` (a park is served as its city is), counted through the derived
  ``solution_serving`` table;
- networks: the plan's counted networks (confirmed, in service, virtual or hybrid);
- cases: benchmark cases in the city (cases carry no park, so parks show none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from portal.dashboards.cache import memoized
from portal.dashboards.cubes import demand_cube, network_cube, total_by
from portal.kit.errors import NotFound
from portal.kit.i18n import _
from portal.models import SolutionServing, UseCase
from portal.reference.vocab import get_vocabularies


@dataclass
class PlaceCounts:
    code: str
    name: str
    kind: str  # city | park
    city: str
    map_name: str
    demands: int
    solutions: int
    networks: int
    cases: int | None  # None for parks: cases are not recorded by park


def solutions_serving(session: Session, *, today: date) -> dict[str, int]:
    """{city code: published, unexpired solutions serving it}, all 14 cities; memoized
    until a solution changes."""
    return memoized(
        session,
        ("serving", today),
        lambda: _solutions_serving(session, today=today),
        reads=("solutions",),
    )


def _solutions_serving(session: Session, *, today: date) -> dict[str, int]:
    # Kept per (city, expiry date) by the flush listener in portal.models, so this sums a
    # few thousand rows at most: the province-wide solutions are already counted in each city.
    rows = session.exec(
        select(SolutionServing.city, func.sum(SolutionServing.solutions))
        .where(col(SolutionServing.expires_on) >= today)
        .group_by(col(SolutionServing.city))
    ).all()
    counted = {city: int(n or 0) for city, n in rows}
    return {code: counted.get(code, 0) for code in get_vocabularies().codes("city")}


def _case_rows(session: Session) -> dict[str, int]:
    def compute() -> dict[str, int]:
        rows = session.exec(select(UseCase.city, func.count()).group_by(col(UseCase.city))).all()
        return {city: int(n) for city, n in rows}

    return memoized(session, ("place_cases",), compute, reads=("cases",))


def place_counts(session: Session, *, today: date) -> tuple[list[PlaceCounts], list[PlaceCounts]]:
    """(the five pilot zones, the 14 cities), summed from the memoized cubes of demands and
    networks, the solutions' serving counts and the cases per city."""
    vocab = get_vocabularies()
    demands, networks = demand_cube(session, today=today), network_cube(session)
    serving = solutions_serving(session, today=today)
    demands_city = total_by(demands, lambda c: c.city, lambda c: c.published)
    demands_zone = total_by(demands, lambda c: c.zone, lambda c: c.published)
    networks_city = total_by(networks.places, lambda c: c.city, lambda c: c.networks)
    networks_zone = total_by(networks.places, lambda c: c.zone, lambda c: c.networks)
    cases_city = _case_rows(session)
    cities = [
        PlaceCounts(
            code=code,
            name=term.name,
            kind="city",
            city=code,
            map_name=term.map_name,
            demands=demands_city.get(code, 0),
            solutions=serving.get(code, 0),
            networks=networks_city.get(code, 0),
            cases=cases_city.get(code, 0),
        )
        for code, term in vocab.terms["city"].items()
    ]
    city_of = {c.code: c for c in cities}
    zones = []
    for code, term in vocab.terms["pilot_zone"].items():
        if term.kind == "city":
            base = city_of[term.city]
            zones.append(
                PlaceCounts(
                    code, term.name, "city", term.city, base.map_name,
                    base.demands, base.solutions, base.networks, base.cases,
                )
            )  # fmt: skip
        else:
            zones.append(
                PlaceCounts(
                    code,
                    term.name,
                    "park",
                    term.city,
                    city_of[term.city].map_name,
                    demands_zone.get(code, 0),
                    serving.get(term.city, 0),
                    networks_zone.get(code, 0),
                    None,
                )
            )
    return zones, cities


def city_counts(session: Session, code: str, *, today: date) -> PlaceCounts:
    if not get_vocabularies().has("city", code):
        raise NotFound(_("找不到该城市"))
    _zones, cities = place_counts(session, today=today)
    return next(c for c in cities if c.code == code)


def zone_counts(session: Session, code: str, *, today: date) -> PlaceCounts:
    if not get_vocabularies().has("pilot_zone", code):
        raise NotFound(_("找不到该试点区域"))
    zones, _cities = place_counts(session, today=today)
    return next(z for z in zones if z.code == code)


def cases_in(session: Session, *, city: str, limit: int = 10) -> list[UseCase]:
    return list(
        session.exec(
            select(UseCase)
            .where(UseCase.city == city)
            .order_by(col(UseCase.year).desc(), col(UseCase.id))
            .limit(limit)
        ).all()
    )
