from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from portal.audit import service
from tests.factories import make_user

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_record_never_keeps_a_secret(session: Session) -> None:
    entry = service.record(
        session,
        action="token.created",
        now=T0,
        detail={"name": "n", "token": "p5g_x", "password": "pw", "nested": {"csrf_token": "c"}},
        ip="1.2.3.4",
    )
    assert entry.detail == {"name": "n", "nested": {}}
    assert entry.actor == "system" and entry.at == T0


def test_search_filters_by_action_prefix_actor_and_dates(session: Session) -> None:
    alice = make_user(session, email="alice@example.com")
    bob = make_user(session, email="bob@example.com")
    service.record(session, action="sign_in.success", now=T0, actor=alice)
    service.record(session, action="sign_in.failure", now=T0 + timedelta(days=1), actor=bob)
    service.record(session, action="token.created", now=T0 + timedelta(days=2), actor=alice)
    assert service.search(session, action="sign_in", actor="example.com").total == 2
    assert service.search(session, action="sign_in.failure").items[0].actor == "bob@example.com"
    by_alice = service.search(session, actor="ALICE")
    assert [e.action for e in by_alice.items] == ["token.created", "sign_in.success"]
    window = service.search(
        session, actor="example.com", since=T0 + timedelta(hours=12), until=T0 + timedelta(days=2)
    )
    assert [e.action for e in window.items] == ["sign_in.failure"]
    paged = service.search(session, actor="example.com", per_page=2, page=2)
    assert paged.total == 3 and len(paged.items) == 1 and paged.pages == 2
