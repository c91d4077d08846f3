"""A page view must not fail because another connection wrote while it was reading."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from portal.auth import sessions
from portal.bootstrap import migrate
from portal.db import make_engine
from portal.models import Organization
from portal.reference.service import load_reference


def test_touch_is_skipped_not_fatal_when_sqlite_cannot_upgrade(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.sqlite3'}")
    migrate(engine)
    policy = sessions.SessionPolicy(idle=timedelta(hours=2), absolute=timedelta(hours=12))
    start = datetime(2026, 11, 1, 8, tzinfo=UTC)
    with Session(engine) as setup:
        load_reference(setup)
        raw_id, _row = sessions.create(setup, user_id=None, now=start, policy=policy)
        setup.commit()
    with Session(engine) as reader, Session(engine) as writer:
        reader.exec(sessions.select(sessions.WebSession)).all()  # a read snapshot begins
        writer.add(
            Organization(external_id="busy-1", name="并发写入", kind="enterprise", city="changsha")
        )
        writer.commit()  # another connection writes meanwhile
        later = start + timedelta(minutes=5)
        loaded = sessions.load(reader, raw_id, now=later, policy=policy)
        assert loaded is not None  # the page view goes on
        reader.commit()
    engine.dispose()
