import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.search.gateway import SearchGateway
from tests.factories import make_case
from tests.support.search import index


def test_list_and_detail(client: TestClient, session: Session, gateway: SearchGateway) -> None:
    case = make_case(
        session,
        title="某港口5G龙门吊远控",
        industry="ports_logistics",
        city="yueyang",
        source="https://example.org/one ; https://example.org/two",
    )
    index(session, gateway, case)
    page = client.get("/cases", params={"industry": "ports_logistics"})
    assert page.status_code == 200
    assert "某港口5G龙门吊远控" in page.text
    detail = client.get(f"/cases/{case.id}")
    assert detail.status_code == 200
    assert "https://example.org/two" in detail.text
    assert "港口物流" in detail.text and "岳阳" in detail.text


def test_filter_excludes_other_industries(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    index(
        session,
        gateway,
        make_case(session, title="钢铁案例甲", industry="steel"),
        make_case(session, title="陶瓷案例乙", industry="ceramics"),
    )
    page = client.get("/cases", params={"industry": "ceramics"}).text
    assert "陶瓷案例乙" in page and "钢铁案例甲" not in page


def test_htmx_request_gets_only_the_results_block(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    index(session, gateway, make_case(session, title="片段案例", industry="mining"))
    full = client.get("/cases", params={"industry": "mining"}).text
    fragment = client.get(
        "/cases", params={"industry": "mining"}, headers={"HX-Request": "true"}
    ).text
    assert "<html" in full and "<html" not in fragment
    assert "片段案例" in fragment and "<form" not in fragment


def test_unknown_case_is_a_404_page_in_chinese(client: TestClient) -> None:
    response = client.get("/cases/987654")
    assert response.status_code == 404
    assert "找不到该标杆案例" in response.text
    assert re.search(r"<html lang=\"zh-CN\">", response.text)


def test_pagination_links(client: TestClient, session: Session, gateway: SearchGateway) -> None:
    cases = [make_case(session, title=f"分页案例{i}", industry="agriculture") for i in range(14)]
    index(session, gateway, *cases)
    first = client.get("/cases", params={"industry": "agriculture"}).text
    assert 'rel="next"' in first and "industry=agriculture&amp;page=2" in first
    second = client.get("/cases", params={"industry": "agriculture", "page": 2}).text
    assert 'rel="prev"' in second


def test_case_page_lists_solutions_like_it(client: TestClient, session: Session, gateway) -> None:  # type: ignore[no-untyped-def]
    from portal.search.outbox import enqueue
    from portal.search.sync import drain_all
    from tests.factories import make_org, make_solution

    vendor = make_org(session, kind="integrator")
    like = make_solution(
        session,
        org=vendor,
        title="钢厂天车5G远程操控",
        industries=["steel"],
        scenarios=["remote_control"],
        capabilities=["urllc"],
        regions=["hunan"],
    )
    enqueue(session, entity="solution", entity_id=like.id or 0, version=1)
    drain_all(session, gateway)
    case = make_case(
        session,
        title="某钢厂天车远控",
        industry="steel",
        city="xiangtan",
        scenarios=["remote_control"],
        capabilities=["urllc"],
    )
    response = client.get(f"/cases/{case.id}")
    page = response.text
    assert response.status_code == 200
    main = page[page.find("<main") :]
    assert 'data-testid="similar-solutions"' in main, main[:2000]
    assert "钢厂天车5G远程操控" in main
    # Each similar solution links to its page.
    assert f'href="/solutions/{like.id}"' in main
