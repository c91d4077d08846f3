import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import PASSWORD, make_demand, make_network, make_solution


def _figure(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert match, testid
    return match.group(1).strip()


def test_home_figures_come_from_the_database(client: TestClient, session: Session) -> None:
    before = client.get("/").text
    registered = int(_figure(before, "networks-registered"))
    solutions = int(_figure(before, "solutions-count"))
    demands = int(_figure(before, "demands-count"))
    # The test clock is in 2026: the period 2021–2025 has ended, judged on the registry
    # (no official figure after 2020's 66), never 2020's 66 as the headline.
    assert _figure(before, "networks-official") == str(registered)
    assert _figure(before, "networks-target") == "300"
    assert "规划期已结束" in before and "未达标" in before

    make_network(session)  # counted: confirmed, in service, virtual
    make_network(session, mode="independent")  # listed, not counted
    make_network(session, status="building")
    make_network(session, confirmed=False)
    make_solution(session)
    make_solution(session, status="pending")
    make_demand(session)
    after = client.get("/").text
    assert int(_figure(after, "networks-registered")) == registered + 1
    assert int(_figure(after, "solutions-count")) == solutions + 1
    assert int(_figure(after, "demands-count")) == demands + 1


def test_home_loads_htmx_from_our_static_folder_and_nothing_external(client: TestClient) -> None:
    html = client.get("/").text
    assert re.search(r'<script src="/static/vendor/htmx\.min\.js\?v=\w+"', html)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    for cluster in ("工程机械", "轨道交通装备", "陶瓷", "烟花爆竹", "注塑", "中小航空发动机"):
        assert cluster in html


def test_static_css_is_served(client: TestClient) -> None:
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200 and "--brand" in response.text


def test_sign_in_lands_on_the_home_page_with_first_steps_for_the_role(
    client: TestClient, session: Session
) -> None:
    from tests.factories import make_org, make_user
    from tests.support.web import login_csrf

    def land(user_email: str) -> str:
        client.cookies.clear()
        response = client.post(
            "/login",
            data={"email": user_email, "password": PASSWORD, "csrf_token": login_csrf(client)},
            follow_redirects=False,
        )
        assert response.status_code == 303 and response.headers["location"] == "/"
        page = client.get("/").text
        block = re.search(r'data-testid="first-steps".*?</section>', page, re.S)
        assert block, "no first steps"
        return block.group(0)

    enterprise = make_user(session, org=make_org(session, kind="enterprise"))
    steps = land(enterprise.email)
    assert "发布需求" in steps and 'href="/demands/new"' in steps
    vendor = make_user(session, org=make_org(session, kind="integrator"))
    steps = land(vendor.email)
    assert "发布解决方案" in steps and 'href="/opportunities"' in steps
    make_solution(session, status="pending")
    make_demand(session, status="pending")
    make_network(session, confirmed=False)
    official = make_user(session, role="official")
    steps = land(official.email)
    assert re.search(r'data-testid="pending-listings">\s*2\s*<', steps), steps
    assert re.search(r'data-testid="pending-networks">\s*1\s*<', steps), steps
    # Visitors see no first steps.
    client.cookies.clear()
    assert 'data-testid="first-steps"' not in client.get("/").text
