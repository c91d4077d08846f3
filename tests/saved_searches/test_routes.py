"""保存搜索并提醒我 on the search pages, and the page to rename, pause and delete."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.models import SavedSearch
from tests.notifications.conftest import People, people  # noqa: F401 - the fixture
from tests.support.web import sign_in


def test_save_from_the_search_page_then_pause_rename_delete(
    client: TestClient,
    session: Session,
    people: People,  # noqa: F811
) -> None:
    assert 'data-testid="save-search"' not in client.get("/demands?industry=ceramics").text
    csrf = sign_in(client, people.seller.email)
    page = client.get("/demands?q=陶瓷&industry=ceramics&city=zhuzhou").text
    assert 'data-testid="save-search"' in page and 'form="save-search" name="industry"' in page
    saved = client.post(
        "/saved-searches",
        data={
            "csrf_token": csrf,
            "type": "demand",
            "q": "陶瓷",
            "industry": "ceramics",
            "city": "zhuzhou",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    listing = client.get(saved.headers["location"]).text
    assert "已保存" in listing and "需求 · 陶瓷 · 株洲 · “陶瓷”" in listing
    row = session.exec(select(SavedSearch).where(SavedSearch.user_id == people.seller.id)).one()
    assert row.filters == {"industry": "ceramics", "city": "zhuzhou"} and row.words == ["陶瓷"]
    client.post(f"/saved-searches/{row.id}", data={"csrf_token": csrf, "paused": "1"})
    client.post(f"/saved-searches/{row.id}", data={"csrf_token": csrf, "name": "株洲陶瓷"})
    session.refresh(row)
    assert row.paused and row.name == "株洲陶瓷"
    page = client.get("/saved-searches").text
    assert re.search(r'data-testid="paused"', page) and "恢复提醒" in page
    client.post(f"/saved-searches/{row.id}/delete", data={"csrf_token": csrf})
    assert (
        session.exec(select(SavedSearch).where(SavedSearch.user_id == people.seller.id)).all() == []
    )
