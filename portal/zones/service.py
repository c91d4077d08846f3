"""Pilot zones 三市两山 and the 14 cities: counts of demands, solutions serving the place,
networks and benchmark cases — SQL aggregates, a few GROUP BYs for all places at once.

- demands: published, by the demand's city (a park: demands that name the park as zone);
- solutions: published and not expired that serve the place — their regions hold the city,
  ``hunan`` or ``national`` (a park is served as its city is), counted through the derived
  ``solution_reach`` table;
- networks: the plan's counted networks (confirmed, in service, virtual or hybrid);
- cases: benchmark cases in the city (cases carry no park, so parks show none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case
from sqlmodel import Session, col, func, or_, select

from portal.dashboards.cache import memoized
from portal.errors import NotFound
from portal.models import Demand, PrivateNetwork, SolutionReach, UseCase
from portal.networks.service import counted_networks_filter
from portal.reference.vocab import get_vocabularies

PROVINCE_WIDE = ("hunan", "national")


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


def _live_reach(today: date) -> Any:
    return or_(col(SolutionReach.expires_on).is_(None), col(SolutionReach.expires_on) >= today)


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
    # A city is served by the province-wide solutions and by those naming it: |wide ∪
    # named(c)| = |wide| + |named(c)| − |named(c) ∩ wide|, from the distinct (solution,
    # region) pairs counted once — no COUNT(DISTINCT) over a NOT IN per region.
    live = _live_reach(today)
    wide_ids = select(SolutionReach.solution_id).where(
        col(SolutionReach.region).in_(PROVINCE_WIDE), live
    )
    wide = session.exec(select(func.count()).select_from(wide_ids.distinct().subquery())).one()
    pairs = (
        select(SolutionReach.solution_id, SolutionReach.region).where(live).distinct().subquery()
    )
    rows = session.exec(
        select(
            pairs.c.region,
            func.count(),
            func.sum(case((pairs.c.solution_id.in_(wide_ids), 1), else_=0)),
        ).group_by(pairs.c.region)
    ).all()
    named = {region: int(n) - int(both or 0) for region, n, both in rows}
    return {code: named.get(code, 0) + int(wide) for code in get_vocabularies().codes("city")}


def place_counts(session: Session, *, today: date) -> tuple[list[PlaceCounts], list[PlaceCounts]]:
    """(the five pilot zones, the 14 cities). Each family's aggregates are memoized until
    that family changes, so a write recounts only what it touched."""
    return _place_counts(session, today=today)


def _demand_rows(session: Session) -> list[tuple[str, str | None, int]]:
    def compute() -> list[tuple[str, str | None, int]]:
        rows = session.exec(
            select(Demand.city, Demand.zone, func.count())
            .where(Demand.status == "published")
            .group_by(col(Demand.city), col(Demand.zone))
        ).all()
        return [(city, zone, int(n)) for city, zone, n in rows]

    return memoized(session, ("place_demands",), compute, reads=("demands",))


def _network_rows(session: Session) -> list[tuple[str, str | None, int]]:
    def compute() -> list[tuple[str, str | None, int]]:
        rows = session.exec(
            select(PrivateNetwork.city, PrivateNetwork.zone, func.count())
            .where(*counted_networks_filter())
            .group_by(col(PrivateNetwork.city), col(PrivateNetwork.zone))
        ).all()
        return [(city, zone, int(n)) for city, zone, n in rows]

    return memoized(session, ("place_networks",), compute, reads=("networks",))


def _case_rows(session: Session) -> dict[str, int]:
    def compute() -> dict[str, int]:
        rows = session.exec(select(UseCase.city, func.count()).group_by(col(UseCase.city))).all()
        return {city: int(n) for city, n in rows}

    return memoized(session, ("place_cases",), compute, reads=("cases",))


def _place_counts(session: Session, *, today: date) -> tuple[list[PlaceCounts], list[PlaceCounts]]:
    vocab = get_vocabularies()
    demand_rows = _demand_rows(session)
    network_rows = _network_rows(session)
    serving = solutions_serving(session, today=today)

    def by_city(rows: Any) -> dict[str, int]:
        out: dict[str, int] = {}
        for city, _zone, n in rows:
            out[city] = out.get(city, 0) + int(n)
        return out

    def by_zone(rows: Any) -> dict[str, int]:
        out: dict[str, int] = {}
        for _city, zone, n in rows:
            if zone:
                out[zone] = out.get(zone, 0) + int(n)
        return out

    demands_city, demands_zone = by_city(demand_rows), by_zone(demand_rows)
    networks_city, networks_zone = by_city(network_rows), by_zone(network_rows)
    cases_city = _case_rows(session)
    cities = [
        PlaceCounts(
            code=code,
            name=term.name_zh,
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
                    code, term.name_zh, "city", term.city, base.map_name,
                    base.demands, base.solutions, base.networks, base.cases,
                )
            )  # fmt: skip
        else:
            zones.append(
                PlaceCounts(
                    code,
                    term.name_zh,
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
        raise NotFound("找不到该城市")
    _, cities = place_counts(session, today=today)
    return next(c for c in cities if c.code == code)


def zone_counts(session: Session, code: str, *, today: date) -> PlaceCounts:
    if not get_vocabularies().has("pilot_zone", code):
        raise NotFound("找不到该试点区域")
    zones, _ = place_counts(session, today=today)
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
