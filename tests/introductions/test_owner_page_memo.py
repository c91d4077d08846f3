"""A demand's page for its owners, kept per viewer (portal.page_memo.for_viewer): made once
while nothing it shows has changed, and changed at the next request when something has —
a mark, an introduction, the bell, who may act — with each session's own CSRF token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.introductions import marks
from portal.models import Membership
from portal.notifications.service import notify
from portal.search.gateway import SearchGateway
from tests.factories import make_user
from tests.introductions.conftest import Scene
from tests.introductions.test_routes import request_as_buyer
from tests.support.queries import statements
from tests.support.search import index
from tests.support.web import csrf_of, sign_in


@pytest.fixture
def ranked(session: Session, gateway: SearchGateway, scene: Scene) -> Scene:
    """The scene with its solution fitting its demand, in the index: the page ranks it."""
    scene.demand.industry, scene.demand.scenarios = "ceramics", ["machine_vision_qc"]
    scene.solution.industries, scene.solution.scenarios = ["ceramics"], ["machine_vision_qc"]
    scene.solution.capabilities, scene.solution.regions = ["embb", "mec"], ["hunan"]
    session.add_all([scene.demand, scene.solution])
    session.commit()
    index(session, gateway, scene.solution)
    session.commit()
    return scene


def page(client: TestClient, scene: Scene) -> str:
    response = client.get(f"/demands/{scene.demand.id}")
    assert response.status_code == 200
    return response.text


def test_the_page_is_made_once_while_nothing_it_shows_changed(
    client: TestClient, ranked: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[object] = []
    real = marks.marks_of
    monkeypatch.setattr(marks, "marks_of", lambda *a: made.append(a) or real(*a))
    sign_in(client, ranked.buyer.email)
    first = page(client, ranked)
    assert 'data-testid="shortlist"' in first  # the owner acts on the ranked solution
    assert page(client, ranked) == first
    assert len(made) == 1


def test_a_shortlist_shows_at_the_next_request(client: TestClient, ranked: Scene) -> None:
    csrf = sign_in(client, ranked.buyer.email)
    assert 'data-testid="shortlisted"' not in page(client, ranked)
    pair = {"demand_id": ranked.demand.id, "solution_id": ranked.solution.id}
    done = client.post(
        "/matches/mark",
        data={"csrf_token": csrf, **pair, "action": "shortlist"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert 'data-testid="shortlisted"' in page(client, ranked)


def test_an_introduction_shows_at_the_next_request(client: TestClient, ranked: Scene) -> None:
    sign_in(client, ranked.buyer.email)
    assert 'data-testid="open-introduction"' not in page(client, ranked)
    request_as_buyer(client, ranked)
    assert 'data-testid="open-introduction"' in page(client, ranked)


def test_each_session_gets_its_own_csrf_token(client: TestClient, ranked: Scene) -> None:
    first = sign_in(client, ranked.buyer.email)
    assert csrf_of(page(client, ranked)) == first
    second = sign_in(client, ranked.buyer.email)  # another session of the same user
    shown = page(client, ranked)
    assert first != second and csrf_of(shown) == second
    assert first not in shown and "csrfstandin" not in shown
    # The page's own form works with the token it carries.
    pair = {"demand_id": ranked.demand.id, "solution_id": ranked.solution.id}
    done = client.post(
        "/matches/mark",
        data={"csrf_token": csrf_of(shown), **pair, "action": "shortlist"},
        follow_redirects=False,
    )
    assert done.status_code == 303


def test_the_bell_counts_a_new_notification(
    client: TestClient, session: Session, ranked: Scene
) -> None:
    sign_in(client, ranked.buyer.email)
    assert 'data-testid="unread-count"' not in page(client, ranked)
    notify(
        session,
        kind="introduction_requested",
        user_ids=[ranked.buyer.id or 0],
        subject="新的对接请求",
        link="/introductions",
    )
    session.commit()
    assert 'data-testid="unread-count"' in page(client, ranked)


def test_a_member_who_leaves_no_longer_sees_the_matches(
    client: TestClient, session: Session, ranked: Scene
) -> None:
    colleague = make_user(session, org=ranked.enterprise)
    session.commit()
    sign_in(client, colleague.email)
    assert 'data-testid="matches"' in page(client, ranked)
    left = session.exec(select(Membership).where(Membership.user_id == colleague.id)).one()
    session.delete(left)
    session.commit()
    shown = page(client, ranked)  # still public: published
    assert 'data-testid="matches"' not in shown and 'data-testid="shortlist"' not in shown


def test_a_kept_page_costs_one_statement(
    client: TestClient, session: Session, ranked: Scene
) -> None:
    """What the key of a kept page needs comes in one read: the session with its user, the
    bell's count, the data stamps (memberships among them: what the viewer may see and do)
    and where the index stands. The demand is not read again: the page is answered as kept."""
    sign_in(client, ranked.buyer.email)
    first = page(client, ranked)
    with statements(session.get_bind()) as seen:  # type: ignore[arg-type]
        assert page(client, ranked) == first
    reads = [" ".join(s.split()) for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, reads
    for table in ("FROM web_session", "FROM notification", "FROM meta", "FROM outbox_event"):
        assert table in reads[0], (table, reads[0])


def test_an_organisation_of_the_viewer_turned_to_another_kind_is_seen_at_the_next_request(
    client: TestClient, session: Session, ranked: Scene
) -> None:
    """What the viewer may do on the page stands on their organisation too (a vendor's
    members do not edit demands): a kept page is not answered once it changed."""
    sign_in(client, ranked.buyer.email)
    assert 'data-testid="shortlist"' in page(client, ranked)
    ranked.enterprise.kind = "integrator"
    session.add(ranked.enterprise)
    session.commit()
    assert 'data-testid="shortlist"' not in page(client, ranked)
