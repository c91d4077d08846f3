"""Demand pages: the enterprise's form, expiry, anonymity, and the ranked matches."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.clock import Clock
from portal.models import Demand, Organization, Solution
from portal.search.gateway import SearchGateway
from tests.factories import make_demand, make_org, make_solution, make_user
from tests.support.search import index
from tests.support.web import sign_in

FUTURE = (Clock().today() + timedelta(days=90)).isoformat()


def enterprise(client: TestClient, session: Session) -> tuple[str, Organization]:
    org = make_org(session, kind="enterprise", name="醴陵瓷都陶瓷厂")
    user = make_user(session, org=org)
    return sign_in(client, user.email), org


def form(csrf: str, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": csrf,
        "title": "陶瓷酒瓶釉面缺陷自动检测",
        "description": "出窑后人工检选漏检多，希望用机器视觉自动识别釉面缺陷。",
        "industry": "ceramics",
        "city": "zhuzhou",
        "scenarios": ["machine_vision_qc"],
        "must_have": ["mec"],
        "budget_min": "50",
        "budget_max": "120",
        "deadline": FUTURE,
        "intent": "submit",
    }
    data.update(changes)
    return data


def glaze_inspection(session: Session, gateway: SearchGateway, title: str) -> Solution:
    """A published, indexed vendor solution for ceramics glaze inspection, province-wide."""
    solution = make_solution(
        session,
        org=make_org(session, kind="integrator"),
        title=title,
        summary="识别釉面针孔、缩釉和裂纹",
        industries=["ceramics"],
        scenarios=["machine_vision_qc"],
        capabilities=["embb", "mec"],
        regions=["hunan"],
        status="published",
    )
    index(session, gateway, solution)
    return solution


def test_budget_max_below_min_is_refused_beside_the_field_then_saved_once(
    client: TestClient, session: Session
) -> None:
    csrf, org = enterprise(client, session)
    bad = client.post("/demands/new", data=form(csrf, budget_min="200", budget_max="100"))
    assert bad.status_code == 400
    assert 'id="f-budget_max-error"' in bad.text and "预算上限" in bad.text
    assert 'value="200"' in bad.text  # what was typed is kept
    assert not session.exec(select(Demand).where(Demand.org_id == org.id)).all()
    good = client.post("/demands/new", data=form(csrf), follow_redirects=False)
    assert good.status_code == 303
    [row] = session.exec(select(Demand).where(Demand.org_id == org.id)).all()
    assert row.status == "pending" and row.capabilities == ["mec"] and row.must_have == ["mec"]


def test_each_mistake_has_its_own_message(client: TestClient, session: Session) -> None:
    csrf, _ = enterprise(client, session)
    data = form(
        csrf,
        title="",
        city="beijing",
        deadline=(Clock().today() - timedelta(days=1)).isoformat(),
        budget_min="很多",
    )
    page = client.post("/demands/new", data=data).text
    assert "不能为空" in page and 'id="f-title-error"' in page
    assert "未知城市代码" in page and 'id="f-city-error"' in page
    assert "截止日期不能早于今天" in page
    assert "请输入数字" in page and 'id="f-budget_min-error"' in page


def test_anonymous_demand_hides_the_name_from_the_public_only(
    client: TestClient, session: Session
) -> None:
    _csrf, org = enterprise(client, session)
    row = make_demand(session, org=org, anonymous=True, status="published", title="匿名需求")
    own = client.get(f"/demands/{row.id}").text
    assert org.name in own
    client.cookies.clear()
    public = client.get(f"/demands/{row.id}").text
    assert org.name not in public and "匿名企业" in public
    assert client.get(f"/api/v1/demands/{row.id}").json()["org_name"] is None
    assert "匿名需求" not in client.get(f"/organizations/{org.id}").text


def test_a_demand_past_its_deadline_shows_expired(client: TestClient, session: Session) -> None:
    row = make_demand(session, status="published", deadline=Clock().today() - timedelta(days=3))
    page = client.get(f"/demands/{row.id}").text
    assert "已过期" in page
    assert client.get(f"/api/v1/demands/{row.id}").json()["status"] == "expired"


def test_matches_are_shown_to_owners_and_officials_not_the_public(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    solution = glaze_inspection(session, gateway, "陶瓷釉面5G+AI视觉检测")
    _csrf, org = enterprise(client, session)
    row = make_demand(
        session,
        org=org,
        title="陶瓷釉面缺陷检测",
        description="希望用机器视觉检测陶瓷釉面缺陷",
        industry="ceramics",
        city="zhuzhou",
        scenarios=["machine_vision_qc"],
        status="published",
    )
    page = client.get(f"/demands/{row.id}").text
    assert 'data-testid="matches"' in page
    assert "陶瓷釉面5G+AI视觉检测" in page and f'href="/solutions/{solution.id}"' in page
    assert 'data-testid="match-reasons"' in page
    official = make_user(session, role="official")
    sign_in(client, official.email)
    assert 'data-testid="matches"' in client.get(f"/demands/{row.id}").text
    client.cookies.clear()
    assert 'data-testid="matches"' not in client.get(f"/demands/{row.id}").text


def test_close_and_my_listings(client: TestClient, session: Session) -> None:
    csrf, org = enterprise(client, session)
    row = make_demand(session, org=org, status="rejected", reject_reason="预算信息不完整")
    mine = client.get("/my/listings").text
    assert "已驳回" in mine and "预算信息不完整" in mine
    response = client.post(
        f"/demands/{row.id}/close", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    session.refresh(row)
    assert row.status == "closed" and row.closed_at is not None


def test_vendor_opportunities(client: TestClient, session: Session, gateway: SearchGateway) -> None:
    vendor = make_org(session, kind="integrator")
    user = make_user(session, org=vendor)
    solution = make_solution(
        session,
        org=vendor,
        title="陶瓷釉面视觉检测",
        industries=["ceramics"],
        scenarios=["machine_vision_qc"],
        capabilities=["embb", "mec"],
        regions=["hunan"],
        status="published",
    )
    demand = make_demand(
        session,
        title="陶瓷釉面缺陷自动检测",
        description="机器视觉检测陶瓷釉面缺陷",
        industry="ceramics",
        city="zhuzhou",
        scenarios=["machine_vision_qc"],
        budget_min=40,
        budget_max=80,
        deadline=Clock().today() + timedelta(days=30),
        anonymous=True,
        status="published",
    )
    index(session, gateway, solution, demand)
    sign_in(client, user.email)
    page = client.get("/opportunities").text
    assert "陶瓷釉面视觉检测" in page
    assert f'href="/demands/{demand.id}"' in page and 'data-testid="match-reasons"' in page
    # What a vendor weighs first, with the enterprise's name kept back for an anonymous demand.
    facts = page.split('data-testid="match-facts">', 1)[1].split("</p>", 1)[0]
    assert "匿名企业" in facts and "株洲" in facts
    assert (
        "40" in facts
        and "80" in facts
        and (Clock().today() + timedelta(days=30)).isoformat() in facts
    )
    enterprise_name = session.get(Organization, demand.org_id).name  # type: ignore[union-attr]
    assert enterprise_name not in page


def test_demand_page_marks_inferred_needs_for_its_owner_only(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    _csrf, org = enterprise(client, session)
    row = make_demand(
        session,
        org=org,
        title="陶瓷釉面缺陷检测",
        description="希望用机器视觉检测陶瓷釉面缺陷，替代人工检选",
        industry="ceramics",
        city="zhuzhou",
        scenarios=[],
        status="published",
    )
    page = client.get(f"/demands/{row.id}").text
    assert 'data-testid="inferred-scenario"' in page
    assert "机器视觉质检（推断）" in page
    client.cookies.clear()
    assert "推断" not in client.get(f"/demands/{row.id}").text


def test_no_padding_below_the_minimum_fit(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    glaze_inspection(session, gateway, "陶瓷釉面视觉检测")
    _csrf, org = enterprise(client, session)
    row = make_demand(
        session,
        org=org,
        title="钢厂天车远程操控",
        description="炼钢车间天车改为远程操控，顺带做钢坯表面视觉检测",
        industry="steel",
        city="xiangtan",
        scenarios=["remote_control"],
        budget_max=20,
        status="published",
    )
    page = client.get(f"/demands/{row.id}").text
    assert 'data-testid="no-high-fit"' in page and "暂无高匹配方案" in page
    assert 'data-testid="nearest"' in page and "陶瓷釉面视觉检测" in page
