from sqlalchemy import Engine
from sqlmodel import Session

from portal.dashboards import cache
from tests.factories import make_network, make_solution


def test_a_write_invalidates_only_the_families_it_touched(session: Session) -> None:
    calls: list[str] = []

    def read(name: str, family: str) -> str:
        def compute() -> str:
            calls.append(name)
            return name

        return cache.memoized(session, ("t", name), compute, reads=(family,))

    read("serving", "solutions")
    read("networks", "networks")
    assert calls == ["serving", "networks"]
    read("serving", "solutions")
    read("networks", "networks")
    assert calls == ["serving", "networks"]  # memo hits

    make_network(session)  # stamps the networks family only
    read("serving", "solutions")
    read("networks", "networks")
    assert calls == ["serving", "networks", "networks"]

    make_solution(session, regions=["huaihua"])
    read("serving", "solutions")
    read("networks", "networks")
    assert calls == ["serving", "networks", "networks", "serving"]

    cache.bump(session)  # raw-SQL writers: everything is stale
    read("serving", "solutions")
    read("networks", "networks")
    assert calls[-2:] == ["serving", "networks"]


def _meta_reads(session: Session) -> list[str]:
    from sqlalchemy import event

    reads: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "FROM meta" in statement:
            reads.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", count)
    return reads


def test_a_transaction_reads_the_stamps_once_and_its_own_writes_forget_them(
    session: Session,
) -> None:
    reads = _meta_reads(session)
    calls: list[str] = []

    def read(name: str, family: str) -> str:
        def compute() -> str:
            calls.append(name)
            return name

        return cache.memoized(session, ("once", name), compute, reads=(family,))

    for name, family in (("a", "solutions"), ("b", "networks"), ("c", "demands")):
        read(name, family)
    assert len(reads) == 1  # a page asks a dozen times; the stamps are read once

    make_solution(session, regions=["huaihua"])  # its flush stamps solutions
    read("a", "solutions")
    read("b", "networks")
    assert calls == ["a", "b", "c", "a"]


def test_a_commit_in_another_session_is_seen_at_the_next_transaction(engine: Engine) -> None:
    from sqlmodel import Session as DbSession

    calls: list[int] = []

    def read(session: Session) -> None:
        cache.memoized(session, ("elsewhere",), lambda: calls.append(1), reads=("solutions",))

    with DbSession(engine) as reader, DbSession(engine) as writer:
        read(reader)
        reader.rollback()  # the request ends
        cache.bump(writer)  # another worker's raw write
        writer.commit()
        read(reader)
        assert len(calls) == 2
        cache.bump(writer)
        writer.commit()  # leave the stamp as tests found it: a fresh one
