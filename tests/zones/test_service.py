from datetime import date

from sqlmodel import Session

from portal.zones.service import place_counts, solutions_serving
from tests.factories import make_case, make_demand, make_network, make_solution

TODAY = date(2026, 1, 5)


def counts(session: Session) -> tuple[dict, dict]:  # type: ignore[type-arg]
    zones, cities = place_counts(session, today=TODAY)
    return {z.code: z for z in zones}, {c.code: c for c in cities}


def test_solutions_serving_a_city_include_province_wide_ones(session: Session) -> None:
    before = solutions_serving(session, today=TODAY)
    make_solution(session, regions=["huaihua"])
    make_solution(session, regions=["huaihua", "hunan"])  # counted once
    make_solution(session, regions=["national"])
    make_solution(session, regions=["huaihua"], status="draft")
    make_solution(session, regions=["huaihua"], expires_on=date(2025, 1, 1))
    after = solutions_serving(session, today=TODAY)
    assert after["huaihua"] == before["huaihua"] + 3
    assert after["loudi"] == before["loudi"] + 2


def test_the_derived_table_follows_edits(session: Session) -> None:
    solution = make_solution(session, regions=["yongzhou"])
    before = solutions_serving(session, today=TODAY)["yongzhou"]
    solution.status = "archived"
    session.add(solution)
    session.flush()
    assert solutions_serving(session, today=TODAY)["yongzhou"] == before - 1
    solution.status, solution.regions = "published", ["yongzhou", "chenzhou"]
    session.add(solution)
    session.flush()
    assert solutions_serving(session, today=TODAY)["yongzhou"] == before
    session.delete(solution)
    session.flush()
    assert solutions_serving(session, today=TODAY)["yongzhou"] == before - 1


def test_cities_and_zones_count_demands_networks_and_cases(session: Session) -> None:
    zones0, cities0 = counts(session)
    make_demand(session, city="changsha", zone="malanshan")
    make_demand(session, city="changsha", status="draft")
    make_network(session, city="changsha", zone="malanshan")
    make_network(session, city="changsha", mode="independent")
    make_case(session, city="changsha")
    zones, cities = counts(session)
    assert len(cities) == 14 and len(zones) == 5
    assert cities["changsha"].demands == cities0["changsha"].demands + 1
    assert cities["changsha"].networks == cities0["changsha"].networks + 1
    assert cities["changsha"].cases == (cities0["changsha"].cases or 0) + 1
    assert zones["malanshan"].demands == zones0["malanshan"].demands + 1
    assert zones["malanshan"].networks == zones0["malanshan"].networks + 1
    assert zones["malanshan"].cases is None
    assert zones["changsha"].demands == cities["changsha"].demands
