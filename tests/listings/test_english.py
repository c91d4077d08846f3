"""Listings in English (issue 18): an optional English title and summary, in the form, the
JSON API and the import format; search finds them, English plurals folded to the singular."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matching.text import english_singular
from portal.bootstrap import DEMO_FILE
from portal.imports.service import import_lines
from portal.models import Solution
from portal.search.gateway import SearchGateway, get_pipeline
from portal.search.sync import drain_all
from tests.factories import make_org, make_token, make_user
from tests.listings.test_search_pages import demo, result_links

__all__ = ["demo"]


def test_english_words_are_folded_to_the_singular() -> None:
    assert [english_singular(w) for w in ("cranes", "batteries", "boxes", "glass", "5g")] == [
        "crane",
        "battery",
        "box",
        "glass",
        "5g",
    ]
    pipeline = get_pipeline()
    assert pipeline.query_tokens("crane remote control") == pipeline.query_tokens(
        "Cranes, remote control"
    )


def test_search_finds_listings_by_their_english_title(
    client: TestClient, session: Session, demo: None
) -> None:
    glaze = session.exec(select(Solution).where(Solution.external_id == "demo-sol-cer-glaze")).one()
    crane = session.exec(select(Solution).where(Solution.external_id == "demo-sol-st-crane")).one()
    for query, expected in (
        ("glaze", glaze),
        ("ceramic glaze", glaze),
        ("crane remote control", crane),
    ):
        page = client.get("/solutions", params={"q": query, "lang": "en"}).text
        assert expected.id in result_links(page, "solutions")[:3], query
    # In English the card shows the English title.
    page = client.get("/solutions", params={"q": "glaze", "lang": "en"}).text
    assert "Ceramic glaze defect inspection with 5G and AI vision" in page
    detail = client.get(f"/solutions/{glaze.id}?lang=en").text
    assert "<h1" in detail and "Ceramic glaze defect inspection" in detail.split("<h1", 1)[1]


def test_the_api_and_the_form_carry_the_english_title(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    org = make_org(session, kind="integrator")
    user = make_user(session, org=org)
    token = make_token(session, user)
    body = {
        "title": "矿山5G遥控钻机",
        "title_en": "5G remote-controlled drilling rigs for mines",
        "summary_en": "Drill rigs driven from a control room.",
        "regions": ["hunan"],
        "status": "draft",
    }
    created = client.post(
        "/api/v1/solutions", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["title_en"] == body["title_en"]
    assert created.json()["summary_en"] == body["summary_en"]
    too_long = {**body, "title_en": "x" * 201}
    refused = client.post(
        "/api/v1/solutions", json=too_long, headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "title_en"
    row = session.get(Solution, created.json()["id"])
    assert row is not None
    from tests.support.web import sign_in

    sign_in(client, user.email)
    form = client.get(f"/solutions/{row.id}/edit").text
    assert 'name="title_en"' in form and body["title_en"] in form
    drain_all(session, gateway)


def test_english_queries_find_listings_written_only_in_chinese(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    """The demo set without its English titles and summaries: the vocabulary's English
    names and seed/text/english.txt lead the English words to the Chinese ones."""
    lines = []
    for line in DEMO_FILE.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        record.pop("title_en", None)
        record.pop("summary_en", None)
        lines.append(json.dumps(record, ensure_ascii=False))
    assert import_lines(session, lines, demo=True).ok
    drain_all(session, gateway)
    solutions = {
        s.external_id: s.id
        for s in session.exec(select(Solution))
        if s.external_id in ("demo-sol-cer-glaze", "demo-sol-st-crane", "demo-sol-port-crane")
    }
    glaze = result_links(client.get("/solutions", params={"q": "ceramic glaze"}).text, "solutions")
    assert solutions["demo-sol-cer-glaze"] in glaze[:3]
    crane = client.get("/solutions", params={"q": "crane remote control", "lang": "en"}).text
    found = result_links(crane, "solutions")[:3]
    assert {solutions["demo-sol-st-crane"], solutions["demo-sol-port-crane"]} & set(found)
    # The JSON API searches the same way.
    api = client.get("/api/v1/search", params={"type": "solution", "q": "ceramic glaze"}).json()
    assert solutions["demo-sol-cer-glaze"] in [h["id"] for h in api["hits"][:3]]
