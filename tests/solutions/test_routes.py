"""Solution pages: the vendor's form, the lifecycle through moderation, the detail page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from portal.models import AuditLog, Organization, OutboxEvent, Solution
from portal.search.gateway import SearchGateway
from tests.factories import make_org, make_solution, make_user
from tests.support.search import index
from tests.support.web import csrf_of, sign_in

FORM = {
    "title": "陶瓷窑炉5G智能巡检",
    "summary": "窑炉温度与设备巡检",
    "description": "以5G回传窑炉视频，边缘侧识别异常。",
    "industries": ["ceramics"],
    "scenarios": ["video_monitoring", "predictive_maintenance"],
    "capabilities": ["embb", "mec"],
    "regions": ["zhuzhou", "changsha"],
    "price_min": "20",
    "price_max": "80",
    "pref_industries": ["ceramics"],
    "pref_min_budget": "10",
}


def vendor_client(client: TestClient, session: Session) -> tuple[str, int]:
    org = make_org(session, kind="integrator", name="株洲窑联科技")
    user = make_user(session, org=org)
    csrf = sign_in(client, user.email)
    assert org.id is not None
    return csrf, org.id


def test_vendor_creates_a_solution_that_waits_for_review(
    client: TestClient, session: Session
) -> None:
    csrf, org_id = vendor_client(client, session)
    form = client.get("/solutions/new")
    assert form.status_code == 200 and 'name="industries"' in form.text
    response = client.post(
        "/solutions/new",
        data={**FORM, "csrf_token": csrf, "intent": "submit"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    row = session.exec(select(Solution).where(Solution.title == FORM["title"])).one()
    assert row.status == "pending" and row.org_id == org_id
    assert row.preferences == {"industries": ["ceramics"], "regions": [], "min_budget": 10.0}
    assert row.regions == ["zhuzhou", "changsha"] and row.price_max == 80
    assert session.exec(
        select(OutboxEvent).where(OutboxEvent.entity == "solution", OutboxEvent.entity_id == row.id)
    ).first()
    assert session.exec(
        select(AuditLog).where(
            AuditLog.action == "listing.created", AuditLog.entity_id == row.external_id
        )
    ).first()
    detail = client.get(response.headers["location"])
    assert "待审核" in detail.text
    # The public does not see it before it is approved.
    client.cookies.clear()
    assert client.get(f"/solutions/{row.id}").status_code == 404


def test_errors_are_shown_beside_their_fields_and_nothing_is_saved(
    client: TestClient, session: Session
) -> None:
    csrf, _ = vendor_client(client, session)
    before = len(session.exec(select(Solution.id)).all())
    bad = {
        **FORM,
        "title": " ",
        "price_min": "90",
        "price_max": "30",
        "regions": [],
        "csrf_token": csrf,
    }
    response = client.post("/solutions/new", data=bad)
    assert response.status_code == 400
    page = response.text
    assert 'id="f-title-error"' in page and "不能为空" in page
    assert 'id="f-price_max-error"' in page and "不能小于" in page
    assert 'id="f-regions-error"' in page and "服务区域" in page
    # What was typed is kept.
    assert 'value="90"' in page and "以5G回传窑炉视频" in page
    assert 'value="ceramics" checked' in page
    assert len(session.exec(select(Solution.id)).all()) == before


def test_the_owner_edits_and_archives(client: TestClient, session: Session) -> None:
    csrf, org_id = vendor_client(client, session)
    org = session.get(Organization, org_id)
    row = make_solution(session, org=org, status="published", title="旧标题")
    edit = client.get(f"/solutions/{row.id}/edit")
    assert edit.status_code == 200 and "旧标题" in edit.text
    data = {**FORM, "title": "新标题", "csrf_token": csrf_of(edit.text), "intent": "submit"}
    response = client.post(f"/solutions/{row.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303
    session.refresh(row)
    # A changed published solution goes back to review.
    assert (row.title, row.status, row.version) == ("新标题", "pending", 2)
    response = client.post(
        f"/solutions/{row.id}/archive", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    session.refresh(row)
    assert row.status == "archived" and row.archived_at is not None
    mine = client.get("/my/listings").text
    assert "新标题" in mine and "已下架" in mine


def test_another_vendor_may_not_edit(client: TestClient, session: Session) -> None:
    row = make_solution(session, status="published")
    csrf, _ = vendor_client(client, session)
    response = client.post(
        f"/solutions/{row.id}/edit", data={**FORM, "csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 403
    session.refresh(row)
    assert row.title != FORM["title"]


def test_public_detail_and_search_page(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    org = make_org(session, kind="integrator", name="醴陵智瓷", verified=True)
    row = make_solution(
        session,
        org=org,
        title="陶瓷釉面缺陷视觉检测",
        industries=["ceramics"],
        regions=["zhuzhou"],
        status="published",
    )
    draft = make_solution(session, org=org, title="陶瓷草稿方案", status="draft")
    index(session, gateway, row, draft)
    detail = client.get(f"/solutions/{row.id}")
    assert detail.status_code == 200
    assert "醴陵智瓷" in detail.text and "已认证" in detail.text
    assert f'href="/organizations/{org.id}"' in detail.text
    page = client.get("/solutions", params={"q": "陶瓷"}).text
    assert "陶瓷釉面缺陷视觉检测" in page and "陶瓷草稿方案" not in page
    # The live search asks for the results block only.
    fragment = client.get(
        "/solutions", params={"q": "陶瓷", "city": "zhuzhou"}, headers={"HX-Request": "true"}
    ).text
    assert "<html" not in fragment and "陶瓷釉面缺陷视觉检测" in fragment
    assert (
        client.get("/solutions", params={"q": "陶瓷", "city": "chenzhou"}).text.count(
            "陶瓷釉面缺陷视觉检测"
        )
        == 0
    )


def test_search_page_says_when_search_is_down(client: TestClient, gateway: SearchGateway) -> None:
    from tests.search.test_sync import Outage

    outage = Outage(gateway.backend)
    outage.down = True
    gateway.backend = outage  # type: ignore[assignment]
    for path in ("/solutions", "/demands", "/cases"):
        response = client.get(path, params={"q": "陶瓷"})
        assert response.status_code == 200
        assert "搜索服务暂时不可用" in response.text


def test_nothing_in_the_forms_for_a_visitor(client: TestClient) -> None:
    response = client.get("/solutions/new", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_enterprise_cannot_list_solutions(client: TestClient, session: Session) -> None:
    org = make_org(session, kind="enterprise")
    user = make_user(session, org=org)
    sign_in(client, user.email)
    assert client.get("/solutions/new").status_code == 403
    assert not session.exec(select(Solution).where(col(Solution.org_id) == org.id)).first()
