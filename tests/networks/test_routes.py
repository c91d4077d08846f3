from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.models import AuditLog, PrivateNetwork
from portal.networks.service import count_registered_in_service
from tests.factories import make_demand, make_network, make_org, make_user
from tests.support.web import csrf_of, sign_in

CSV = (
    "专网名称,企业,运营商,行业,城市,模式,状态,开通日期\n"
    "庚5G专网,庚公司,中国移动,钢铁,湘潭,虚拟专网,在用,2024-05-06\n"
    "辛5G专网,辛公司,中国移动,钢铁,火星,虚拟专网,在用,2024-05-06\n"
)


def test_official_uploads_checks_and_confirms_a_csv(client: TestClient, session: Session) -> None:
    token = sign_in(client, make_user(session, role="official").email)
    page = client.get("/networks/import")
    assert page.status_code == 200
    response = client.post(
        "/networks/import",
        data={"csrf_token": token},
        files={"file": ("运营商.csv", CSV.encode("utf-8"), "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    review = client.get(response.headers["location"])
    assert "第 3 行" in review.text and "火星" in review.text
    assert 'data-testid="good-count">1<' in review.text
    before = count_registered_in_service(session)
    assert (
        session.exec(select(PrivateNetwork).where(PrivateNetwork.name == "庚5G专网")).first()
        is None
    )
    confirm = client.post(
        response.headers["location"] + "/confirm",
        data={"csrf_token": csrf_of(review.text)},
        follow_redirects=False,
    )
    assert confirm.status_code == 303 and "imported=1" in confirm.headers["location"]
    assert count_registered_in_service(session) == before + 1
    assert session.exec(select(AuditLog).where(AuditLog.action == "network.imported")).first()
    dashboard = client.get(confirm.headers["location"])
    assert f'data-testid="registered-count">{before + 1}<' in dashboard.text


def test_mapping_can_be_changed(client: TestClient, session: Session) -> None:
    token = sign_in(client, make_user(session, role="official").email)
    response = client.post(
        "/networks/import",
        data={"csrf_token": token},
        files={"file": ("a.csv", CSV.encode("utf-8"), "text/csv")},
        follow_redirects=False,
    )
    url = response.headers["location"]
    review = client.get(url)
    client.post(url + "/mapping", data={"csrf_token": csrf_of(review.text), "col-0": "name"})
    assert "缺少必填字段的列" in client.get(url).text  # 企业 … no longer mapped


def test_enterprise_declares_and_official_confirms(client: TestClient, session: Session) -> None:
    org = make_org(session, kind="enterprise")
    token = sign_in(client, make_user(session, org=org).email)
    response = client.post(
        "/networks/new",
        data={"csrf_token": token, "name": "壬5G专网", "operator": "china_mobile",
              "industry": "steel", "city": "loudi", "mode": "virtual", "status": "in_service"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    row = session.exec(select(PrivateNetwork).where(PrivateNetwork.name == "壬5G专网")).one()
    assert not row.confirmed and row.org_id == org.id
    mine = client.get("/networks")
    assert "壬5G专网" in mine.text and "待确认" in mine.text
    assert (
        client.post(
            f"/networks/{row.id}/confirm", data={"csrf_token": token}, follow_redirects=False
        ).status_code
        == 403
    )
    client.cookies.clear()
    token = sign_in(client, make_user(session, role="official").email)
    client.post(f"/networks/{row.id}/confirm", data={"csrf_token": token}, follow_redirects=False)
    session.refresh(row)
    assert row.confirmed


def test_form_errors_are_shown_next_to_the_fields(client: TestClient, session: Session) -> None:
    token = sign_in(client, make_user(session, role="official").email)
    response = client.post("/networks/new", data={"csrf_token": token, "name": "癸"})
    assert response.status_code == 400 and "field-error" in response.text


def test_registry_is_not_public(client: TestClient, session: Session) -> None:
    make_network(session, name="不公开的专网")
    assert client.get("/networks", follow_redirects=False).status_code in (303, 401)
    sign_in(client, make_user(session, org=make_org(session, kind="integrator")).email)
    assert client.get("/networks").status_code == 403


def test_implausible_dates_are_refused_beside_the_field(
    client: TestClient, session: Session
) -> None:
    token = sign_in(client, make_user(session, org=make_org(session, kind="enterprise")).email)
    for status, day in (("in_service", "1900-01-01"), ("planned", "2099-01-01")):
        response = client.post(
            "/networks/new",
            data={"csrf_token": token, "name": "日期不对的专网", "operator": "china_mobile",
                  "industry": "steel", "city": "loudi", "mode": "virtual", "status": status,
                  "commissioned_on": day},
        )  # fmt: skip
        assert response.status_code == 400, day
        assert 'id="f-commissioned_on-error"' in response.text, day
    names = session.exec(select(PrivateNetwork.name)).all()
    assert "日期不对的专网" not in names


def test_the_declaration_form_refuses_another_organisations_demand(
    client: TestClient, session: Session
) -> None:
    org = make_org(session, kind="enterprise")
    theirs = make_demand(session, anonymous=True, status="published")
    token = sign_in(client, make_user(session, org=org).email)
    response = client.post(
        "/networks/new",
        data={"csrf_token": token, "name": "癸5G专网", "operator": "china_mobile",
              "industry": "steel", "city": "loudi", "mode": "virtual", "status": "in_service",
              "demand": theirs.external_id},
    )  # fmt: skip
    assert response.status_code == 400
    assert f"找不到需求 &#39;{theirs.external_id}&#39;" in response.text
    assert not session.exec(select(PrivateNetwork).where(PrivateNetwork.name == "癸5G专网")).all()


def test_a_re_import_that_changes_nothing_says_so(client: TestClient, session: Session) -> None:
    token = sign_in(client, make_user(session, role="official").email)

    def upload_and_confirm() -> str:
        response = client.post(
            "/networks/import",
            data={"csrf_token": token},
            files={"file": ("运营商.csv", CSV.encode("utf-8"), "text/csv")},
            follow_redirects=False,
        )
        review = client.get(response.headers["location"])
        confirm = client.post(
            response.headers["location"] + "/confirm",
            data={"csrf_token": csrf_of(review.text)},
            follow_redirects=False,
        )
        return client.get(confirm.headers["location"]).text

    first = upload_and_confirm()
    assert "新增 1 条" in first
    again = upload_and_confirm()
    assert "没有变化" in again and "已导入" not in again


def test_an_impossible_date_is_reported_as_impossible(client: TestClient, session: Session) -> None:
    token = sign_in(client, make_user(session, role="official").email)
    csv = CSV.splitlines()[0] + "\n壬5G专网,壬公司,中国移动,钢铁,湘潭,虚拟专网,在用,2026-13-45\n"
    response = client.post(
        "/networks/import",
        data={"csrf_token": token},
        files={"file": ("a.csv", csv.encode("utf-8"), "text/csv")},
        follow_redirects=False,
    )
    review = client.get(response.headers["location"]).text
    assert "不存在这一天：2026-13-45" in review
    assert "commissioned_on" not in review.split('data-testid="validation-report"', 1)[1]
