"""Helpers for driving the pages through the TestClient like a browser would."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from portal.auth.sessions import SESSION_COOKIE
from tests.factories import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


def login_csrf(client: TestClient) -> str:
    """Open the sign-in page (which starts an anonymous session) and return its token."""
    response = client.get("/login")
    assert response.status_code == 200
    return csrf_of(response.text)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the CSRF token of the new session."""
    token = login_csrf(client)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/account").text)


def session_cookie(client: TestClient) -> str | None:
    return client.cookies.get(SESSION_COOKIE)
