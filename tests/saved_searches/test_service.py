"""A new listing meets a saved search as the search page would find it: the same filter
(for solutions, a city means "serves it"), any of the query's words."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from portal.models import SavedSearch
from portal.saved_searches import service
from portal.search.documents import demand_document, solution_document
from portal.search.gateway import get_pipeline
from tests.factories import make_demand, make_org, make_solution

TODAY = date(2026, 11, 1)


def _search(type_: str, q: str = "", **filters: str) -> SavedSearch:
    words = get_pipeline().query_tokens(q) if q else []
    return SavedSearch(id=1, user_id=1, type=type_, name="s", q=q, filters=filters, words=words)


def test_demands_meet_filters_and_words(session: Session) -> None:
    org = make_org(session, city="zhuzhou")
    row = make_demand(
        session,
        org,
        title="陶瓷窑炉釉面缺陷检测",
        industry="ceramics",
        city="zhuzhou",
        status="published",
    )
    doc = demand_document(get_pipeline(), row, org)
    meets = lambda s: service.meeting([s], "demand", doc, today=TODAY) == [s]  # noqa: E731
    assert meets(_search("demand", "陶瓷", industry="ceramics", city="zhuzhou"))
    assert meets(_search("demand", zone="zhuzhou"))  # a pilot city is its own zone
    assert not meets(_search("demand", "陶瓷", city="changsha"))
    assert not meets(_search("demand", "钢铁"))
    assert not meets(_search("demand", industry="steel"))


def test_a_solution_serving_the_province_meets_a_city_search(session: Session) -> None:
    org = make_org(session, kind="integrator")
    row = make_solution(
        session,
        org,
        title="机器视觉质检",
        industries=["ceramics"],
        regions=["hunan"],
        status="published",
    )
    doc = solution_document(get_pipeline(), row, org)
    assert service.meeting([_search("solution", city="zhuzhou")], "solution", doc, today=TODAY)
    assert not service.meeting(
        [_search("solution", industry="steel")], "solution", doc, today=TODAY
    )
