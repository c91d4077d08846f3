"""NUL characters are refused at the door with a 400 in Chinese: PostgreSQL text cannot hold
them (the OpenAPI fuzzing found ``/api/v1/cases?city=%00`` answering 500 there)."""

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from portal.models import Solution
from tests.factories import make_org, make_token, make_user
from tests.support.web import login_csrf


def test_a_query_with_nul_is_a_problem_not_a_database_error(client: TestClient) -> None:
    response = client.get("/api/v1/cases", params={"city": "\x00"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "空字符" in response.json()["detail"]
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert client.get("/api/v1/cases", params={"city": "changsha"}).status_code == 200


def test_a_page_with_nul_in_its_path_or_query_answers_a_page(client: TestClient) -> None:
    for url in ("/cases?q=%00", "/cases/%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.headers["content-type"].startswith("text/html")
        assert "空字符" in response.text


def test_json_and_form_bodies_with_nul_are_refused_and_nothing_is_saved(
    client: TestClient, session: Session
) -> None:
    org = make_org(session, kind="integrator")
    token = make_token(session, make_user(session, org=org), scope="write")
    before = session.exec(select(func.count()).select_from(Solution)).one()
    body = {"title": "含\u0000的标题", "summary": "s", "regions": ["hunan"]}
    response = client.post(
        "/api/v1/solutions", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400 and "空字符" in response.json()["detail"]
    assert session.exec(select(func.count()).select_from(Solution)).one() == before

    csrf = login_csrf(client)
    form = client.post(
        "/login",
        data={"email": "a\x00@example.com", "password": "x", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert form.status_code == 400 and "空字符" in form.text


def test_ordinary_bodies_pass_through_untouched(client: TestClient, session: Session) -> None:
    org = make_org(session, kind="integrator")
    token = make_token(session, make_user(session, org=org), scope="write")
    body = {"title": "百分号 %00 写作文字", "summary": "s", "regions": ["hunan"]}
    response = client.post(
        "/api/v1/solutions", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "百分号 %00 写作文字"
