"""A page view must not fail because another connection wrote while it was reading."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from portal.auth import sessions
from portal.bootstrap import migrate
from portal.clock import aware
from portal.db import make_engine, unit_of_work
from portal.models import Organization
from portal.reference.service import load_reference


def test_touch_during_a_read_does_not_fail_when_another_connection_wrote(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.sqlite3'}")
    migrate(engine)
    policy = sessions.SessionPolicy(idle=timedelta(hours=2), absolute=timedelta(hours=12))
    start = datetime(2026, 11, 1, 8, tzinfo=UTC)
    with Session(engine) as setup:
        load_reference(setup)
        raw_id, _row = sessions.create(setup, user_id=None, now=start, policy=policy)
        setup.commit()
    later = start + timedelta(minutes=5)
    with Session(engine) as reader, Session(engine) as writer:
        request = unit_of_work(reader, write=False)  # a page view's transaction
        next(request)
        reader.exec(sessions.select(sessions.WebSession)).all()  # a read snapshot begins
        writer.add(
            Organization(external_id="busy-1", name="并发写入", kind="enterprise", city="changsha")
        )
        writer.commit()  # another connection writes meanwhile
        loaded = sessions.load(reader, raw_id, now=later, policy=policy)
        assert loaded is not None  # the page view goes on …
        reader.exec(sessions.select(Organization)).all()  # … and reads on
        with pytest.raises(StopIteration):
            next(request)  # the request's commit
    with Session(engine) as check:  # the touch was written in a transaction of its own
        row = check.get(sessions.WebSession, sessions.hash_id(raw_id))
        assert row is not None and aware(row.last_seen_at) == later
    engine.dispose()
