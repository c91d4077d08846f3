"""A commit that wrote outbox rows wakes whoever applies them; a rollback does not."""

from sqlmodel import Session

from portal.search import outbox


def test_a_commit_with_outbox_rows_wakes_the_listener_once(session: Session) -> None:
    woken: list[str] = []
    stop = outbox.on_commit(lambda: woken.append("woken"))
    try:
        session.commit()  # nothing written to the outbox
        assert woken == []
        outbox.enqueue(session, entity="solution", entity_id=1, version=1)
        outbox.enqueue(session, entity="solution", entity_id=2, version=1)
        session.commit()
        assert woken == ["woken"]
        outbox.enqueue(session, entity="solution", entity_id=3, version=1)
        session.rollback()
        session.commit()
        assert woken == ["woken"]
    finally:
        stop()
    outbox.enqueue(session, entity="solution", entity_id=4, version=1)
    session.commit()
    assert woken == ["woken"]  # stopped
