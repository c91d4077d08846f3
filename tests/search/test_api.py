"""GET /api/v1/search over the demo data set, through the real embedded backend."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.bootstrap import DEMO_FILE
from portal.clock import Clock
from portal.imports.service import import_lines
from portal.models import Demand, Organization, Solution
from portal.search.gateway import SearchGateway
from portal.search.sync import drain_all


@pytest.fixture
def demo(session: Session, gateway: SearchGateway) -> None:
    report = import_lines(session, DEMO_FILE.read_text(encoding="utf-8").splitlines(), demo=True)
    assert report.ok, report.issues[:3]
    session.flush()
    drain_all(session, gateway)


def search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_ceramics_listings_come_first_for_taoci(client: TestClient, demo: None) -> None:
    for kind, field in (("solution", "industries"), ("demand", "industry")):
        hits = search(client, type=kind, q="陶瓷")["hits"]
        assert hits, kind
        top = hits[0][field]
        assert top == "ceramics" or "ceramics" in top, (kind, hits[0]["title"])
        scores = [h["score"] for h in hits]
        assert scores == sorted(scores, reverse=True)


def test_facet_counts_equal_the_database(client: TestClient, session: Session, demo: None) -> None:
    result = search(client, type="demand", city="zhuzhou", per_page=100)
    today = Clock().today()
    rows = [
        d
        for d in session.exec(select(Demand).where(Demand.city == "zhuzhou")).all()
        if d.status == "published" and (d.deadline is None or d.deadline >= today)
    ]
    assert result["total"] == len(rows)
    expected: dict[str, int] = {}
    for d in rows:
        expected[d.industry] = expected.get(d.industry, 0) + 1
    assert result["facets"]["industry"] == expected
    kinds: dict[str, int] = {}
    for d in rows:
        org = session.get(Organization, d.org_id)
        assert org is not None
        kinds[org.kind] = kinds.get(org.kind, 0) + 1
    assert result["facets"]["org_kind"] == kinds


def test_city_filter_on_solutions_means_serves_that_city(
    client: TestClient, session: Session, demo: None
) -> None:
    result = search(client, type="solution", city="chenzhou", per_page=100)
    serving = [
        s
        for s in session.exec(select(Solution).where(Solution.status == "published")).all()
        if {"chenzhou", "hunan", "national"} & set(s.regions)
    ]
    assert result["total"] == len(serving)
    for hit in result["hits"]:
        assert {"chenzhou", "hunan", "national"} & set(hit["regions"])


def test_use_cases_by_zone_and_sort(
    client: TestClient, gateway: SearchGateway, session: Session
) -> None:
    from portal.search.outbox import enqueue
    from tests.factories import make_case

    for year, city in ((2019, "xiangtan"), (2023, "xiangtan"), (2021, "chenzhou")):
        case = make_case(session, city=city, year=year, title=f"{city}{year}案例")
        enqueue(session, entity="use_case", entity_id=case.id or 0, version=1)
    drain_all(session, gateway)
    result = search(client, type="use_case", zone="xiangtan", sort="year")
    assert [h["year"] for h in result["hits"]] == [2023, 2019]


def test_anonymous_demands_hide_the_organisation(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    from portal.search.outbox import enqueue
    from tests.factories import make_demand

    demand = make_demand(session, title="匿名发布的窑炉改造需求", anonymous=True)
    enqueue(session, entity="demand", entity_id=demand.id or 0, version=1)
    drain_all(session, gateway)
    hit = search(client, type="demand", q="窑炉")["hits"][0]
    assert hit["title"] == "匿名发布的窑炉改造需求" and hit["org_name"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"type": "solution", "industry": "spaceships"},
        {"type": "demand", "sort": "year"},
        {"type": "recipe"},
        {"type": "solution", "per_page": 0},
    ],
)
def test_bad_parameters_are_422(client: TestClient, params: dict[str, Any]) -> None:
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
