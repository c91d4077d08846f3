from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.auth import sessions
from portal.auth.sessions import SessionPolicy, hash_id
from portal.models import WebSession
from portal.notifications.service import notify
from tests.factories import make_user
from tests.support.queries import statements
from tests.support.web import sign_in

POLICY = SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=8))
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_the_id_is_random_128_bits_and_only_its_hash_is_stored(session: Session) -> None:
    user = make_user(session)
    raw, row = sessions.create(session, user_id=user.id, now=T0, policy=POLICY)
    assert len(raw) >= 22  # 16 bytes, base64url
    assert row.id_hash == hash_id(raw) and raw not in row.id_hash
    other, _ = sessions.create(session, user_id=user.id, now=T0, policy=POLICY)
    assert other != raw


def test_idle_timeout(session: Session) -> None:
    user = make_user(session)
    raw, _ = sessions.create(session, user_id=user.id, now=T0, policy=POLICY)
    # Each request within the idle time keeps it alive …
    for minutes in (20, 40, 60):
        assert sessions.load(session, raw, now=T0 + timedelta(minutes=minutes), policy=POLICY)
    # … and a pause longer than it ends it.
    assert sessions.load(session, raw, now=T0 + timedelta(minutes=91), policy=POLICY) is None
    assert session.get(WebSession, hash_id(raw)) is None


def test_absolute_timeout_even_when_active(session: Session) -> None:
    user = make_user(session)
    raw, _ = sessions.create(session, user_id=user.id, now=T0, policy=POLICY)
    at = T0
    while at < T0 + timedelta(hours=7, minutes=50):
        at += timedelta(minutes=10)
        assert sessions.load(session, raw, now=at, policy=POLICY) is not None
    assert sessions.load(session, raw, now=T0 + timedelta(hours=8), policy=POLICY) is None


def test_rotation_drops_the_old_session(session: Session) -> None:
    user = make_user(session)
    old_raw, old = sessions.create(session, user_id=None, now=T0, policy=POLICY)
    new_raw, _ = sessions.rotate(
        session, old, user_id=user.id or 0, now=T0, policy=POLICY, ip=None, user_agent=None
    )
    assert new_raw != old_raw
    assert sessions.load(session, old_raw, now=T0, policy=POLICY) is None
    assert sessions.load(session, new_raw, now=T0, policy=POLICY) is not None


def test_end_all_for_user(session: Session) -> None:
    user, other = make_user(session), make_user(session)
    raws = [sessions.create(session, user_id=user.id, now=T0, policy=POLICY)[0] for _ in range(3)]
    keep, _ = sessions.create(session, user_id=other.id, now=T0, policy=POLICY)
    assert sessions.end_all_for_user(session, user.id or 0) == 3
    assert all(sessions.load(session, r, now=T0, policy=POLICY) is None for r in raws)
    assert sessions.load(session, keep, now=T0, policy=POLICY) is not None


def test_cookie_flags() -> None:
    header = sessions.cookie_header("abc")
    assert header.startswith("__Host-portal_session=abc;")
    for flag in ("Path=/", "Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in header
    assert "Domain" not in header
    assert "Max-Age=0" in sessions.cookie_header("")


def test_a_signed_in_request_reads_its_session_and_user_in_one_query(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    sign_in(client, user.email)
    with statements(session.get_bind()) as seen:  # type: ignore[arg-type]
        assert client.get("/notifications").status_code == 200
    lookups = [s for s in seen if "FROM web_session" in s or "FROM user_account" in s]
    assert len(lookups) == 1, lookups


def test_the_bells_count_comes_with_the_session(client: TestClient, session: Session) -> None:
    """A signed-in page counts the unread notifications in the query that loads the
    session: no statement of its own, and the count is the user's."""
    user, other = make_user(session), make_user(session)
    assert user.id is not None and other.id is not None
    for to in (user.id, user.id, other.id):
        notify(session, kind="introduction_requested", user_ids=[to], subject="s", link="/")
    session.commit()
    sign_in(client, user.email)
    with statements(session.get_bind()) as seen:  # type: ignore[arg-type]
        page = client.get("/")
    assert page.status_code == 200
    assert [s for s in seen if "FROM notification" in s and "web_session" not in s] == []
    assert '<span class="badge badge-count" data-testid="unread-count">2</span>' in page.text
