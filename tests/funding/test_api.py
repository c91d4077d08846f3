"""A demand's funding calls and shared platforms in the JSON API and on its page: who sees
them, what each says, the owner's shortlist; the search of the new kinds; their import."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.clock import FrozenClock
from portal.imports.service import import_lines
from portal.models import AuditLog, Funding, FundingMark, Introduction, Organization
from portal.search.gateway import SearchGateway
from portal.search.sync import reindex
from tests.factories import (
    make_demand,
    make_funding,
    make_incubation,
    make_org,
    make_platform,
    make_solution,
    make_token,
    make_user,
)
from tests.support.web import sign_in


def bearer(session: Session, org: Organization | None = None, **kw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(session, make_user(session, org=org, **kw))}"}


def _loan(session: Session, clock: FrozenClock, **kw: object) -> Funding:
    values: dict[str, object] = {
        "title": "5G项目贷（陶瓷、钢铁）",
        "industries": ["ceramics", "steel"],
        "regions": ["zhuzhou", "xiangtan"],
        "amount_min": 100.0,
        "amount_max": 3000.0,
        "deadline": clock.today() + timedelta(days=30),
        "status": "published",
    }
    values.update(kw)
    return make_funding(session, **values)


def test_the_owner_sees_the_calls_the_demand_is_eligible_for(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    need = make_demand(session, industry="ceramics", city="zhuzhou", budget_max=300.0)
    loan = _loan(session, clock)
    _loan(session, clock, title="长沙专项", regions=["changsha"])
    _loan(session, clock, title="已截止", deadline=clock.today() - timedelta(days=1))
    _loan(session, clock, title="待审核", status="pending")
    later = _loan(session, clock, title="签约后贷款", stages=["contract"])
    today = _loan(session, clock, title="今天截止", deadline=clock.today())
    headers = bearer(session, session.get(Organization, need.org_id))
    body = client.get(f"/api/v1/demands/{need.id}/funding", headers=headers).json()
    titles = [m["title"] for m in body["matches"]]
    assert set(titles) == {loan.title, today.title, later.title}
    assert titles[-1] == later.title  # not yet eligible: last
    first = body["matches"][0]
    assert {"id", "external_id", "title", "score", "explanation"} <= set(first)
    by_title = {m["title"]: m for m in body["matches"]}
    assert "支持陶瓷行业" in by_title[loan.title]["explanation"]
    assert "面向株洲" in by_title[loan.title]["explanation"]
    assert by_title[later.title]["eligible"] is False
    assert by_title[later.title]["missing"] == ["需进入已签约阶段后可申请"]
    assert "需进入已签约阶段后可申请" in by_title[later.title]["explanation"]


def test_funding_and_platforms_are_for_the_owners_and_officials_only(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    need = make_demand(session, status="published")
    session.commit()
    for path in (f"/api/v1/demands/{need.id}/funding", f"/api/v1/demands/{need.id}/platforms"):
        assert client.get(path).status_code == 401
        stranger = bearer(session, make_org(session))
        assert client.get(path, headers=stranger).status_code == 403
        assert client.get(path, headers=bearer(session, role="official")).status_code == 200
    assert client.get("/api/v1/demands/999999/funding", headers=stranger).status_code == 404


def test_platforms_serving_the_city_for_what_the_demand_needs(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    need = make_demand(session, city="zhuzhou", scenarios=["machine_vision_qc", "agv_logistics"])
    ai = make_platform(
        session, title="工业AI平台", platform_capabilities=["ai"], status="published"
    )
    make_platform(
        session,
        title="长沙定位",
        platform_capabilities=["positioning_indoor"],
        regions=["changsha"],
        status="published",
    )
    make_platform(session, title="VR平台", platform_capabilities=["ar_vr"], status="published")
    headers = bearer(session, session.get(Organization, need.org_id))
    body = client.get(f"/api/v1/demands/{need.id}/platforms", headers=headers).json()
    assert [m["title"] for m in body["matches"]] == [ai.title]
    assert "提供人工智能（需求涉及机器视觉质检）" in body["matches"][0]["explanation"]
    assert "不提供：5G室内蜂窝定位" in body["matches"][0]["explanation"]


def test_platform_needs_are_inferred_from_the_words_of_a_demand(
    client: TestClient, session: Session
) -> None:
    need = make_demand(
        session, title="仓库叉车和人员的室内定位", description="需要知道叉车和工人在车间的位置"
    )
    make_platform(
        session,
        title="室内定位平台",
        platform_capabilities=["positioning_indoor"],
        status="published",
    )
    headers = bearer(session, session.get(Organization, need.org_id))
    body = client.get(f"/api/v1/demands/{need.id}/platforms", headers=headers).json()
    assert [m["title"] for m in body["matches"]] == ["室内定位平台"]


def test_the_owner_shortlists_a_call_on_the_demand_page(
    client: TestClient, session: Session, clock: FrozenClock, gateway: SearchGateway
) -> None:
    org = make_org(session)
    user = make_user(session, org=org)
    need = make_demand(session, org=org, status="published", budget_max=300.0)
    loan = _loan(session, clock)
    make_platform(session, platform_capabilities=["ai"], status="published")
    session.commit()
    csrf = sign_in(client, user.email)
    page = client.get(f"/demands/{need.id}").text
    assert 'data-testid="funding-eligible"' in page and loan.title in page
    response = client.post(
        f"/demands/{need.id}/funding/{loan.id}/shortlist",
        data={"csrf_token": csrf, "action": "shortlist"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].endswith("#funding")
    assert session.exec(select(FundingMark.funding_id)).all() == [loan.id]
    assert 'data-testid="funding-shortlisted"' in client.get(f"/demands/{need.id}").text
    [audit] = session.exec(select(AuditLog).where(AuditLog.action == "funding.shortlisted"))
    assert audit.entity_id == need.external_id and audit.detail == {"funding": loan.external_id}
    client.post(
        f"/demands/{need.id}/funding/{loan.id}/shortlist",
        data={"csrf_token": csrf, "action": "unshortlist"},
    )
    assert session.exec(select(FundingMark)).all() == []
    # Another enterprise may not shortlist on this demand.
    client.cookies.clear()
    csrf = sign_in(client, make_user(session, org=make_org(session)).email)
    refused = client.post(
        f"/demands/{need.id}/funding/{loan.id}/shortlist",
        data={"csrf_token": csrf, "action": "shortlist"},
    )
    assert refused.status_code == 403


def test_the_shortlist_in_the_api(client: TestClient, session: Session, clock: FrozenClock) -> None:
    need = make_demand(session, budget_max=300.0)
    loan = _loan(session, clock)
    headers = bearer(session, session.get(Organization, need.org_id))
    path = f"/api/v1/demands/{need.id}/funding/{loan.id}/shortlist"
    assert client.put(path, headers=headers).status_code == 204
    body = client.get(f"/api/v1/demands/{need.id}/funding", headers=headers).json()
    assert body["matches"][0]["shortlisted"] is True
    assert client.delete(path, headers=headers).status_code == 204
    missing = client.put(f"/api/v1/demands/{need.id}/funding/999999/shortlist", headers=headers)
    assert missing.status_code == 422


def test_search_by_type_with_facets(
    client: TestClient, session: Session, clock: FrozenClock, gateway: SearchGateway
) -> None:
    _loan(session, clock)
    _loan(session, clock, title="省级5G应用专项资金", industries=[], regions=["hunan"])
    _loan(session, clock, title="长沙专项", industries=["electronics"], regions=["changsha"])
    make_platform(session, platform_capabilities=["positioning_outdoor"], status="published")
    make_incubation(session, regions=["malanshan"], support=["space"], status="published")
    reindex(session, gateway)
    funding = client.get(
        "/api/v1/search", params={"type": "funding", "industry": "ceramics", "city": "zhuzhou"}
    ).json()
    assert sorted(h["title"] for h in funding["hits"]) == [
        "5G项目贷（陶瓷、钢铁）",
        "省级5G应用专项资金",
    ]
    assert funding["facets"]["industry"]["ceramics"] == 2
    assert funding["hits"][0]["amount_min"] is not None or funding["hits"][1]["amount_min"]
    platforms = client.get(
        "/api/v1/search", params={"type": "platform", "platform_capability": "positioning_outdoor"}
    ).json()
    assert platforms["total"] == 1
    incubation = client.get(
        "/api/v1/search", params={"type": "incubation", "zone": "malanshan"}
    ).json()
    assert incubation["total"] == 1 and incubation["hits"][0]["support"] == ["space"]
    assert (
        client.get("/api/v1/search", params={"type": "incubation", "zone": "yuelushan"}).json()[
            "total"
        ]
        == 0
    )
    page = client.get("/funds", params={"city": "zhuzhou"})
    assert page.status_code == 200 and "5G项目贷（陶瓷、钢铁）" in page.text
    assert "长沙专项" not in page.text


def test_import_of_the_three_kinds(session: Session) -> None:
    lines = [
        {
            "type": "organization",
            "external_id": "o-bank",
            "name": "某银行",
            "kind": "finance",
            "city": "changsha",
        },
        {
            "type": "organization",
            "external_id": "o-park",
            "name": "某园区",
            "kind": "incubator",
            "city": "changsha",
        },
        {
            "type": "organization",
            "external_id": "o-ent",
            "name": "某企业",
            "kind": "enterprise",
            "city": "zhuzhou",
        },
        {
            "type": "funding",
            "external_id": "f1",
            "org": "o-bank",
            "title": "5G项目贷",
            "regions": ["zhuzhou", "yuelushan"],
            "stages": ["poc"],
            "amount_min": 100,
            "deadline": "2027-06-30",
        },
        {
            "type": "platform",
            "external_id": "p1",
            "org": "o-bank",
            "title": "银行不能发布平台",
            "platform_capabilities": ["ai"],
            "regions": ["hunan"],
        },
        {
            "type": "incubation",
            "external_id": "i1",
            "org": "o-park",
            "title": "孵化营",
            "regions": ["malanshan"],
            "support": ["space", "demo_day"],
            "starts_on": "2027-03-01",
            "ends_on": "2027-09-01",
        },
        {
            "type": "funding",
            "external_id": "f2",
            "org": "o-ent",
            "title": "企业不能发布资金",
            "regions": ["hunan"],
        },
        {
            "type": "funding",
            "external_id": "f3",
            "org": "o-bank",
            "title": "坏的阶段",
            "regions": ["hunan"],
            "stages": ["idea"],
        },
    ]
    good = [x for x in lines if x.get("external_id") not in ("p1", "f2", "f3")]
    report = import_lines(session, [json.dumps(x, ensure_ascii=False) for x in good])
    assert report.ok and report.created["funding"] == 1 and report.created["incubation"] == 1
    again = import_lines(session, [json.dumps(x, ensure_ascii=False) for x in good])
    assert again.ok and again.unchanged["funding"] == 1 and not again.created
    report = import_lines(session, [json.dumps(x, ensure_ascii=False) for x in lines])
    issues = {(i.line, i.field) for i in report.issues}
    assert issues == {(5, "org"), (7, "org"), (8, "stages")}
    assert all("不能发布" in i.message for i in report.issues if i.field == "org")


def test_an_introduction_at_poc_shows_the_calls_it_opened(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    enterprise = make_org(session)
    buyer = make_user(session, org=enterprise)
    need = make_demand(session, org=enterprise, budget_max=300.0, status="published")
    offer = make_solution(session, status="published")
    poc_call = _loan(session, clock, title="方案验证补助", stages=["poc"])
    intro = Introduction(
        demand_id=need.id,
        solution_id=offer.id,
        initiator="demand",
        requester_org_id=enterprise.id,
        receiver_org_id=offer.org_id,
        message="希望进一步沟通方案验证的安排和周期。",
        stage="negotiating",
        expires_at=clock.now() + timedelta(days=14),
        answered_at=clock.now(),
    )
    session.add(intro)
    session.commit()
    sign_in(client, buyer.email)
    assert 'data-testid="intro-funding"' not in client.get(f"/introductions/{intro.id}").text
    intro.stage = "poc"
    session.add(intro)
    session.commit()
    page = client.get(f"/introductions/{intro.id}").text
    assert 'data-testid="intro-funding"' in page and poc_call.title in page
    assert "项目已进入方案验证阶段" in page


def test_what_the_notifications_will_read(session: Session, clock: FrozenClock) -> None:
    """Issue 14 raises the alerts; these say whom a new call fits and which shortlisted
    calls are near their deadline."""
    from portal.funding.service import demands_fitting_call, shortlisted_due
    from portal.search.gateway import get_pipeline

    today = clock.today()
    fits = make_demand(session, industry="ceramics", city="zhuzhou", status="published")
    make_demand(session, industry="ceramics", city="changsha", status="published")
    make_demand(session, industry="ceramics", city="zhuzhou", status="draft")
    loan = _loan(session, clock, amount_min=None, deadline=today + timedelta(days=3))
    assert [d.id for d, _ in demands_fitting_call(session, get_pipeline(), loan, today=today)] == [
        fits.id
    ]
    far = _loan(session, clock, amount_min=None, deadline=today + timedelta(days=30))
    for call in (loan, far):
        session.add(FundingMark(org_id=fits.org_id, demand_id=fits.id, funding_id=call.id))
    session.flush()
    assert [f.id for _, f in shortlisted_due(session, today=today, within_days=3)] == [loan.id]
    assert [f.id for _, f in shortlisted_due(session, today=today, within_days=2)] == []


def test_the_search_pages_offer_each_kinds_facets(
    client: TestClient, session: Session, clock: FrozenClock, gateway: SearchGateway
) -> None:
    _loan(session, clock, stages=["contract"], org_kinds=["enterprise"])
    make_platform(session, platform_capabilities=["uhd_video"], access="api", status="published")
    make_incubation(session, regions=["yuelushan"], support=["mentoring"], status="published")
    reindex(session, gateway)
    funds = client.get("/funds").text
    assert "项目阶段" in funds and "申请机构类型" in funds and "已签约" in funds
    platforms = client.get("/platforms").text
    assert "平台能力" in platforms and "超高清视频" in platforms and "API 调用" in platforms
    incubation = client.get("/incubations", params={"zone": "yuelushan"}).text
    assert "创业导师" in incubation and "5G应用孵化" in incubation
    narrowed = client.get("/incubations", params={"zone": "malanshan"}).text
    assert "没有找到符合条件的孵化项目" in narrowed


def test_the_public_profile_lists_the_organisations_calls(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    bank = make_org(session, kind="finance")
    loan = _loan(session, clock, org=bank)
    _loan(session, clock, org=bank, title="草稿中的贷款", status="draft")
    session.commit()
    page = client.get(f"/organizations/{bank.id}").text
    assert 'data-testid="org-funds"' in page and loan.title in page
    assert "草稿中的贷款" not in page
