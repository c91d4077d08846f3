"""Text people type is refused, with a reason beside the field, when it carries control
characters, characters that reverse the text around them (U+202E shows "gpj.exe" as
"exe.jpg"), or — for a title or a name — nothing visible at all. One rule
(:func:`portal.inputs.text_error`) serves the forms, the JSON API and ``portal import``."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from portal.inputs import text_error
from portal.models import Demand, PrivateNetwork, Solution, UseCase
from tests.cases.test_edit import FORM as CASE_FORM
from tests.demands.test_routes import form as demand_form
from tests.factories import make_org, make_token, make_user
from tests.solutions.test_api import BODY as SOLUTION_BODY
from tests.solutions.test_routes import FORM as SOLUTION_FORM
from tests.support.web import sign_in

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad \u3000"


@pytest.mark.parametrize(
    ("text", "multiline", "required", "says"),
    [
        ("响铃\x07", False, False, "U+0007"),
        ("\x1b[31m红字", True, False, "U+001B"),
        ("C1\x85", True, False, "U+0085"),
        ("DEL\x7f", True, False, "U+007F"),
        ("报告\u202egpj.exe", True, False, "U+202E"),
        ("\u2066隔离\u2069", False, False, "U+2066"),
        ("\u202a嵌入\u202c", False, False, "U+202A"),
        ("两行\n标题", False, False, "换行"),
        ("回车\r", False, False, "换行"),
        ("制表\t符", False, False, "换行"),
        ("段落\u2029分隔", False, False, "换行"),
        (INVISIBLE, False, True, "不可见"),
        ("\u3164\u115f", False, True, "不可见"),
        ("", False, True, "不能为空"),
    ],
)
def test_text_error_names_what_is_wrong(
    text: str, multiline: bool, required: bool, says: str
) -> None:
    reason = text_error(text, multiline=multiline, required=required)
    assert reason is not None and says in reason


@pytest.mark.parametrize(
    ("text", "multiline", "required"),
    [
        ("5G+智慧矿山 — “三市两山”", False, True),
        ("第一段\n\n第二段\r\n\t缩进", True, True),
        ("👩\u200d🔬 研究员", False, True),  # a zero-width joiner inside visible text
        ("عربي \u200f mixed", False, True),  # right-to-left marks are no override
        ("", False, False),
        (INVISIBLE, True, False),  # an optional description may be blank
    ],
)
def test_ordinary_text_passes(text: str, multiline: bool, required: bool) -> None:
    assert text_error(text, multiline=multiline, required=required) is None


def field_error(html: str, name: str) -> str:
    match = re.search(rf'<p class="field-error" id="f-{name}-error">([^<]*)</p>', html)
    assert match, f"no error beside {name}"
    return match.group(1)


def count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


# --- forms -------------------------------------------------------------------------------


def test_solution_form(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, make_user(session, org=make_org(session, kind="integrator")).email)
    before = count(session, Solution)
    data = {**SOLUTION_FORM, "csrf_token": csrf, "title": INVISIBLE,
            "summary": "简介\x1b[0m", "description": "正文\u202e反转"}  # fmt: skip
    response = client.post("/solutions/new", data=data)
    assert response.status_code == 400
    assert "不可见" in field_error(response.text, "title")
    assert "U+001B" in field_error(response.text, "summary")
    assert "U+202E" in field_error(response.text, "description")
    assert count(session, Solution) == before


def test_demand_form(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, make_user(session, org=make_org(session, kind="enterprise")).email)
    before = count(session, Demand)
    response = client.post(
        "/demands/new", data=demand_form(csrf, title="需求\x07", description="\u2067隔离")
    )
    assert response.status_code == 400
    assert "U+0007" in field_error(response.text, "title")
    assert "U+2067" in field_error(response.text, "description")
    assert count(session, Demand) == before


def test_case_form(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, make_user(session, role="official").email)
    before = count(session, UseCase)
    data = {**CASE_FORM, "csrf_token": csrf, "enterprise": "\u200b", "benefits": "效益\x1b",
            "providers": "湖南移动\n某集成商\u202e"}  # fmt: skip
    response = client.post("/cases/new", data=data)
    assert response.status_code == 400
    assert "不可见" in field_error(response.text, "enterprise")
    assert "U+001B" in field_error(response.text, "benefits")
    assert "U+202E" in field_error(response.text, "providers")
    assert count(session, UseCase) == before


def test_network_form(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, make_user(session, role="official").email)
    before = count(session, PrivateNetwork)
    data = {"csrf_token": csrf, "name": "专网\u202e", "enterprise": "\ufeff",
            "operator": "china_mobile", "industry": "steel", "city": "loudi",
            "mode": "virtual", "status": "in_service"}  # fmt: skip
    response = client.post("/networks/new", data=data)
    assert response.status_code == 400
    assert "U+202E" in field_error(response.text, "name")
    assert "不可见" in field_error(response.text, "enterprise")
    assert count(session, PrivateNetwork) == before


def test_organization_form(client: TestClient, session: Session) -> None:
    org = make_org(session, kind="enterprise", name="原名称")
    csrf = sign_in(client, make_user(session, org=org).email)
    data = {"csrf_token": csrf, "name": "\u2060\u200b", "city": "changsha",
            "description": "简介\x08", "contact_name": "联系人\u202d"}  # fmt: skip
    response = client.post(f"/organizations/{org.id}/edit", data=data)
    assert response.status_code == 400
    assert "不可见" in field_error(response.text, "name")
    assert "U+202D" in field_error(response.text, "contact_name")
    session.refresh(org)
    assert org.name == "原名称"


def test_indicator_form(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, make_user(session, role="official").email)
    data = {"csrf_token": csrf, "indicator": "private_networks_5g", "year": "2024",
            "value": "210", "source": "省通信管理局\u202e"}  # fmt: skip
    response = client.post("/indicators/values", data=data)
    assert response.status_code == 400
    assert "U+202E" in field_error(response.text, "source")


# --- the JSON API ------------------------------------------------------------------------


def problem_fields(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"]: e["message"] for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"title": INVISIBLE}, "title", "不可见"),
        ({"title": "标题\u202e"}, "title", "U+202E"),
        ({"summary": "一句\n两行"}, "summary", "换行"),
        ({"description": "正文\x1b[31m"}, "description", "U+001B"),
    ],
)
def test_solution_api(
    client: TestClient, session: Session, change: dict[str, str], field: str, says: str
) -> None:
    token = make_token(session, make_user(session, org=make_org(session, kind="integrator")))
    response = client.post(
        "/api/v1/solutions",
        json={**SOLUTION_BODY, **change},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert says in problem_fields(response)[field]


def test_demand_api_create_and_patch(client: TestClient, session: Session) -> None:
    from tests.demands.test_api import BODY

    token = make_token(session, make_user(session, org=make_org(session, kind="enterprise")))
    session.commit()  # a refused request rolls back what is not committed
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.post(
        "/api/v1/demands", json={**BODY, "title": "\u00ad\u200b"}, headers=headers
    )
    assert "不可见" in problem_fields(refused)["title"]
    created = client.post("/api/v1/demands", json=BODY, headers=headers)
    assert created.status_code == 201, created.text
    patched = client.patch(
        f"/api/v1/demands/{created.json()['id']}",
        json={"description": "正文\x07"},
        headers=headers,
    )
    assert "U+0007" in problem_fields(patched)["description"]


def test_organization_api(client: TestClient, session: Session) -> None:
    org = make_org(session, kind="enterprise", name="原名称")
    token = make_token(session, make_user(session, org=org))
    session.commit()
    response = client.patch(
        f"/api/v1/organizations/{org.id}",
        json={"name": "\u202e称名"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert "U+202E" in response.json()["errors"]["name"]
    session.refresh(org)
    assert org.name == "原名称"


def test_an_invited_persons_name(session: Session) -> None:
    from datetime import UTC, datetime

    from portal.auth.permissions import Principal
    from portal.kit.errors import FieldErrors
    from portal.organizations import service

    now = datetime(2026, 3, 1, tzinfo=UTC)
    org = make_org(session, kind="integrator")
    _, token = service.invite(session, principal=Principal(make_user(session, org=org)),
                              org=org, email="new@example.com", role="member", now=now)  # fmt: skip
    with pytest.raises(FieldErrors) as refused:
        service.register_invited(session, token=token, display_name="管理员\u202e",
                                 password="a-good-passphrase", confirm="a-good-passphrase",
                                 now=now, min_length=10)  # fmt: skip
    assert "U+202E" in refused.value.errors["display_name"]


def test_a_lone_surrogate_is_refused_in_chinese(client: TestClient, session: Session) -> None:
    token = make_token(session, make_user(session, org=make_org(session, kind="integrator")))
    response = client.post(
        "/api/v1/solutions",
        content=b'{"title": "a\\ud800b", "summary": "s", "regions": ["hunan"]}',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert "不是有效的 Unicode 文本" in problem_fields(response)["title"]
