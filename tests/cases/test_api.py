from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_case


def test_cases_api(client: TestClient, session: Session) -> None:
    case = make_case(session, industry="healthcare", city="changsha", title="5G远程会诊")
    listing = client.get("/api/v1/cases", params={"industry": "healthcare", "per_page": 5}).json()
    assert listing["total"] >= 1 and listing["per_page"] == 5
    assert any(item["external_id"] == case.external_id for item in listing["items"])
    one = client.get(f"/api/v1/cases/{case.id}").json()
    assert one["title"] == "5G远程会诊" and one["source"] == "https://example.org/case"


def test_cases_api_errors_are_problem_details(client: TestClient) -> None:
    missing = client.get("/api/v1/cases/424242")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["status"] == 404
    bad = client.get("/api/v1/cases", params={"per_page": 1000})
    assert bad.status_code == 422 and bad.json()["errors"]
