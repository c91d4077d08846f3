"""The search pages over the demo data set: 陶瓷 puts the ceramics listings first, and the
number beside each facet is what the database holds for that filter."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.bootstrap import DEMO_FILE
from portal.clock import Clock
from portal.imports.service import import_lines
from portal.models import Demand, Organization, Solution
from portal.search.gateway import SearchGateway
from portal.search.sync import drain_all
from tests.factories import make_solution


@pytest.fixture
def demo(session: Session, gateway: SearchGateway) -> None:
    report = import_lines(session, DEMO_FILE.read_text(encoding="utf-8").splitlines(), demo=True)
    assert report.ok, report.issues[:3]
    session.flush()
    drain_all(session, gateway)


def result_links(html: str, kind: str) -> list[int]:
    block = html[html.find('data-testid="results"') :]
    return [int(i) for i in re.findall(rf'href="/{kind}/(\d+)"', block)]


def facet_counts(html: str, name: str) -> dict[str, int]:
    select_html = re.search(rf'<select id="f-{name}".*?</select>', html, re.S)
    assert select_html, name
    return {
        code: int(count)
        for code, count in re.findall(
            r'<option value="(\w+)"[^>]*>[^<]*（(\d+)）</option>', select_html.group(0)
        )
    }


def test_taoci_puts_the_ceramics_listings_first(
    client: TestClient, session: Session, demo: None
) -> None:
    for kind, model in (("solutions", Solution), ("demands", Demand)):
        page = client.get(f"/{kind}", params={"q": "陶瓷"}).text
        ids = result_links(page, kind)
        assert ids, kind
        top = session.get(model, ids[0])
        assert top is not None
        industries = top.industries if isinstance(top, Solution) else [top.industry]
        assert "ceramics" in industries, (kind, top.title)


def test_demand_facet_counts_equal_the_database(
    client: TestClient, session: Session, demo: None
) -> None:
    page = client.get("/demands", params={"city": "zhuzhou"}).text
    today = Clock().today()
    rows = [
        d
        for d in session.exec(select(Demand).where(Demand.city == "zhuzhou")).all()
        if d.status == "published" and (d.deadline is None or d.deadline >= today)
    ]
    assert f"共 {len(rows)} 个需求" in page
    expected: dict[str, int] = {}
    kinds: dict[str, int] = {}
    for d in rows:
        expected[d.industry] = expected.get(d.industry, 0) + 1
        org = session.get(Organization, d.org_id)
        assert org is not None
        kinds[org.kind] = kinds.get(org.kind, 0) + 1
    assert facet_counts(page, "industry") == expected
    assert facet_counts(page, "org_kind") == kinds


def test_solution_city_counts_are_what_choosing_the_city_finds(
    client: TestClient, session: Session, demo: None
) -> None:
    page = client.get("/solutions", params={"industry": "ceramics"}).text
    counts = facet_counts(page, "city")
    published = [
        s
        for s in session.exec(select(Solution).where(Solution.status == "published")).all()
        if not s.industries or "ceramics" in s.industries
    ]
    for city in ("zhuzhou", "chenzhou", "changsha"):
        serving = [s for s in published if {city, "hunan", "national"} & set(s.regions)]
        # Solutions open to any industry do not carry the ceramics code in the index.
        serving = [s for s in serving if "ceramics" in s.industries]
        assert counts.get(city, 0) == len(serving), city
        narrowed = client.get("/solutions", params={"industry": "ceramics", "city": city}).text
        assert f"共 {len(serving)} 个解决方案" in narrowed


def test_the_url_holds_the_whole_state(client: TestClient, demo: None) -> None:
    page = client.get(
        "/demands", params={"q": "陶瓷", "industry": "ceramics", "sort": "deadline"}
    ).text
    assert 'value="陶瓷"' in page
    assert re.search(r'<option value="ceramics" selected>', page)
    assert re.search(r'<option value="deadline" selected>', page)
    assert 'hx-push-url="true"' in page and 'hx-trigger="input changed delay:200ms' in page
    assert 'method="get"' in page and 'type="submit"' in page


def test_pagination_keeps_the_filters(client: TestClient, demo: None) -> None:
    page = client.get("/solutions", params={"sort": "newest"}).text
    assert 'rel="next"' in page
    assert "sort=newest&amp;page=2" in page


def test_a_solution_holding_a_city_and_the_province_is_counted_once_for_that_city(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    from portal.search.outbox import enqueue

    for title, regions in (
        ("窑炉专网甲", ["huaihua", "hunan"]),
        ("窑炉专网乙", ["national"]),
        ("窑炉专网丙", ["huaihua"]),
        ("窑炉专网丁", ["loudi"]),
    ):
        row = make_solution(session, title=title, status="published", regions=regions)
        enqueue(session, entity="solution", entity_id=row.id or 0, version=row.version)
    drain_all(session, gateway)
    counts = facet_counts(client.get("/solutions", params={"q": "窑炉专网"}).text, "city")
    assert counts["huaihua"] == 3  # 甲 once, 乙 (the nation), 丙
    assert counts["loudi"] == 3  # 甲 (the province), 乙, 丁
    assert counts["changsha"] == 2
