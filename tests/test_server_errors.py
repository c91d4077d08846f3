"""An unexpected error still answers in Chinese, with the security headers, and as a
problem for JSON callers — the outermost error layer is inside the header middleware."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient


@pytest.fixture
def failing(app: FastAPI, client: TestClient) -> Iterator[TestClient]:
    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom, include_in_schema=False)
    app.add_api_route("/api/v1/boom", boom, include_in_schema=False)
    app.middleware_stack = None  # rebuilt with the new routes on the next request
    overrides = dict(app.dependency_overrides)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        app.dependency_overrides.update(overrides)
        yield c


def test_a_page_that_fails_answers_500_in_chinese_with_the_headers(failing: TestClient) -> None:
    response = failing.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "服务器内部错误" in response.text and "a bug" not in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_an_api_route_that_fails_answers_a_problem(failing: TestClient) -> None:
    response = failing.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 500 and "a bug" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
