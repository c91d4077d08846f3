"""Saved searches in the JSON API: save (201), list, rename/pause, delete (204); refused
filters name the field; another user's search is a 404."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.notifications.conftest import People, people  # noqa: F401 - the fixture


def test_save_list_pause_and_delete(client: TestClient, people: People) -> None:  # noqa: F811
    made = client.post(
        "/api/v1/saved-searches",
        json={
            "type": "demand",
            "q": "陶瓷",
            "filters": {"industry": "ceramics", "city": "zhuzhou"},
        },
        headers=people.auth("seller"),
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["name"] == "需求 · 陶瓷 · 株洲 · “陶瓷”"
    assert body["url"] == "/demands?q=%E9%99%B6%E7%93%B7&industry=ceramics&city=zhuzhou"
    assert not body["paused"]
    listed = client.get("/api/v1/saved-searches", headers=people.auth("seller")).json()
    assert [s["id"] for s in listed] == [body["id"]]
    paused = client.patch(
        f"/api/v1/saved-searches/{body['id']}",
        json={"paused": True, "name": "株洲陶瓷需求"},
        headers=people.auth("seller"),
    )
    assert paused.json()["paused"] and paused.json()["name"] == "株洲陶瓷需求"
    theirs = client.delete(f"/api/v1/saved-searches/{body['id']}", headers=people.auth("buyer"))
    assert theirs.status_code == 404
    gone = client.delete(f"/api/v1/saved-searches/{body['id']}", headers=people.auth("seller"))
    assert gone.status_code == 204
    assert client.get("/api/v1/saved-searches", headers=people.auth("seller")).json() == []


def test_refused_searches_say_which_field(client: TestClient, people: People) -> None:  # noqa: F811
    bad = client.post(
        "/api/v1/saved-searches",
        json={"type": "demand", "filters": {"industry": "pottery", "colour": "red"}},
        headers=people.auth("seller"),
    )
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert "未知的行业代码：pottery" in str(errors) and "colour" in str(errors)
    wrong_type = client.post(
        "/api/v1/saved-searches", json={"type": "use_case"}, headers=people.auth("seller")
    )
    assert wrong_type.status_code == 422
    reader = client.post(
        "/api/v1/saved-searches", json={"type": "demand"}, headers=people.auth("reader")
    )
    assert reader.status_code == 403
